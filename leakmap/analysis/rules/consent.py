"""Rules about the banner and the consent signals.

They read what the consent engine stored. ``consent`` rows (one per phase; accept/reject, and
baseline when the engine records one): ``banner_found``, ``cmp``, ``success``, ``verified``,
``steps`` (clicks the action took), ``error``, and these ``details`` keys when present:

- ``first_layer``: ``{"accept": <text or null>, "reject": <text or null>, "settings": ...}``, the
  controls the banner's first layer showed (also ``first_layer_reject``: a plain bool);
- ``tcf``: the IAB TCF state read after the action (in baseline: without any choice), as the
  engine stores it: ``{"tcString": ..., "eventStatus": ..., "cmpId": ..., "decoded":
  {"purposes_consent": [...], "vendors_consent": [...]}}``; a bare TC string also works;
- ``tcf_before``: the same, read before the action;
- ``gpp``: the GPP ping (reported, not judged);
- ``paid_alternative``: ``{"text": ..., "link": ...}``, the paid way a "pay or OK" wall offers
  instead of accepting (a subscription, an ad-free plan).

``consent_events`` rows of kind ``tcf`` (data: a TCF state as above) are placed before/after the
action by their time; kinds ``cmpDetected`` and ``popupFound`` count as a detected banner.
Google Consent Mode ``gcs``/``gcd`` and TC strings in request parameters are parsed from the
requests themselves (:mod:`leakmap.analysis.signals`).
"""

from __future__ import annotations

from typing import Any

from leakmap.analysis.data import SiteData
from leakmap.analysis.findings import (
    BEFORE,
    MOMENTS,
    make,
    party_evidence,
    request_evidence,
    window,
)
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.common import Hit, third_party_hits, verdicts
from leakmap.analysis.rules.cookies import classified_writes
from leakmap.analysis.signals import GVL_IDS, decode_tc, granted, grants_anything, tc_strings, tcf_state
from leakmap.phases import ACTION_PHASES
from leakmap.records import Finding


def _consent_summary(site: SiteData) -> list[dict[str, Any]]:
    return [{"phase": c.phase, "method": c.method, "action": c.action, "banner_found": c.banner_found, "cmp": c.cmp,
             "success": c.success, "verified": c.verified, "steps": c.steps, "error": c.error,
             "screenshot_before": c.screenshot_before, "screenshot_after": c.screenshot_after}
            for c in site.consent.values()]


# -- consent-signal-mismatch -------------------------------------------------------------------


def _at(phase: str, actions: int) -> str:
    """The moment after ``actions`` of the phase's consent actions."""
    return window(phase, actions == 0, actions)


def _recorded_tcf(site: SiteData) -> list[tuple[str, str, dict[str, Any], str]]:
    """(phase, window, state, where) for every TCF state the consent engine recorded (read before
    and after each consent action of the phase, and as events)."""
    out = []
    for phase, rows in site.actions.items():
        done = 0  # the phase's actions that happened before this one
        for c in rows:
            if (state := tcf_state(c.details.get("tcf_before"))) is not None:
                out.append((phase, _at(phase, done), state, "consent.details.tcf_before"))
            done += c.time is not None
            if (state := tcf_state(c.details.get("tcf"))) is not None:
                out.append((phase, _at(phase, done), state, "consent.details.tcf"))
    for e in site.consent_events:
        if e["kind"] == "tcf" and (state := tcf_state(e["data"])) is not None:
            out.append((e["phase"], _at(e["phase"], site.actions_at(e["phase"], e["time"])), state, "consent_events"))
    return out


def _refused(moment: str) -> bool:
    """A moment after the visitor refused (after "reject all", after withdrawing)."""
    return moment != BEFORE and MOMENTS[moment].violating


def _request_tcf(hits: list[Hit]) -> list[tuple[Hit, dict[str, Any]]]:
    out = []
    for h in hits:
        for text in (h.req.url, h.req.post_data or ""):
            for tc in tc_strings(text):
                decoded = decode_tc(tc)
                if decoded is not None:
                    out.append((h, {"tc_string": tc, **decoded}))
    return out


def consent_signal_mismatch(site: SiteData, parties: Parties) -> list[Finding]:
    """A consent signal contradicts the recorded choice (or grants consent before any choice)."""
    hits = third_party_hits(site, parties)
    out: dict[tuple[str, str | None], Finding] = {}

    def add(kind: str, phase: str | None, domain: str | None, title: str, evidence: dict[str, Any], hit: Hit | None,
            severity: str = "high", moment: str | None = None) -> None:
        f = make(site, "consent-signal-mismatch", severity, phase=phase, domain=domain, key=kind, title=title,
                 evidence={"signal": kind, **evidence}, party=hit.party if hit else None,
                 category=hit.category if hit else None, page=site.page(hit.req.visit_id) if hit else None,
                 moment=hit.window if hit else moment)
        out.setdefault((f.id, phase), f)  # one per phase: facts are merged across phases afterwards

    for h in hits:  # Google Consent Mode
        if h.consent_mode is None or not MOMENTS[h.window].violating:
            continue
        grants = granted(h.consent_mode)
        if not grants:
            continue
        kind = f"gcs-granted-{h.window}" if _refused(h.window) else "gcs-granted-before-choice"
        when = MOMENTS[h.window].label if _refused(h.window) else "before any choice"
        add(kind, h.req.phase, h.party.domain, f"Google Consent Mode says {', '.join(grants)} granted {when}",
            {"consent_mode": h.consent_mode, "request": request_evidence(site, h.req),
             "classification": party_evidence(parties, h.party, h.match)}, h)

    request_tcf = _request_tcf(hits)
    for h, state in request_tcf:  # TC strings sent along with requests
        if h.window == BEFORE and grants_anything(state):
            add("tcf-granted-before-choice", h.req.phase, h.party.domain,
                f"TC string sent to {h.party.label} grants consent before any choice",
                {"tcf": state, "request": request_evidence(site, h.req)}, h)
        elif _refused(h.window) and state.get("purposes_consent"):
            add(f"tcf-granted-{h.window}", h.req.phase, h.party.domain,
                f"TC string sent to {h.party.label} grants purposes {state['purposes_consent']} "
                f"{MOMENTS[h.window].label}", {"tcf": state, "request": request_evidence(site, h.req)}, h)

    recorded = _recorded_tcf(site)
    for phase, when, state, where in recorded:  # TCF state the page itself reports
        if when == BEFORE and grants_anything(state):
            add("tcf-granted-before-choice", phase, None, "the page's TCF API grants consent before any choice",
                {"tcf": state, "recorded_in": where}, None, moment=when)
        elif _refused(when) and state.get("purposes_consent"):
            add(f"tcf-granted-{when}", phase, None,
                f"the page's TCF API grants purposes {state['purposes_consent']} {MOMENTS[when].label}",
                {"tcf": state, "recorded_in": where}, None, moment=when)

    # vendors without TCF consent receiving data after the choice
    after: dict[tuple[str, str], dict[str, Any]] = {}  # (phase, moment) -> the TCF state then
    for phase, when, state, _ in recorded:
        if when != BEFORE:
            after[(phase, when)] = state
    for h, state in request_tcf:
        if h.window != BEFORE:
            after.setdefault((h.req.phase, h.window), state)
    for h in hits:
        state = after.get((h.req.phase, h.window))
        vendor = GVL_IDS.get(h.party.domain)
        if state is None or vendor is None or not h.category or h.window == BEFORE:
            continue
        if vendor not in state.get("vendors_consent", []):
            add(f"tcf-vendor-without-consent:{vendor}", h.req.phase, h.party.domain,
                f"{h.party.label_with(f'TCF vendor {vendor}')} received data without TCF consent",
                {"vendor_id": vendor, "tcf": state, "request": request_evidence(site, h.req),
                 "classification": party_evidence(parties, h.party, h.match)}, h,
                severity="high" if MOMENTS[h.window].violating else "medium")
    return list(out.values())


# -- banner ------------------------------------------------------------------------------------


def _first_layer_reject(site: SiteData) -> bool | None:
    """Whether the banner's first layer has a reject control, as the consent engine saw it
    (None: it did not say, or saw no banner)."""
    seen = []
    for c in site.consent.values():
        if isinstance(c.details.get("first_layer_reject"), bool):
            seen.append(c.details["first_layer_reject"])
        layer = c.details.get("first_layer")
        if isinstance(layer, dict) and layer.get("accept"):
            seen.append(bool(layer.get("reject")))
    return any(seen) if seen else None


def _one_click_reject(site: SiteData) -> bool:
    """A reject that took one click and was verified by its effect: the first layer has a reject
    control, whatever the text heuristic could read on it."""
    reject = site.consent.get("reject")
    return reject is not None and reject.verified and reject.success and reject.steps == 1


def no_reject_option(site: SiteData, parties: Parties) -> list[Finding]:
    """The first layer of the banner offers accept but no reject."""
    accept, reject = site.consent.get("accept"), site.consent.get("reject")
    if _one_click_reject(site):
        return []
    stated = _first_layer_reject(site)
    basis = None
    if stated is False and site.banner_detected():
        basis = "the consent engine found no reject control on the banner's first layer"
    elif stated is None and reject is not None and reject.success and reject.steps > 1:
        basis = f"refusing took {reject.steps} clicks: there is no reject control on the first layer"
    elif stated is None and accept is not None and accept.success and reject is not None and not reject.success:
        basis = "an accept control was found and clicked, but no reject control was found"
    if basis is None:
        return []
    return [make(site, "no-reject-option", "medium", phase="reject" if reject else None, domain=site.domain,
                 title="the consent banner offers \"accept\" but no \"reject\" on its first layer",
                 evidence={"basis": basis, "consent": _consent_summary(site),
                           "accept_button": accept.details.get("button_text") if accept else None},
                 unverified=stated is None)]


def consent_or_pay(site: SiteData, parties: Parties) -> list[Finding]:
    """The banner offers accept or a paid alternative, and no free refusal: a "pay or OK" wall."""
    offers = [(c.phase, c.details["paid_alternative"]) for c in site.consent.values()
              if isinstance(c.details.get("paid_alternative"), dict)]
    reject = site.consent.get("reject")
    if not offers or _first_layer_reject(site) or (reject is not None and reject.success and reject.verified):
        return []  # a free refusal is there: the paid offer is an offer, not the price of refusing
    pay = offers[0][1]
    return [make(site, "consent-or-pay", "info", phase=None, domain=site.domain,
                 title=f"\u201cpay or OK\u201d wall: accept, or pay (\u201c{pay.get('text')}\u201d); no free refusal",
                 evidence={"paid_alternative": pay, "seen_in": sorted({phase for phase, _ in offers}),
                           "consent": _consent_summary(site)})]


def consent_banner_missing(site: SiteData, parties: Parties) -> list[Finding]:
    """Tracking happens and no consent banner was detected (needs an accept or reject attempt).
    Tracking is the verdict every rule reads: audience measurement without cookies, storage or
    identifiers needs no banner."""
    attempts = [c for p, c in site.consent.items() if p in ACTION_PHASES]
    if not attempts or site.banner_detected():
        return []
    tracked = sorted({domain for _, moment, domain in verdicts(site, parties) if moment == BEFORE})
    cookies = sorted({c.write.name for c in classified_writes(site, parties) if c.window == BEFORE})
    if not tracked and not cookies:
        return []
    return [make(site, "consent-banner-missing", "high", phase=None, domain=site.domain,
                 title=f"no consent banner detected while {len(tracked)} tracking part"
                       f"{'y' if len(tracked) == 1 else 'ies'} received data",
                 evidence={"tracking_domains_before_consent": tracked[:50], "tracking_cookies": cookies[:50],
                           "consent": _consent_summary(site)})]

"""Rules over requests to third parties: tracking before consent, after "reject all" or after
consent was withdrawn, session replay, data brokers. Each phase and moment gives a finding per registrable domain (merged into
one per fact across phases); its evidence is the first request that made the party tracking
then, and why (its listing, a filter, or what it did), with Consent Mode "cookieless" pings
shown only when nothing else was sent. Two cases are ``info`` advisories, not violations: Google
Consent Mode's denied state (cookieless pings and the tag that sends them), and an analytics
party that tracked no one then (no cookie, storage, identifier or fingerprinting: the verdict's
audience measurement), whose finding names the conditions of the CNIL's exemption."""

from __future__ import annotations

from leakmap.analysis.data import SiteData
from leakmap.analysis.findings import (
    AFTER_REJECT,
    AFTER_WITHDRAWAL,
    BEFORE,
    MOMENTS,
    make,
    party_evidence,
    request_evidence,
)
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.common import Hit, group, measured, neutral_load, third_party_hits, verdicts
from leakmap.analysis.rules.idsync import id_matches
from leakmap.analysis.rules.pii import pii_matches
from leakmap.analysis.signals import denied_ping
from leakmap.records import Finding


def _summary(site: SiteData, parties: Parties, hits: list[Hit], extra: dict | None = None) -> tuple[dict, Hit]:
    """Evidence for a group of requests to one domain: the first tracking request that was not a
    cookieless ping (else the first tracking one, else the first)."""
    tracking = [h for h in hits if h.category] or hits
    first = next((h for h in tracking if h.consent_mode is None or not denied_ping(h.consent_mode)), tracking[0])
    evidence = {
        "request": request_evidence(site, first.req),
        "requests": len(hits),
        "tracking_requests": sum(1 for h in hits if h.category),
        "hosts": sorted({h.req.host for h in hits}),
        "pages": sorted({page for h in hits if (page := site.page(h.req.visit_id))}),
        "first_t_consent": hits[0].req.t_consent,
        "classification": {**party_evidence(parties, first.party, first.match), "basis": first.basis},
    }
    pings = sum(1 for h in hits if h.consent_mode is not None and denied_ping(h.consent_mode))
    if pings or first.consent_mode:
        evidence["consent_mode"] = {"denied_pings": pings, "first": first.consent_mode}
    if site.phases and first.req.phase in site.consent:
        c = site.action_state(first.req.phase, first.window)  # the action the moment follows (else the first)
        evidence["consent_action"] = {"action": c.action, "method": c.method, "verified": c.verified,
                                      "time": c.time, "error": c.error, "screenshot_before": c.screenshot_before,
                                      "screenshot_after": c.screenshot_after}
    evidence.update(extra or {})
    return evidence, first


def _owner(h: Hit) -> str:
    return h.party.entity or h.party.domain


def _cookieless_owners(hits: list[Hit]) -> set[tuple[str, str]]:
    """(phase, owner) whose tracking at this moment is Google Consent Mode in its denied state: every
    ping it sent was cookieless (``gcs=G100``) and its other tracking requests only fetched its tags'
    scripts. SPEC: such pings are ``info``, and so is loading the tag that sends nothing else."""
    pings: dict[tuple[str, str], list[bool]] = {}
    other: dict[tuple[str, str], bool] = {}
    for h in hits:
        if not h.category:
            continue
        key = (h.req.phase, _owner(h))
        if h.consent_mode is not None:
            pings.setdefault(key, []).append(denied_ping(h.consent_mode))
        elif not neutral_load(h):
            other[key] = True
    return {key for key, denied in pings.items() if all(denied) and not other.get(key)}


def _tracking_in(site: SiteData, parties: Parties, rule: str, moment: str) -> list[Finding]:
    """Every party tracking at ``moment`` (per phase): all its requests then, led by what proved it;
    and every analytics party that only measured the audience then, as an advisory."""
    tracked, audience = verdicts(site, parties), measured(site, parties)
    hits = [h for h in third_party_hits(site, parties)
            if h.window == moment and ((key := (h.req.phase, moment, h.party.domain)) in tracked or key in audience)]
    cookieless_owners = _cookieless_owners(hits)
    out = []
    for (phase, domain), group_hits in group(hits, lambda h: (h.req.phase, h.party.domain)).items():
        when = MOMENTS[moment].label
        if (phase, moment, domain) in audience:
            _, basis = audience[(phase, moment, domain)]
            evidence, first = _summary(site, parties, group_hits, {"audience_measurement": basis})
            evidence["classification"]["basis"] = basis
            out.append(make(site, rule, "info", phase=phase, domain=domain, evidence=evidence, party=first.party,
                            category=first.category, page=site.page(first.req.visit_id), moment=moment,
                            title=f"{first.party.label_with(first.category)} measured the audience {when} without "
                                  "cookies, storage or identifiers (exempt from consent under the CNIL's conditions)"))
            continue
        evidence, first = _summary(site, parties, group_hits)
        cookieless = (phase, _owner(first)) in cookieless_owners
        pinged = any(h.consent_mode is not None for h in group_hits if h.category)
        how = "" if first.basis is None or first.basis["kind"] != "behaviour" else f" ({first.basis['text']})"
        label = first.party.label_with(first.category)
        if cookieless and pinged:
            title = f"{label} received only Consent Mode cookieless pings (gcs=G100) {when}"
        elif cookieless:
            title = f"{label} served the tag that ran in Consent Mode's denied state (cookieless pings only) {when}"
        else:
            title = f"{label} received requests {when}{how}"
        out.append(make(site, rule, "info" if cookieless else "high", phase=phase, domain=domain, title=title,
                        evidence=evidence, party=first.party, category=first.category,
                        page=site.page(first.req.visit_id), moment=moment))
    return out


def tracking_before_consent(site: SiteData, parties: Parties) -> list[Finding]:
    """A tracking third party receives a request before any consent action."""
    return _tracking_in(site, parties, "tracking-before-consent", BEFORE)


def tracking_after_reject(site: SiteData, parties: Parties) -> list[Finding]:
    """A tracking third party receives a request after "reject all"."""
    return _tracking_in(site, parties, "tracking-after-reject", AFTER_REJECT)


def tracking_after_withdrawal(site: SiteData, parties: Parties) -> list[Finding]:
    """A tracking third party receives a request after the visitor withdrew consent."""
    return _tracking_in(site, parties, "tracking-after-withdrawal", AFTER_WITHDRAWAL)


def session_replay(site: SiteData, parties: Parties) -> list[Finding]:
    """A session-replay vendor loads before consent or after "reject all"."""
    hits = [h for h in third_party_hits(site, parties)
            if "session-replay" in h.party.categories and MOMENTS[h.window].violating]
    out = []
    for (phase, moment, domain), group_hits in group(hits, lambda h: (h.req.phase, h.window, h.party.domain)).items():
        evidence, first = _summary(site, parties, group_hits)
        out.append(make(site, "session-replay", "high", phase=phase, domain=domain, evidence=evidence,
                        party=first.party, category="session-replay", page=site.page(first.req.visit_id),
                        moment=moment, title=f"session-replay vendor {first.party.label} loaded {MOMENTS[moment].label}"))
    return out


def broker_exposure(site: SiteData, parties: Parties) -> list[Finding]:
    """A request reaches a data broker. High before consent or after "reject all"; after "accept
    all", medium when identifiers or typed personal data ride along, else info."""
    hits = [h for h in third_party_hits(site, parties) if h.party.broker]
    if not hits:
        return []
    carried: dict[tuple[str, str, str], list[str]] = {}
    for m in id_matches(site, parties):
        carried.setdefault((m.req.phase, m.hit.window, m.party.domain), []).append(
            f"identifier from cookie {m.source.name}")
    for m in pii_matches(site, parties):
        carried.setdefault((m.req.phase, m.hit.window, m.party.domain), []).append(f"{m.fill.field} ({m.encoding})")
    out = []
    for key, group_hits in group(hits, lambda h: (h.req.phase, h.window, h.party.domain)).items():
        phase, moment, domain = key
        payload = sorted(set(carried.get(key, [])))
        evidence, first = _summary(site, parties, group_hits, {"carried": payload})
        severity = "high" if MOMENTS[moment].violating else ("medium" if payload else "info")
        what = f" carrying {', '.join(payload)}" if payload else ""
        out.append(make(site, "broker-exposure", severity, phase=phase, domain=domain, evidence=evidence,
                        party=first.party, category="data-broker", page=site.page(first.req.visit_id),
                        moment=moment, title=f"data broker {first.party.label} received requests{what} "
                                             f"({MOMENTS[moment].label})"))
    return out

"""Global Privacy Control: does the site honour the visitor's opt-out of sale and sharing?

The US view of a phase whose browser sends GPC (its row's ``gpc``; the banner is left
unanswered, so its evidence is also before consent for the EU rules). Under CCPA/CPRA and the
Colorado, Connecticut and later state laws, GPC is a binding opt-out of sale, sharing and
targeted advertising:

- ``gpc-ignored``: with GPC on, an advertising, data-broker, social or session-replay party is
  tracking (the common verdict: listed, filter-matched, or acting like a tracker) or writes a
  non-essential cookie; the baseline (same visit without the signal) says what GPC should have
  stopped. One finding per party.
- ``gpc-signal-mismatch``: the site's own signals say no opt-out while GPC is on: a US section of
  its GPP string with ``SaleOptOut``/``SharingOptOut``/``TargetedAdvertisingOptOut`` other than 1
  (opted out), or a US Privacy string (``__uspapi``, ``usprivacy`` cookie) with opt-out ``N``.
  What its tags pass on to vendors counts too: the ``gpp`` and ``us_privacy`` parameters of
  third-party requests and of OpenRTB bodies' ``regs`` (the IAB's names, as Prebid and ad
  servers use them).
- ``gpc-honoured`` (info): neither, with what the site did (its signals, its banner, what the
  baseline contacted that the GPC visit did not, its ``/.well-known/gpc.json``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from leakmap.analysis.data import SiteData, memo
from leakmap.analysis.findings import BEFORE, make, party_evidence, request_evidence
from leakmap.analysis.gpp import OPT_OUTS, OPTED_OUT, GppError, decode_gpp, decode_usp, opt_out_answers
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.common import Hit, third_party_hits, verdict_of
from leakmap.analysis.rules.cookies import Classified, classified_writes, consent_record, cookie_evidence
from leakmap.phases import phase as phase_of
from leakmap.records import Finding

# What a GPC opt-out of sale, sharing and targeted advertising is about (analytics is not)
OPT_OUT_CATEGORIES = frozenset({"advertising", "data-broker", "social", "session-replay"})
USP_COOKIE = "usprivacy"
US_VIEW = ("gpc-ignored", "gpc-signal-mismatch", "gpc-honoured")  # the rules that judge the GPC phase itself


def gpc_phases(site: SiteData) -> list[str]:
    return [p for p in site.phases if phase_of(p).gpc]


def control_phase(site: SiteData) -> str | None:
    """The same visit without the signal: a phase that takes no consent action and sends no GPC."""
    return next((p for p in site.phases if phase_of(p).action is None and not phase_of(p).gpc), None)


def _concerned(party: Party, category: str | None) -> str | None:
    """The opt-out category a party falls under (its verdict's, else its listing's), or None."""
    if category in OPT_OUT_CATEGORIES:
        return category
    if party.broker:
        return "data-broker"
    return next((c for c in party.categories if c in OPT_OUT_CATEGORIES), None)


def _tracking_hits(site: SiteData, parties: Parties, phase: str) -> dict[str, list[Hit]]:
    """Registrable domain -> requests of the phase to a party that is tracking then and concerned."""
    out: dict[str, list[Hit]] = {}
    for h in third_party_hits(site, parties):
        verdict = verdict_of(site, parties, h.party, phase, h.window) if h.req.phase == phase else None
        if verdict is not None and _concerned(h.party, verdict.category):
            out.setdefault(h.party.domain, []).append(h)
    return out


def _cookies(site: SiteData, parties: Parties, phase: str) -> dict[str, list[Classified]]:
    """Registrable domain of the writer -> its non-essential cookies written in the phase, when concerned."""
    out: dict[str, list[Classified]] = {}
    for c in classified_writes(site, parties):
        if c.write.phase == phase and not c.cls.party.first_party and _concerned(c.cls.party, c.cls.category):
            out.setdefault(c.cls.party.domain, []).append(c)
    return out


def _ignored(site: SiteData, parties: Parties) -> list[Finding]:
    def compute() -> list[Finding]:
        control = control_phase(site)
        before = _tracking_hits(site, parties, control) if control else {}
        out = []
        for phase in gpc_phases(site):
            hits, cookies = _tracking_hits(site, parties, phase), _cookies(site, parties, phase)
            for domain in sorted({*hits, *cookies}):
                out.append(_ignored_finding(site, parties, phase, domain, hits.get(domain, []),
                                            cookies.get(domain, []), control, before.get(domain, [])))
        return out
    return memo(site, "gpc_ignored", compute)


def _ignored_finding(site: SiteData, parties: Parties, phase: str, domain: str, hits: list[Hit],
                     cookies: list[Classified], control: str | None, before: list[Hit]) -> Finding:
    first = hits[0] if hits else None
    party = first.party if first else cookies[0].cls.party
    verdict = verdict_of(site, parties, party, phase, BEFORE)
    category = _concerned(party, verdict.category if verdict else cookies[0].cls.category)
    evidence: dict[str, Any] = {
        "signal": "Sec-GPC: 1 and navigator.globalPrivacyControl sent",
        "requests": len(hits),
        "pages": sorted({p for h in hits if (p := site.page(h.req.visit_id))}),
        "classification": {**party_evidence(parties, party, verdict.match if verdict else None),
                           "basis": verdict.basis if verdict else None},
    }
    if first:
        evidence["request"] = request_evidence(site, (verdict or first).req)
    if cookies:
        evidence["cookies"] = [{**cookie_evidence(site, c.write), "category": c.cls.category, "basis": c.cls.basis}
                               for c in cookies[:20]]
    if control:
        evidence["without_gpc"] = {"phase": control, "requests": len(before), "contacted": bool(before)}
    did = (f"received {len(hits)} request(s)" if hits else "") + (" and " if hits and cookies else "") + (
        f"wrote cookie {', '.join(sorted({c.write.name for c in cookies}))}" if cookies else "")
    same = " (as without the signal)" if before else ""
    return make(site, "gpc-ignored", "high", phase=phase, domain=domain, party=party, category=category,
                title=f"{party.label_with(category)} {did} with Global Privacy Control on{same}",
                evidence=evidence, page=site.page((first.req if first else cookies[0].write).visit_id),
                moment=BEFORE)


def gpc_ignored(site: SiteData, parties: Parties) -> list[Finding]:
    """With GPC on, an advertising, broker, social or replay party is contacted or writes a cookie."""
    return _ignored(site, parties)


# -- the site's own signals ----------------------------------------------------------------------


def _usp_cookies(site: SiteData, phase: str) -> list[tuple[str, str]]:
    """(value, where) of the ``usprivacy`` cookie as written in the phase (last write per domain)."""
    out: dict[str, str] = {}
    for w in site.cookies:
        if w.phase == phase and w.name.lower() == USP_COOKIE and w.value:
            out[w.domain_key] = w.value
    return [(value, f"cookie {USP_COOKIE} ({domain})") for domain, value in out.items()]


def _passed(url: str, body: str | None) -> list[tuple[str, str]]:
    """(name, value) pairs a request passes: its URL parameters, and an OpenRTB body's ``regs``
    (``gpp``, ``us_privacy``, or ``ext.us_privacy``), as Prebid Server and exchanges receive them."""
    out = parse_qsl(urlsplit(url).query) if "=" in url else []
    if body and body.lstrip().startswith("{") and '"regs"' in body:
        try:
            regs = json.loads(body).get("regs")
        except (ValueError, AttributeError):
            regs = None
        if isinstance(regs, dict):
            ext = regs.get("ext") if isinstance(regs.get("ext"), dict) else {}
            out += [(k, v) for k in _URL_SIGNALS for v in (regs.get(k), ext.get(k)) if isinstance(v, str)]
    return out


def _vendor_signals(site: SiteData, parties: Parties, phase: str) -> list[dict[str, Any]]:
    """The GPP / US Privacy strings the phase's requests passed to third parties, one entry per
    distinct string, naming the hosts that received it."""
    received: dict[tuple[str, str], list[str]] = {}
    for h in third_party_hits(site, parties):
        if h.req.phase != phase:
            continue
        for key, value in _passed(h.req.url, h.req.post_data):
            if key in _URL_SIGNALS and value and value not in ("0", "-1"):
                hosts = received.setdefault((key, value), [])
                if h.req.host not in hosts:
                    hosts.append(h.req.host)
    out = []
    for (key, value), hosts in received.items():
        label, decode = _URL_SIGNALS[key]
        where = ", ".join(hosts[:_MAX_HOSTS]) + (f" and {len(hosts) - _MAX_HOSTS} more" if len(hosts) > _MAX_HOSTS else "")
        out.append({**_decoded(f"{label} passed to vendors ({key} to {where})", value, decode), "hosts": hosts})
    return out


def site_signals(site: SiteData, parties: Parties, phase: str) -> list[dict[str, Any]]:
    """Every opt-out signal the site gave in the phase: {"source", "raw", "decoded" | "error", "answers"}."""
    def compute() -> list[dict[str, Any]]:
        details = site.consent[phase].details if phase in site.consent else {}
        out: list[dict[str, Any]] = []
        gpp = details.get("gpp") or {}
        if gpp.get("gppString"):
            out.append(_decoded("GPP (__gpp ping)", gpp["gppString"], decode_gpp))
        usp = details.get("usp") or {}
        if usp.get("uspString"):
            out.append(_decoded("US Privacy (__uspapi)", usp["uspString"], _usp))
        out += [_decoded(where, value, _usp) for value, where in _usp_cookies(site, phase)]
        return out + _vendor_signals(site, parties, phase)
    return memo(site, f"gpc_signals:{phase}", compute)


def _usp(text: str) -> dict[str, Any]:
    return {"sections": {"uspv1": decode_usp(text)}}


# request parameters that carry the site's signal to a vendor -> (what it is, its decoder)
_URL_SIGNALS = {"gpp": ("GPP", decode_gpp), "us_privacy": ("US Privacy", _usp)}
_MAX_HOSTS = 5


def _decoded(source: str, raw: str, decode) -> dict[str, Any]:
    try:
        decoded = decode(raw)
    except GppError as exc:
        return {"source": source, "raw": raw[:2000], "error": str(exc)}
    return {"source": source, "raw": raw[:2000], "decoded": decoded, "answers": opt_out_answers(decoded)}


def _contradictions(answers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Section -> the opt-out fields that do not say "opted out"."""
    out = {}
    for section, fields in answers.items():
        bad = {k: v for k, v in fields.items() if (k in OPT_OUTS and v != OPTED_OUT) or (k == "OptOutSale" and v == "N")}
        if bad:
            out[section] = bad
    return out


def _mismatches(site: SiteData, parties: Parties) -> list[Finding]:
    """One finding per phase sending GPC: every signal of the site that said "no opt-out" then."""
    def compute() -> list[Finding]:
        out = []
        for phase in gpc_phases(site):
            wrong = [{**signal, "contradicting": bad} for signal in site_signals(site, parties, phase)
                     if (bad := _contradictions(signal.get("answers") or {}))]
            if not wrong:
                continue
            said = "; ".join(f"{w['source']}: " + ", ".join(f"{section} {k}={v}" for section, fields in
                                                              w["contradicting"].items() for k, v in fields.items())
                             for w in wrong)
            out.append(make(site, "gpc-signal-mismatch", "high", phase=phase, domain=site.domain, moment=BEFORE,
                            title=f"the site's own signals say no opt-out with Global Privacy Control on ({said})",
                            evidence={"signals": wrong, "consent_records": consent_records(site, parties, phase)}))
        return out
    return memo(site, "gpc_mismatch", compute)


def gpc_signal_mismatch(site: SiteData, parties: Parties) -> list[Finding]:
    """With GPC on, the site's own GPP/usprivacy signals say no opt-out."""
    return _mismatches(site, parties)


def consent_records(site: SiteData, parties: Parties, phase: str) -> list[dict[str, Any]]:
    """Consent-platform cookies written in the phase (what the CMP recorded), with their values."""
    return [{"name": w.name, "domain": w.domain_key, "value": w.value[:300], "page": site.page(w.visit_id)}
            for w in site.cookies if w.phase == phase and consent_record(parties, w.name, w.domain_key)][:20]


def gpc_honoured(site: SiteData, parties: Parties) -> list[Finding]:
    """The GPC visit passed: no concerned party tracked, no signal said otherwise; the evidence."""
    if _ignored(site, parties) or _mismatches(site, parties):
        return []
    out = []
    control = control_phase(site)
    stopped = sorted(_tracking_hits(site, parties, control)) if control else []
    for phase in gpc_phases(site):
        consent = site.consent.get(phase)
        banner = {p: {"banner_found": c.banner_found, "cmp": c.cmp} for p, c in site.consent.items()
                  if p in (phase, control)}
        evidence = {
            "navigator_gpc": (consent.details.get("navigator_gpc") if consent else None),
            "signals": site_signals(site, parties, phase),
            "stopped": stopped,  # concerned parties the visit without the signal contacted
            "without_gpc_phase": control,
            "banner": banner,
            "consent_records": consent_records(site, parties, phase),
            "gpc_json": site.gpc_json,
        }
        parts = []
        if stopped:
            parts.append(f"{len(stopped)} part{'y' if len(stopped) == 1 else 'ies'} contacted without it not contacted")
        if any(s.get("answers") for s in evidence["signals"]):
            parts.append("its opt-out signals say opted out")
        out.append(make(site, "gpc-honoured", "info", phase=phase, domain=site.domain, moment=BEFORE,
                        title="Global Privacy Control honoured" + (f": {'; '.join(parts)}" if parts else ""),
                        evidence=evidence))
    return out

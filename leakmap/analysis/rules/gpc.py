"""Global Privacy Control: does the site honour the visitor's opt-out of sale and sharing?

The US view of a phase whose browser sends GPC (its row's ``gpc``; the banner is left
unanswered, so its evidence is also before consent for the EU rules), judged under the US state
laws in the scan's jurisdiction (``--jurisdiction``; :mod:`leakmap.blocklists.laws`) that make
GPC a binding opt-out of sale, sharing and targeted advertising on the scan's day. Under none
(``--jurisdiction eu``, or only a state without that duty) these rules find nothing. Every
finding cites the statutes it applies (``evidence.statutes``):

- ``gpc-ignored``: with GPC on, an advertising, data-broker, social or session-replay party is
  tracking (the common verdict: listed, filter-matched, or acting like a tracker) or writes a
  non-essential cookie; the baseline (same visit without the signal) says what GPC should have
  stopped. One finding per party. A request in a vendor's documented service-provider mode
  (Google's restricted data processing, Meta's Limited Data Use, ...:
  :mod:`leakmap.analysis.service_modes`) is no sale or share: it is not counted, and a vendor
  whose every data request is in such a mode is not ignoring (its tag's script download and its
  cookies go with it); a tag that sends both is judged by each request. A site whose
  ``/.well-known/gpc.json`` declares ``"gpc": true`` is said to contradict its own declaration.
- ``gpc-signal-mismatch``: the site's own signals say no opt-out while GPC is on: a GPP section of
  a state in scope (or ``usnat``) with ``SaleOptOut``/``SharingOptOut``/``TargetedAdvertisingOptOut``
  other than 1 (opted out; 0, not applicable, is right in MSPA service-provider mode), or a US
  Privacy string (``__uspapi``, ``usprivacy`` cookie; California's) with opt-out ``N``. What its
  tags pass on to vendors counts too: the ``gpp`` and ``us_privacy`` parameters of third-party
  requests and of OpenRTB bodies' ``regs`` (the IAB's names, as Prebid and ad servers use them).
  Sections of states not in scope are listed, not judged.
- ``gpc-honoured`` (info): neither, with what the site did (its signals, its banner, what the
  baseline contacted that the GPC visit did not, the vendors it kept in a service-provider mode,
  its ``/.well-known/gpc.json``, and whether it declares there what it does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leakmap.analysis.data import SiteData, memo
from leakmap.analysis.findings import BEFORE, make, party_evidence, request_evidence
from leakmap.analysis.gpp import OPT_OUTS, OPTED_OUT, GppError, decode_gpp, decode_usp, opt_out_answers
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.common import Hit, neutral_load, third_party_hits, verdict_of
from leakmap.analysis.rules.cookies import Classified, classified_writes, consent_record, cookie_evidence
from leakmap.analysis.service_modes import request_params, service_mode
from leakmap.blocklists.laws import Law
from leakmap.phases import phase as phase_of
from leakmap.records import Finding

# What a GPC opt-out of sale, sharing and targeted advertising is about (analytics is not)
OPT_OUT_CATEGORIES = frozenset({"advertising", "data-broker", "social", "session-replay"})
USP_COOKIE = "usprivacy"
MSPA_SERVICE_PROVIDER = "MspaServiceProviderMode"
# the rules that judge the GPC phase itself (the US view, counted apart from the EU moments)
US_VIEW = ("gpc-ignored", "gpc-signal-mismatch", "gpc-honoured", "gpc-status-not-displayed", "opt-out-link-missing")


def gpc_phases(site: SiteData) -> list[str]:
    return [p for p in site.phases if phase_of(p).gpc]


def control_phase(site: SiteData) -> str | None:
    """The same visit without the signal: a phase that takes no consent action and sends no GPC."""
    return next((p for p in site.phases if phase_of(p).action is None and not phase_of(p).gpc), None)


def us_laws(site: SiteData) -> list[Law]:
    """The laws in the scan's jurisdiction that make GPC a binding opt-out on the scan's day."""
    return site.jurisdiction.us_laws(site.day)


def statutes(laws: list[Law], duty: str, site: SiteData) -> list[dict[str, Any]]:
    """What a finding cites: each law's provisions of that duty in force on the scan's day."""
    return [c for law in laws for c in law.cites(duty, site.day)]


def law_note(cites: list[dict[str, Any]]) -> str:
    """`` (Cal. Civ. Code § 1798.135(b)(1), (e) and the laws of 11 more states)`` for a title."""
    if not cites:
        return ""
    others = len({c["jurisdiction"] for c in cites}) - 1
    return f" ({cites[0]['cite']}" + (f" and the laws of {others} more state{'s' if others > 1 else ''}"
                                        if others else "") + ")"


def declares_gpc(site: SiteData) -> bool:
    """The site's ``/.well-known/gpc.json`` says it honours the signal (``"gpc": true``)."""
    doc = (site.gpc_json or {}).get("json")
    return isinstance(doc, dict) and doc.get("gpc") is True


def _concerned(party: Party, category: str | None) -> str | None:
    """The opt-out category a party falls under (its verdict's, else its listing's), or None."""
    if category in OPT_OUT_CATEGORIES:
        return category
    if party.broker:
        return "data-broker"
    return next((c for c in party.categories if c in OPT_OUT_CATEGORIES), None)


def concerned_hits(site: SiteData, parties: Parties, phase: str) -> dict[str, list[Hit]]:
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


@dataclass
class Use:
    """What one concerned party did in a phase sending GPC."""

    party: Party
    plain: list[Hit] = field(default_factory=list)  # requests in no service-provider mode
    modes: list[tuple[Hit, dict[str, Any]]] = field(default_factory=list)  # requests in one, with it
    cookies: list[Classified] = field(default_factory=list)
    service_only: bool = False  # its owner's data requests were all in a service-provider mode

    @property
    def ignored(self) -> bool:
        return not self.service_only and bool(self.plain or self.cookies)


def uses(site: SiteData, parties: Parties, phase: str) -> dict[str, Use]:
    """Registrable domain -> what each concerned party did in the phase, each request judged by its
    own parameters. An owner (Meta: facebook.com and facebook.net) acts as a service provider only
    when it got data requests and every one was in a mode: its tag's script downloads and the
    cookies its scripts wrote are then part of that service."""
    def compute() -> dict[str, Use]:
        laws = us_laws(site)
        hits, cookies = concerned_hits(site, parties, phase), _cookies(site, parties, phase)
        out: dict[str, Use] = {}
        for domain in sorted({*hits, *cookies}):
            found = hits.get(domain, [])
            use = out[domain] = Use(found[0].party if found else cookies[domain][0].cls.party,
                                    cookies=cookies.get(domain, []))
            for h in found:
                mode = service_mode(h.req.url, h.req.post_data, domain, laws)
                if mode:
                    use.modes.append((h, mode))
                else:
                    use.plain.append(h)
        owners: dict[str, list[Use]] = {}
        for use in out.values():
            owners.setdefault(use.party.entity or use.party.domain, []).append(use)
        for group in owners.values():
            in_mode = any(u.modes for u in group)
            plain_data = any(not neutral_load(h) for u in group for h in u.plain)
            for u in group:
                u.service_only = in_mode and not plain_data
        return out
    return memo(site, f"gpc_uses:{phase}", compute)


def _modes_evidence(use: Use) -> list[dict[str, Any]]:
    """The service-provider modes a party's requests were sent in: one entry per mode."""
    out: dict[str, dict[str, Any]] = {}
    for h, mode in use.modes:
        entry = out.setdefault(mode["mode"], {**mode, "domain": use.party.domain, "requests": 0,
                                              "example": h.req.url[:500]})
        entry["requests"] += 1
    return list(out.values())


def _ignored(site: SiteData, parties: Parties) -> list[Finding]:
    def compute() -> list[Finding]:
        laws = us_laws(site)
        if not laws:
            return []
        control = control_phase(site)
        before = concerned_hits(site, parties, control) if control else {}
        cites = statutes(laws, "opt-out-signal", site)
        out = []
        for phase in gpc_phases(site):
            for domain, use in uses(site, parties, phase).items():
                if use.ignored:
                    out.append(_ignored_finding(site, parties, phase, use, control, before.get(domain, []), cites))
        return out
    return memo(site, "gpc_ignored", compute)


def _ignored_finding(site: SiteData, parties: Parties, phase: str, use: Use, control: str | None,
                     before: list[Hit], cites: list[dict[str, Any]]) -> Finding:
    hits, cookies, party = use.plain, use.cookies, use.party
    first = hits[0] if hits else None
    verdict = verdict_of(site, parties, party, phase, BEFORE)
    category = _concerned(party, verdict.category if verdict else cookies[0].cls.category)
    evidence: dict[str, Any] = {
        "signal": "Sec-GPC: 1 and navigator.globalPrivacyControl sent",
        "requests": len(hits),
        "pages": sorted({p for h in hits if (p := site.page(h.req.visit_id))}),
        "classification": {**party_evidence(parties, party, verdict.match if verdict else None),
                           "basis": verdict.basis if verdict else None},
        "statutes": cites,
    }
    if first:
        evidence["request"] = request_evidence(site, (verdict if verdict and verdict in hits else first).req)
    if cookies:
        evidence["cookies"] = [{**cookie_evidence(site, c.write), "category": c.cls.category, "basis": c.cls.basis}
                               for c in cookies[:20]]
    if use.modes:  # the same tag also sent requests in a service-provider mode: those are not counted
        evidence["service_provider_requests"] = _modes_evidence(use)
    if control:
        evidence["without_gpc"] = {"phase": control, "requests": len(before), "contacted": bool(before)}
    declared = declares_gpc(site)
    if declared:
        evidence["gpc_json"] = {"declares_gpc": True, **site.gpc_json}
    did = (f"received {len(hits)} request(s)" if hits else "") + (" and " if hits and cookies else "") + (
        f"wrote cookie {', '.join(sorted({c.write.name for c in cookies}))}" if cookies else "")
    same = " (as without the signal)" if before else ""
    contradicts = ", although the site's /.well-known/gpc.json declares it honours the signal" if declared else ""
    return make(site, "gpc-ignored", "high", phase=phase, domain=party.domain, party=party, category=category,
                title=f"{party.label_with(category)} {did} with Global Privacy Control on{same}{contradicts}"
                      f"{law_note(cites)}",
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


def _vendor_signals(site: SiteData, parties: Parties, phase: str) -> list[dict[str, Any]]:
    """The GPP / US Privacy strings the phase's requests passed to third parties, one entry per
    distinct string, naming the hosts that received it."""
    received: dict[tuple[str, str], list[str]] = {}
    for h in third_party_hits(site, parties):
        if h.req.phase != phase:
            continue
        for key, value in request_params(h.req.url, h.req.post_data):
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


def _contradictions(signal: dict[str, Any], scope: dict[str, list[Law]]) -> tuple[dict[str, Any], list[str]]:
    """Section -> the opt-out fields that do not say "opted out", for the sections in scope; and the
    sections out of scope that would have. A section in MSPA service-provider mode may say 0 (not
    applicable): the site does not sell or share there."""
    sections = (signal.get("decoded") or {}).get("sections") or {}
    bad_in, bad_out = {}, []
    for section, fields in (signal.get("answers") or {}).items():
        service = (sections.get(section) or {}).get(MSPA_SERVICE_PROVIDER) == 1
        bad = {k: v for k, v in fields.items()
               if (k in OPT_OUTS and v != OPTED_OUT and not (service and v == 0)) or (k == "OptOutSale" and v == "N")}
        if bad and section in scope:
            bad_in[section] = bad
        elif bad:
            bad_out.append(section)
    return bad_in, bad_out


def _mismatches(site: SiteData, parties: Parties) -> list[Finding]:
    """One finding per phase sending GPC: every signal of the site that said "no opt-out" then, in a
    section of a state in scope."""
    def compute() -> list[Finding]:
        scope = site.jurisdiction.sections(site.day)
        if not scope:
            return []
        out = []
        for phase in gpc_phases(site):
            wrong, skipped = [], set()
            for signal in site_signals(site, parties, phase):
                bad, out_of_scope = _contradictions(signal, scope)
                skipped.update(out_of_scope)
                if bad:
                    wrong.append({**signal, "contradicting": bad})
            if not wrong:
                continue
            laws = list({law.id: law for w in wrong for section in w["contradicting"] for law in scope[section]}.values())
            cites = statutes(laws, "opt-out-signal", site)
            said = "; ".join(f"{w['source']}: " + ", ".join(f"{section} {k}={v}" for section, fields in
                                                              w["contradicting"].items() for k, v in fields.items())
                             for w in wrong)
            evidence = {"signals": wrong, "consent_records": consent_records(site, parties, phase), "statutes": cites}
            if skipped:
                evidence["sections_not_in_scope"] = sorted(skipped)
            out.append(make(site, "gpc-signal-mismatch", "high", phase=phase, domain=site.domain, moment=BEFORE,
                            title=f"the site's own signals say no opt-out with Global Privacy Control on ({said})"
                                  f"{law_note(cites)}", evidence=evidence))
        return out
    return memo(site, "gpc_mismatch", compute)


def gpc_signal_mismatch(site: SiteData, parties: Parties) -> list[Finding]:
    """With GPC on, the site's own GPP/usprivacy signals say no opt-out."""
    return _mismatches(site, parties)


def consent_records(site: SiteData, parties: Parties, phase: str) -> list[dict[str, Any]]:
    """Consent-platform cookies written in the phase (what the CMP recorded), with their values."""
    return [{"name": w.name, "domain": w.domain_key, "value": w.value[:300], "page": site.page(w.visit_id)}
            for w in site.cookies if w.phase == phase and consent_record(parties, w.name, w.domain_key)][:20]


def honoured(site: SiteData, parties: Parties) -> bool:
    """The GPC visit passed: the law applies, no concerned party tracked outside a service-provider
    mode, no signal of the site said otherwise."""
    return bool(us_laws(site)) and bool(gpc_phases(site)) and not (_ignored(site, parties) or
                                                                   _mismatches(site, parties))


def gpc_honoured(site: SiteData, parties: Parties) -> list[Finding]:
    """The GPC visit passed; the evidence, with what it did not declare."""
    if not honoured(site, parties):
        return []
    out = []
    control = control_phase(site)
    before = set(concerned_hits(site, parties, control)) if control else set()
    cites = statutes(us_laws(site), "opt-out-signal", site)
    for phase in gpc_phases(site):
        consent = site.consent.get(phase)
        banner = {p: {"banner_found": c.banner_found, "cmp": c.cmp} for p, c in site.consent.items()
                  if p in (phase, control)}
        used = uses(site, parties, phase)
        modes = [m for u in used.values() for m in _modes_evidence(u)]
        declared = declares_gpc(site)
        evidence = {
            "navigator_gpc": (consent.details.get("navigator_gpc") if consent else None),
            "signals": site_signals(site, parties, phase),
            "stopped": sorted(before - set(used)),  # concerned parties contacted without the signal, not with it
            "without_gpc_phase": control,
            "service_provider": modes,
            "banner": banner,
            "consent_records": consent_records(site, parties, phase),
            "gpc_json": site.gpc_json,
            "declares_gpc": declared,
            "statutes": cites,
        }
        parts = []
        if evidence["stopped"]:
            n = len(evidence["stopped"])
            parts.append(f"{n} part{'y' if n == 1 else 'ies'} contacted without it not contacted")
        if modes:
            parts.append("in service-provider mode: " + ", ".join(sorted({f"{m['vendor']} {m['mode']}" for m in modes})))
        if any(s.get("answers") for s in evidence["signals"]):
            parts.append("its opt-out signals say opted out")
        if not declared:
            parts.append("not declared in /.well-known/gpc.json")
        out.append(make(site, "gpc-honoured", "info", phase=phase, domain=site.domain, moment=BEFORE,
                        title="Global Privacy Control honoured" + (f": {'; '.join(parts)}" if parts else ""),
                        evidence=evidence))
    return out

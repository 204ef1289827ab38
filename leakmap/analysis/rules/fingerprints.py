"""``fingerprinting``: a third-party script uses fingerprinting APIs before consent or after
"reject all". The page hook (``leakmap/crawler/collectors/fingerprint.js``) stores what each
script did per document; :mod:`~leakmap.analysis.rules.techniques` says which calls are
fingerprinting (canvas, canvas-font, WebGL, audio, navigator/screen enumeration).

Severity: high when the script's party is tracking at that moment (the verdict every rule uses:
its listing, a filter, or what its requests did) or is neither listed as tracking nor as
essential; medium when its owner also sells fraud prevention (mixed listing) and nothing made it
tracking then; info when it is listed as an essential service only (bot protection, payment).
"""

from __future__ import annotations

from typing import Any

from leakmap.analysis.data import ApiCall, SiteData
from leakmap.analysis.findings import MOMENTS, make, moment_of_row, party_evidence, timing
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.behaviour import strict
from leakmap.analysis.rules.common import verdict_of
from leakmap.analysis.rules.techniques import technique
from leakmap.records import Finding


def _base(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def fingerprinting(site: SiteData, parties: Parties) -> list[Finding]:
    found: dict[tuple[str, str, str, str], tuple[ApiCall, dict[str, Any], int]] = {}
    for call in site.api_calls:
        if not call.script_url:
            continue
        if not MOMENTS[moment_of_row(call)].violating:
            continue
        party = parties.of_url(site.id, call.script_url)
        if party is None or party.first_party:
            continue
        met = technique(call)
        if met is None:
            continue
        key = (call.phase, moment_of_row(call), call.api, _base(call.script_url))
        previous = found.get(key)
        found[key] = (previous[0], previous[1], previous[2] + 1) if previous else (call, met, 1)
    out = []
    for (phase, moment, api, script), (call, met, documents) in found.items():
        party = parties.of_url(site.id, call.script_url)
        hit = verdict_of(site, parties, party, phase, moment)
        severity = "high" if hit is not None else "info" if strict(party) else "medium" if party.essential else "high"
        when = MOMENTS[moment].label
        out.append(make(
            site, "fingerprinting", severity, phase=phase, domain=party.domain, key=f"{api}:{script}", party=party,
            category="fingerprinting", page=site.page(call.visit_id), moment=moment,
            title=f"{party.label} script fingerprints the browser ({api}) {when}",
            evidence={"technique": api, "criteria": met, "script_url": call.script_url, "stack": call.stack,
                      "frame_url": call.frame_url, "calls": call.calls, "documents": documents, **timing(call),
                      "details": call.details,
                      "classification": {**party_evidence(parties, party), "basis": hit.basis if hit else None}}))
    return out

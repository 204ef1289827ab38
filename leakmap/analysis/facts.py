"""One finding per fact.

Rules judge each phase's evidence on its own (each phase is its own browser profile), so the
same fact -- Meta's pixel contacted before consent -- comes out of the baseline and out of the
accept and reject phases before their click. A compliance team signs facts, not phases: the
findings that share an id (rule, site, moment, party, key) become one, whose evidence is the
most telling occurrence's plus where else the fact was seen (``seen_in``: phase, page, when,
requests), whose severity is the highest, and which is unverified only when every occurrence is
(a fact the baseline shows needs no verified click).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from leakmap.phases import ordered
from leakmap.records import Finding
from leakmap.severity import rank as severity_rank


def _when(evidence: dict[str, Any]) -> dict[str, Any]:
    """The time of an occurrence, from the first timed record of its evidence."""
    if "time" in evidence and "t_consent" in evidence:
        return {"time": evidence["time"], "t_consent": evidence["t_consent"]}
    for value in evidence.values():
        if isinstance(value, dict) and "time" in value and "t_consent" in value:
            return {"time": value["time"], "t_consent": value["t_consent"]}
    return {}


def occurrence(f: Finding) -> dict[str, Any]:
    """Where and when one phase saw the fact."""
    out: dict[str, Any] = {"phase": f.phase, "page": f.page, "severity": f.severity, "unverified": f.unverified,
                           **_when(f.evidence)}
    if isinstance(f.evidence.get("requests"), int):
        out["requests"] = f.evidence["requests"]
    return out


def merge(findings: list[Finding]) -> list[Finding]:
    """The findings of one site, one per fact (order of first appearance kept)."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.id, []).append(f)
    out = []
    for group in groups.values():
        if len(group) == 1 and not group[0].phases:
            out.append(group[0])
            continue
        phases = ordered(p for f in group for p in f.phases)
        rank = {p: i for i, p in enumerate(phases)}
        # the most severe occurrence speaks for the fact; among equals, the earliest phase
        lead = min(group, key=lambda f: (severity_rank(f.severity), rank.get(f.phase or "", 99)))
        seen = sorted((occurrence(f) for f in group), key=lambda o: (rank.get(o["phase"] or "", 99), o.get("time") or 0))
        pages = {o["page"] for o in seen if o["page"]} | {p for f in group for p in f.evidence.get("pages") or ()}
        evidence = {**lead.evidence, "seen_in": seen, "pages": sorted(pages)}
        if all(isinstance(o.get("requests"), int) for o in seen):
            evidence["requests"] = sum(o["requests"] for o in seen)
        out.append(replace(
            lead, phases=list(phases), evidence=evidence,
            unverified=all(f.unverified for f in group),
            legacy_ids=sorted({i for f in group for i in f.legacy_ids}),
        ))
    return out

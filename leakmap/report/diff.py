"""What changed between two scans ("what did this deploy change"): third parties and findings
that appeared or disappeared, per site.

Sites are matched by start URL; third parties by (phase, registrable domain); findings by their
stable id, so a finding whose evidence is unchanged is neither new nor gone. A finding also matches
by its ``legacy_ids`` (the per-phase ids of leakmap 0.1): a store analysed by 0.1 compares with
one analysed today fact by fact. Only what both scans could see is compared: a phase one scan did
not run (the opt-in withdraw phase, say) brings no "new" third parties, and a finding seen only in
such phases is neither new nor gone; ``phases_compared`` says which phases were.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from leakmap.phases import PHASES, ordered
from leakmap.report.model import Report, SiteReport


@dataclass
class PartyChange:
    phase: str
    domain: str
    entity: str | None
    categories: list[str]
    requests: int


@dataclass
class FindingChange:
    id: str
    rule: str
    severity: str
    phase: str | None
    domain: str | None
    title: str
    moment: str | None = None  # before-consent, after-withdrawal, ...; None for site-wide findings


@dataclass
class SiteDiff:
    start_url: str
    status: str  # both, new (only in the new scan), gone (only in the old scan)
    new_third_parties: list[PartyChange] = field(default_factory=list)
    gone_third_parties: list[PartyChange] = field(default_factory=list)
    new_findings: list[FindingChange] = field(default_factory=list)
    gone_findings: list[FindingChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.status != "both" or self.new_third_parties or self.gone_third_parties
                    or self.new_findings or self.gone_findings)


def _parties(site: SiteReport | None, phases: set[str]) -> dict[tuple[str, str], PartyChange]:
    if site is None:
        return {}
    return {(phase, tp.domain): PartyChange(phase, tp.domain, tp.entity, tp.categories, tp.requests)
            for phase, view in site.phases.items() if phase in phases for tp in view.third_parties}


def _findings(site: SiteReport | None, phases: set[str]) -> list[tuple[set[str], FindingChange]]:
    """Each finding both scans could have seen, with every id it is known by."""
    if site is None:
        return []
    return [({f.id, *f.legacy_ids}, FindingChange(f.id, f.rule, f.severity, f.phase, f.domain, f.title, f.moment))
            for f in site.findings if not f.phases or phases.intersection(f.phases)]


def _missing(these: list[tuple[set[str], FindingChange]], others: list[tuple[set[str], FindingChange]]):
    known = set().union(*(ids for ids, _ in others)) if others else set()
    return [change for ids, change in these if not ids & known]


def compared_phases(old: Report, new: Report) -> list[str]:
    """The phases both scans ran (table order)."""
    theirs = set(old.scan.get("phases") or PHASES)
    return [p for p in ordered(new.scan.get("phases") or PHASES) if p in theirs]


def diff(old: Report, new: Report) -> list[SiteDiff]:
    olds = {s.start_url: s for s in old.sites}
    news = {s.start_url: s for s in new.sites}
    phases = set(compared_phases(old, new))
    out = []
    for url in [*news, *(u for u in olds if u not in news)]:
        a, b = olds.get(url), news.get(url)
        status = "both" if a and b else "new" if b else "gone"
        pa, pb = _parties(a, phases), _parties(b, phases)
        fa, fb = _findings(a, phases), _findings(b, phases)
        out.append(SiteDiff(
            url, status,
            new_third_parties=[pb[k] for k in pb if k not in pa],
            gone_third_parties=[pa[k] for k in pa if k not in pb],
            new_findings=_missing(fb, fa),
            gone_findings=_missing(fa, fb)))
    return out


def to_dict(old: Report, new: Report, sites: list[SiteDiff]) -> dict[str, Any]:
    return {
        "schema": "leakmap.diff/1",
        "old": {"scan": old.scan["id"], "started_at": old.scan["started_at"]},
        "new": {"scan": new.scan["id"], "started_at": new.scan["started_at"]},
        "phases_compared": compared_phases(old, new),
        "sites": [asdict(s) for s in sites],
    }

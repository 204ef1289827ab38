"""The site's own cookie declaration against what its visits saw (:mod:`leakmap.declaration`).

One finding per fact, site-wide (no moment: a declaration holds for every visit): a cookie or
storage key of one name on one domain, its HTTP and script writes together. Only what could be
read completely is judged: a site whose policy page could not be fetched, or a store from before
declarations were recorded, gives no finding at all (what it declares is unknown).
"""

from __future__ import annotations

from typing import Any

from leakmap.analysis.data import SiteData
from leakmap.analysis.findings import make
from leakmap.analysis.parties import Parties
from leakmap.declaration import inventory  # a module: it imports the analysis in turn
from leakmap.declaration.items import Declared
from leakmap.declaration.lifetimes import describe
from leakmap.declaration.purposes import understated
from leakmap.records import Finding

SLACK_DAYS = 1.0  # lifetimes are compared with a day of slack (rounding, "1 year" written for 365 days)


def _what(rows: list[inventory.Observed]) -> str:
    return "cookie" if rows[0].type in inventory.COOKIE_TYPES else rows[0].type


def _item(rows: list[inventory.Observed]) -> dict[str, Any]:
    """The observed fact as evidence (never a value): its rows' types, lifetimes, moments, setters."""
    first = rows[0]
    return {"name": first.name, "domain": first.domain, "types": [r.type for r in rows], "party": first.party,
            "provider": first.provider, "longest_days": max((r.longest_days for r in rows if r.longest_days is not None),
                                                            default=None),
            "moments": sorted({m for r in rows for m in r.moments}), "phases": sorted({p for r in rows for p in r.phases}),
            "setters": list(dict.fromkeys(s for r in rows for s in r.setters))[:5], "page": first.page}


def _verdict(rows: list[inventory.Observed]) -> inventory.Observed:
    """The row whose verdict speaks for the fact: a non-essential one when any is."""
    return next((r for r in rows if r.verdict.non_essential), rows[0])


def _observed_evidence(row: inventory.Observed) -> dict[str, Any]:
    return {"category": row.verdict.category, "basis": row.verdict.basis, **row.verdict.detail}


def _finding(site: SiteData, rule: str, severity: str, rows: list[inventory.Observed], title: str,
             evidence: dict[str, Any]) -> Finding:
    lead = _verdict(rows)
    return make(site, rule, severity, phase=None, domain=lead.registrable, key=f"{lead.family}:{lead.name}@{lead.domain}",
                party=lead.owner, category=lead.verdict.category, page=lead.page, title=title,
                evidence={"item": _item(rows), "observed": _observed_evidence(lead), **evidence})


def _declaration(site: SiteData, parties: Parties) -> inventory.SiteDeclaration:
    return inventory.build(site, parties)


def cookie_undeclared(site: SiteData, parties: Parties) -> list[Finding]:
    """A non-essential cookie or storage key in none of the declarations the site publishes."""
    d = _declaration(site, parties)
    if d.status != "published":
        return []
    out = []
    for rows in d.facts().values():
        lead = _verdict(rows)
        if lead.verdict.non_essential and not any(r.matches for r in rows):
            out.append(_finding(site, "cookie-undeclared", "medium", rows,
                                f"{lead.verdict.category} {_what(rows)} {lead.name} ({lead.domain}) is in none of the "
                                "site's cookie declarations",
                                {"declarations_read": d.published.as_dict()}))
    return out


def cookie_declaration_missing(site: SiteData, parties: Parties) -> list[Finding]:
    """The site publishes no declaration, yet sets non-essential cookies or storage keys."""
    d = _declaration(site, parties)
    if d.status != "none":
        return []
    facts = [rows for rows in d.facts().values() if _verdict(rows).verdict.non_essential]
    if not facts:
        return []
    names = [f"{rows[0].name}@{rows[0].domain}" for rows in facts]
    return [make(site, "cookie-declaration-missing", "medium", phase=None, domain=site.domain, key="",
                 category=None, page=site.start_url,
                 title=f"no cookie declaration found, yet {len(facts)} non-essential cookie(s) or storage key(s) are "
                       f"set ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})",
                 evidence={"declarations_read": d.published.as_dict(), "non_essential": [_item(rows) for rows in facts]})]


_RANK = {"high": 0, "medium": 1}


def cookie_purpose_mismatch(site: SiteData, parties: Parties) -> list[Finding]:
    """A declared purpose that understates the verdict: necessary or functional but tracking (high),
    analytics but advertising (medium)."""
    out = []
    for rows in _declaration(site, parties).facts().values():
        lead = _verdict(rows)
        matches = list({id(d): d for r in rows for d in r.matches}.values())
        judged = [(understated(d.category, lead.verdict.category), d) for d in matches]
        judged = sorted(((sev, d) for sev, d in judged if sev), key=lambda p: _RANK[p[0]])
        if not judged:
            continue
        severity, worst = judged[0]
        out.append(_finding(site, "cookie-purpose-mismatch", severity, rows,
                            f"{_what(rows)} {lead.name} ({lead.domain}) declared {worst.category} "
                            f"({worst.source.label()}) but judged {lead.verdict.category}: {lead.verdict.basis}",
                            {"declared": [d.as_dict() for _, d in judged],
                             "other_declarations": [d.as_dict() for d in matches if all(d is not x for _, x in judged)]}))
    return out


def cookie_lifetime_mismatch(site: SiteData, parties: Parties) -> list[Finding]:
    """A cookie set for longer than every lifetime its declarations give (a day of slack)."""
    out = []
    for rows in _declaration(site, parties).facts().values():
        if rows[0].type not in inventory.COOKIE_TYPES:
            continue
        declared: list[Declared] = [d for d in {id(d): d for r in rows for d in r.matches}.values()
                                    if d.lifetime_days is not None]
        longest = max((r.longest_days for r in rows if r.longest_days is not None), default=None)
        if not declared or longest is None:
            continue
        allowed = max(d.lifetime_days for d in declared)
        if longest <= allowed + SLACK_DAYS:
            continue
        lead = rows[0]
        out.append(_finding(site, "cookie-lifetime-mismatch", "info", rows,
                            f"cookie {lead.name} ({lead.domain}) is set for {describe(longest)} "
                            f"({longest:g} days); declared: {', '.join(sorted({d.lifetime or '' for d in declared}))}",
                            {"declared": [d.as_dict() for d in declared], "set_days": round(longest, 2),
                             "declared_days": allowed, "slack_days": SLACK_DAYS}))
    return out

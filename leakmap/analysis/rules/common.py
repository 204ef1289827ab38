"""Intermediate results several rules share, computed once per site (memoised on ``SiteData.memo``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leakmap.analysis.data import Req, SiteData
from leakmap.analysis.findings import window
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.signals import consent_mode
from leakmap.blocklists import FilterMatch


@dataclass(slots=True)
class Hit:
    """A request to a third party, with who it is and what it is for."""

    req: Req
    party: Party
    category: str | None  # tracking category, None when the request is not tracking
    match: FilterMatch | None  # the filter that made it tracking, if a filter did
    window: str  # before-consent, after-reject, after-accept
    consent_mode: dict[str, Any] | None


def memo(site: SiteData, name: str, compute: Callable[[], Any]) -> Any:
    if name not in site.memo:
        site.memo[name] = compute()
    return site.memo[name]


def third_party_hits(site: SiteData, parties: Parties) -> list[Hit]:
    """Every request to a third party of the site, classified (first-party requests are left out)."""
    return memo(site, "hits", lambda: _hits(site, parties))


def _hits(site: SiteData, parties: Parties) -> list[Hit]:
    out = []
    sid, pages = site.id, site.pages
    for req in site.requests:
        party = parties.of(sid, req.host)
        if party.first_party or not req.host:
            continue
        page = pages.get(req.visit_id)
        category, match = parties.tracking(party, req.url, page, req.resource_type)
        cm = consent_mode(req.url) if "gc" in req.url else None
        if cm is None and req.post_data and "gcs=" in req.post_data:
            cm = consent_mode("&" + req.post_data)
        out.append(Hit(req, party, category, match, window(site, req.phase, req.before, req.visit_id), cm))
    return out


def group(hits: list[Hit], key: Callable[[Hit], Any]) -> dict[Any, list[Hit]]:
    groups: dict[Any, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(key(hit), []).append(hit)
    return groups


def phase_counts(hits: list[Hit]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for h in hits:
        counts[h.req.phase] = counts.get(h.req.phase, 0) + 1
    return counts

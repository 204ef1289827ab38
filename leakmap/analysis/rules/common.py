"""Intermediate results several rules share, computed once per site (memoised on ``SiteData.memo``):
the site's third-party requests, each judged once (:mod:`leakmap.analysis.rules.behaviour`), and
the verdict on each party per phase and moment that every rule reads: tracking, or audience
measurement that tracked no one (an analytics label its behaviour clears)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leakmap.analysis.data import Req, SiteData, memo
from leakmap.analysis.findings import moment_of_row
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.behaviour import (
    audience_measurement,
    filter_basis,
    label_basis,
    request_behaviour,
)
from leakmap.analysis.signals import consent_mode
from leakmap.blocklists import FilterMatch

__all__ = ["Hit", "group", "measured", "memo", "neutral_load", "phase_counts", "third_party_hits", "verdicts", "verdict_of"]

Key = tuple[str, str, str]  # phase, moment, registrable domain


@dataclass(slots=True)
class Hit:
    """A request to a third party, with who it is and what it is for."""

    req: Req
    party: Party
    category: str | None  # tracking category, None when the request is not tracking
    match: FilterMatch | None  # the filter that made it tracking, if a filter did
    window: str  # before-consent, after-reject, after-accept
    consent_mode: dict[str, Any] | None
    basis: dict[str, Any] | None = None  # why it is tracking: category, filter-list or behaviour


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
        basis = None
        if category:
            basis = filter_basis(category, match) if match else label_basis(party, category)
        elif (behaviour := request_behaviour(site, parties, req, party)) is not None:
            category, basis = behaviour
        cm = consent_mode(req.url) if "gc" in req.url else None
        if cm is None and req.post_data and "gcs=" in req.post_data:
            cm = consent_mode("&" + req.post_data)
        out.append(Hit(req, party, category, match, moment_of_row(req), cm, basis))
    return out


def verdicts(site: SiteData, parties: Parties) -> dict[Key, Hit]:
    """(phase, moment, registrable domain) -> the first request that made the party tracking then.

    A party is tracking in a phase and moment when one of its requests then is (by its listing, a
    filter, or what it did), unless it was an analytics party that tracked no one then
    (:func:`measured`): cookies it set and storage its scripts wrote then are judged by this
    verdict, the same one the request rules use."""
    return _judged(site, parties)[0]


def measured(site: SiteData, parties: Parties) -> dict[Key, tuple[Hit, dict[str, Any]]]:
    """(phase, moment, registrable domain) -> the first request of an analytics party that, then,
    set or sent no cookie, wrote no storage, sent no identifier and did not fingerprint, and why
    (:func:`~leakmap.analysis.rules.behaviour.audience_measurement`): not tracking, an advisory."""
    return _judged(site, parties)[1]


def _judged(site: SiteData, parties: Parties) -> tuple[dict[Key, Hit], dict[Key, tuple[Hit, dict[str, Any]]]]:
    def compute() -> tuple[dict[Key, Hit], dict[Key, tuple[Hit, dict[str, Any]]]]:
        first: dict[Key, Hit] = {}
        of_party: dict[Key, list[Hit]] = {}
        for h in third_party_hits(site, parties):
            key = (h.req.phase, h.window, h.party.domain)
            of_party.setdefault(key, []).append(h)
            if h.category:
                first.setdefault(key, h)
        tracking: dict[Key, Hit] = {}
        audience: dict[Key, tuple[Hit, dict[str, Any]]] = {}
        for key, h in first.items():
            hits = of_party[key]
            basis = audience_measurement(site, parties, h.party, key[0], key[1], [x.req for x in hits],
                                         {x.category for x in hits if x.category})
            if basis is None:
                tracking[key] = h
            else:
                audience[key] = (h, basis)
        return tracking, audience
    return memo(site, "verdicts", compute)


def verdict_of(site: SiteData, parties: Parties, party: Party, phase: str, moment: str) -> Hit | None:
    """The request that makes ``party`` tracking in that phase and moment (None: it is not)."""
    if party.first_party:
        return None
    return verdicts(site, parties).get((phase, moment, party.domain))


def neutral_load(h: Hit) -> bool:
    """The download of a tag's script: no cookie rides along and nothing identifying was seen."""
    return h.req.resource_type == "Script" and not h.req.cookie_header and (h.basis or {}).get("kind") != "behaviour"


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

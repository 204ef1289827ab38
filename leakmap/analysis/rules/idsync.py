"""``id-sync``: one party's identifier is sent to another party.

Identifier tokens come from long-lived cookies (:mod:`leakmap.analysis.identifiers`); each
token belongs to the party that set the cookie (its ``Set-Cookie`` response host, or the script
that wrote it). A request to a third party of another registrable domain and another owner that
carries the token in its URL, POST body, Referer or redirect ``Location`` is a sync; so is a
redirect from one tracker straight to another that carries an identifier-looking parameter
(the classic ``cm.g.doubleclick.net -> idsync.rlcdn.com`` chains) when no cookie explains it,
judged by the same identifier test as cookies (:mod:`~leakmap.analysis.rules.params`).
Tokens are searched in the same phase only: each phase is its own browser profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from leakmap.analysis.data import SiteData, memo
from leakmap.analysis.findings import MOMENTS, make, party_evidence, request_evidence
from leakmap.analysis.identifiers import bounded
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.common import Hit, third_party_hits
from leakmap.analysis.rules.idsources import IdSource, id_sources
from leakmap.analysis.rules.params import sent_identifiers
from leakmap.records import Finding

_PARAM = re.compile(r"([^?&;=/:]+)=([^&;]*)")


@dataclass(slots=True)
class IdMatch:
    hit: Hit
    party: Party  # the receiver
    source: IdSource
    where: str  # url, post_data, referer, location
    param: str | None

    @property
    def req(self):
        return self.hit.req


def _same_party(a: Party, b: Party) -> bool:
    return a.domain == b.domain or (a.entity is not None and a.entity == b.entity)


def _param(text: str, token: str) -> str | None:
    for name, value in _PARAM.findall(text):
        if token in value:
            return name
    return None


def id_matches(site: SiteData, parties: Parties) -> list[IdMatch]:
    return memo(site, "id_matches", lambda: _matches(site, parties))


def _matches(site: SiteData, parties: Parties) -> list[IdMatch]:
    sources = id_sources(site, parties)
    if not sources:
        return []
    out = []
    for hit in third_party_hits(site, parties):
        req = hit.req
        index = sources.get(req.phase)
        if not index:
            continue
        blob = f"{req.url}\n{req.post_data or ''}\n{req.referer or ''}\n{req.location or ''}"
        present = [t for t in index if t in blob]
        if not present:
            continue
        places = [("url", req.url, hit.party), ("post_data", req.post_data, hit.party),
                  ("referer", req.referer, hit.party)]
        if req.location:
            receiver = parties.of_url(site.id, req.location)
            if receiver is not None and not receiver.first_party:
                places.append(("location", req.location, receiver))
        for where, text, receiver in places:
            if not text:
                continue
            for token in present:
                holders = index[token]
                if token not in text or not bounded(text, token):
                    continue
                for source in holders:
                    if not _same_party(source.owner, receiver) and source.is_identifier():
                        out.append(IdMatch(hit, receiver, source, where,
                                           _param(text, token) if where != "post_data" else None))
    return out


def _redirect_syncs(site: SiteData, parties: Parties, explained: set[tuple[str, str, str]]) -> list[tuple[Hit, Party, str, str]]:
    """Tracker-to-tracker redirects carrying an identifier-looking parameter no cookie explains."""
    out = []
    for hit in third_party_hits(site, parties):
        req = hit.req
        if not req.redirect_from or not (hit.category or hit.party.broker):
            continue
        previous = parties.of_url(site.id, req.redirect_from)
        if previous is None or previous.first_party or _same_party(previous, hit.party):
            continue
        if not (previous.tracking or previous.broker):
            continue
        if (req.phase, hit.window, previous.domain, hit.party.domain) in explained:
            continue
        found = next(((name, token) for name, token, _ in sent_identifiers(site, parties, req)), None)
        if found:
            out.append((hit, previous, *found))
    return out


def _source_evidence(s: IdSource) -> dict[str, Any]:
    return {"cookie": s.name, "cookie_domain": s.domain_key, "owner": s.owner.domain, "owner_entity": s.owner.entity,
            "value": s.value[:300], "identifier": s.token,
            "lifetime_days": round(s.lifetime / 86400, 1) if s.lifetime else None,
            "compared_across_profiles": s.confirmed, "profiles": list(s.profiles)}


def id_sync(site: SiteData, parties: Parties) -> list[Finding]:
    groups: dict[tuple[str, str, str, str, str], list[IdMatch]] = {}
    for m in id_matches(site, parties):
        groups.setdefault((m.req.phase, m.hit.window, m.source.name, m.source.domain_key, m.party.domain), []).append(m)
    out = []
    explained = set()
    for (phase, moment, name, dkey, receiver), matches in groups.items():
        first = matches[0]
        explained.add((phase, moment, first.source.owner.domain, receiver))
        out.append(make(
            site, "id-sync", "high" if MOMENTS[moment].violating else "medium", phase=phase, domain=receiver,
            key=f"{first.source.owner.domain}:{name}@{dkey}", party=first.party, category=first.hit.category,
            page=site.page(first.req.visit_id), moment=first.hit.window,
            title=f"identifier of {first.source.owner.label_with(f'cookie {name}')} sent to {first.party.label}",
            evidence={"identifier": _source_evidence(first.source), "found_in": first.where, "parameter": first.param,
                      "request": request_evidence(site, first.req), "requests": len(matches),
                      "receiver": party_evidence(parties, first.party, first.hit.match),
                      "owner": party_evidence(parties, first.source.owner)}))
    for hit, previous, param, token in _redirect_syncs(site, parties, explained):
        key = (hit.req.phase, hit.window, previous.domain, hit.party.domain)
        if key in explained:
            continue
        explained.add(key)
        out.append(make(
            site, "id-sync", "high" if MOMENTS[hit.window].violating else "medium", phase=hit.req.phase,
            domain=hit.party.domain, key=f"redirect:{previous.domain}", party=hit.party, category=hit.category,
            page=site.page(hit.req.visit_id), moment=hit.window,
            title=f"{previous.label} redirected to {hit.party.label} with an identifier ({param})",
            evidence={"identifier": {"value": token, "compared_across_profiles": False}, "found_in": "url",
                      "parameter": param, "request": request_evidence(site, hit.req),
                      "receiver": party_evidence(parties, hit.party, hit.match),
                      "sender": party_evidence(parties, previous)}))
    return out


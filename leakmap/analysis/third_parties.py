"""Who received what, per site and phase: the table every report starts from.

Pure functions over stored request rows; first party means the site's own
registrable domain, a declared alias, or a domain owned by the site's entity.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leakmap.analysis.parties import Parties
from leakmap.blocklists import Knowledge


@dataclass
class ThirdParty:
    site_id: int
    phase: str
    domain: str
    entity: str | None
    categories: tuple[str, ...]
    country: str | None
    broker: bool
    requests: int = 0
    before_consent: int = 0
    hosts: set[str] = field(default_factory=set)
    cookies: int = 0  # distinct cookies it set in the phase (its hosts' Set-Cookie, its scripts' writes)


def summarize(rows: Iterable[Mapping[str, Any]], site_domains: Mapping[int, tuple[str, list[str]]],
              kb: Knowledge, cookies: Iterable[Mapping[str, Any]] = ()) -> list[ThirdParty]:
    """``rows``: requests with ``site_id, phase, host, before_consent``; ``site_domains``:
    site id -> (registrable domain, aliases); ``cookies``: cookie writes with ``site_id, phase,
    origin, host, script_url, name, domain``, credited to who wrote them."""
    parties = Parties(kb)
    for site_id, (domain, aliases) in site_domains.items():
        parties.register(site_id, domain, tuple(aliases))
    out: dict[tuple[int, str, str], ThirdParty] = {}
    for row in rows:
        host, site_id = row["host"], row["site_id"]
        if not host:
            continue
        party = parties.of(site_id, host)
        if party.first_party:
            continue
        c = party.c
        key = (site_id, row["phase"], c.domain)
        tp = out.get(key)
        if tp is None:
            tp = out[key] = ThirdParty(site_id, row["phase"], c.domain, c.entity, c.categories, c.country, c.broker)
        tp.requests += 1
        tp.before_consent += bool(row["before_consent"])
        tp.hosts.add(host)
    written: dict[tuple[int, str, str], set[tuple[str, str]]] = {}
    for row in cookies:
        party = parties.setter(row["site_id"], row["origin"], row["host"], row["script_url"], row["domain"])
        if not party.first_party and party.domain:
            written.setdefault((row["site_id"], row["phase"], party.domain), set()).add(
                (row["name"], (row["domain"] or row["host"] or "").lstrip(".")))
    for key, names in written.items():
        if key in out:
            out[key].cookies = len(names)
    return sorted(out.values(), key=lambda t: (t.site_id, t.phase, -t.requests, t.domain))


def from_store(db, scan_id: int, kb: Knowledge) -> list[ThirdParty]:
    """The third parties of every site of one scan (``db`` is a sqlite-utils Database)."""
    sites = {
        row["id"]: (row["domain"], [])
        for row in db.query("select id, domain from sites where scan_id = ?", [scan_id])
    }
    config = next(db.query("select config from scans where id = ?", [scan_id]), {}).get("config") or "{}"
    aliases = json.loads(config).get("first_party", [])
    for site_id in sites:
        sites[site_id] = (sites[site_id][0], list(aliases))
    rows = db.query(
        "select site_id, phase, host, before_consent from requests where site_id in "
        "(select id from sites where scan_id = ?)", [scan_id])
    cookies = db.query(
        "select site_id, phase, origin, host, script_url, name, domain from cookies where site_id in "
        "(select id from sites where scan_id = ?)", [scan_id])
    return summarize(rows, sites, kb, cookies)

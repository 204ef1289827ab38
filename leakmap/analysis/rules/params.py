"""Identifiers a request sends in its own fields (URL query, form or JSON body), judged like the
cookies' (:mod:`leakmap.analysis.identifiers`): a field is a place, named by the request's host,
path and the field's name; what it holds is compared with what the same place held in the other
fresh profiles, those at the same moment of the choice first. A field that holds a new value in
each request of a profile (a cache buster, a page URL, an event time) is not stable, so not an
identifier (Englehardt et al. 2015: an identifier stays the same from visit to visit).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from leakmap.analysis.data import Req, SiteData, memo
from leakmap.analysis.findings import moment_of_row
from leakmap.analysis.identifiers import identifier_tokens, peers
from leakmap.analysis.parties import Parties

MAX_FIELDS = 200  # per request: a batch of events is judged by its first fields

Place = tuple[str, str, str]  # host, path, field name


def _flatten(value: Any, prefix: str, out: list[tuple[str, str]]) -> None:
    if len(out) >= MAX_FIELDS:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value[:20]):
            _flatten(v, f"{prefix}.{i}", out)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        out.append((prefix, str(value)))


def fields(url: str, body: str | None) -> list[tuple[str, str]]:
    """(name, value) of the query parameters (or of a last path segment written like a query:
    ``/ibs:dpid=2340&dpuuid=...``) and of a form-encoded or JSON body."""
    parts = urlsplit(url)
    last = parts.path.rpartition("/")[2]
    out = parse_qsl(parts.query or (last if "=" in last else ""))[:MAX_FIELDS]
    text = (body or "").strip()
    if text[:1] in "{[":
        try:
            _flatten(json.loads(text), "", out)
        except ValueError:
            pass
    elif "=" in text and "\n" not in text:
        out += parse_qsl(text)[:MAX_FIELDS]
    return out


def _place(req: Req, name: str) -> Place:
    return (req.host, urlsplit(req.url).path, name)


def _index(site: SiteData, parties: Parties, domain: str) -> dict[Place, dict[str, list[tuple[str, str]]]]:
    """place -> phase -> the (value, moment) of every field the party of ``domain`` was sent."""
    def by_domain() -> dict[str, list[Req]]:
        out: dict[str, list[Req]] = {}
        for req in site.requests:
            if req.host:
                out.setdefault(parties.of(site.id, req.host).domain, []).append(req)
        return out

    def compute() -> dict[Place, dict[str, list[tuple[str, str]]]]:
        out: dict[Place, dict[str, list[tuple[str, str]]]] = {}
        for req in memo(site, "requests_by_domain", by_domain).get(domain, ()):
            for name, value in fields(req.url, req.post_data):
                out.setdefault(_place(req, name), {}).setdefault(req.phase, []).append((value, moment_of_row(req)))
        return out
    return memo(site, f"fields:{domain}", compute)


def sent_identifiers(site: SiteData, parties: Parties, req: Req) -> list[tuple[str, str, bool]]:
    """(field, identifier token, compared across profiles) of what ``req`` sends in its fields."""
    index = _index(site, parties, parties.of(site.id, req.host).domain)
    moment = moment_of_row(req)
    out = []
    for name, value in fields(req.url, req.post_data):
        seen = index.get(_place(req, name), {})
        here = [v for v, _ in seen.get(req.phase, ())]
        if len(here) > 1 and len(set(here)) == len(here):
            continue  # a new value in every request: not an identifier
        ids, compared = identifier_tokens(value, peers(seen, req.phase, moment), site.scan_time)
        out += [(name, token, compared) for token in ids]
    return out

"""Parsers for the downloadable lists: each turns one upstream format into opinions and cookies.

They run at ``lists update`` time; what they return is cached compiled (see :mod:`.cache`) so that
:meth:`Knowledge.load` only reads small JSON files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .domains import host_of, registrable_domain
from .facts import CookieInfo, Opinion, Registration
from .taxonomy import DDG_CATEGORIES, DISCONNECT_CATEGORIES, GHOSTERY_CATEGORIES, OCD_CATEGORIES

_HOST_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


@dataclass
class Parsed:
    """What one source contributes."""

    opinions: list[Opinion] = field(default_factory=list)
    cookies: list[CookieInfo] = field(default_factory=list)
    version: str | None = None  # when the file itself states one


def _map(labels: Iterable[str], table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    out: list[str] = []
    for label in labels:
        for cat in table.get(label.strip().lower(), ()):
            if cat not in out:
                out.append(cat)
    return tuple(out)


def _clean_host(name: str) -> str | None:
    host = host_of(name)
    return host if _HOST_RE.match(host) else None


def parse_ddg(text: str) -> Parsed:
    """DuckDuckGo Tracker Data Set (``extension-tds.json``): trackers with owner, parent, categories."""
    data = json.loads(text)
    out = Parsed()
    seen: set[str] = set()
    for key, tracker in data.get("trackers", {}).items():
        host = _clean_host(tracker.get("domain") or key)
        if not host:
            continue
        owner = tracker.get("owner") or {}
        out.opinions.append(
            Opinion(
                source="ddg",
                key=host,
                entity=owner.get("name") or None,
                parent=owner.get("ownedBy") or None,
                categories=_map(tracker.get("categories", ()), DDG_CATEGORIES),
                reference=f"trackers[{key!r}]",
            )
        )
        seen.add(host)
    parents = {t.get("owner", {}).get("name"): t.get("owner", {}).get("ownedBy") for t in data.get("trackers", {}).values()}
    for domain, entity in data.get("domains", {}).items():
        host = _clean_host(domain)
        if host and host not in seen:
            out.opinions.append(
                Opinion(source="ddg", key=host, entity=entity, parent=parents.get(entity), reference=f"domains[{domain!r}]")
            )
    return out


def parse_disconnect(services_text: str, entities_text: str | None = None) -> Parsed:
    """Disconnect tracking protection: ``services.json`` (categories) and ``entities.json`` (owners)."""
    services = json.loads(services_text)
    cats: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for category, entries in services.get("categories", {}).items():
        for entry in entries:
            for name, urls in entry.items():
                for domains in urls.values():
                    if not isinstance(domains, list):
                        continue  # flags such as "performance": "true"
                    for domain in domains:
                        host = _clean_host(domain)
                        if not host:
                            continue
                        owner.setdefault(host, name)
                        cats.setdefault(host, []).append(category)
    if entities_text:
        for name, ent in json.loads(entities_text).get("entities", {}).items():
            for domain in ent.get("resources", []) + ent.get("properties", []):
                host = _clean_host(domain)
                if host:
                    owner.setdefault(host, name)
    out = Parsed()
    for host, name in owner.items():
        out.opinions.append(
            Opinion(
                source="disconnect",
                key=host,
                entity=name,
                categories=_map(cats.get(host, ()), DISCONNECT_CATEGORIES),
                reference=f"{'/'.join(sorted(set(cats.get(host, [])))) or 'entities'}: {name}",
            )
        )
    return out


def parse_ghostery(text: str) -> Parsed:
    """Ghostery TrackerDB (``dist/trackerdb.json`` of the npm package)."""
    data = json.loads(text)
    orgs = data.get("organizations", {})
    patterns = data.get("patterns", {})
    out = Parsed()
    for domain, pattern_id in data.get("domains", {}).items():
        host = _clean_host(domain)
        pattern = patterns.get(pattern_id)
        if not host or not pattern:
            continue
        org = orgs.get(pattern.get("organization") or "", {})
        out.opinions.append(
            Opinion(
                source="ghostery",
                key=host,
                entity=org.get("name") or pattern.get("name"),
                categories=GHOSTERY_CATEGORIES.get(pattern.get("category", ""), ()),
                country=org.get("country") or None,
                reference=f"patterns[{pattern_id!r}] ({pattern.get('name')}, {pattern.get('category')})",
            )
        )
    return out


def parse_ocd(text: str) -> Parsed:
    """Open Cookie Database CSV: one known cookie per row; ``Wildcard match`` 1 means a name prefix.

    Prefix entries are stored as glob patterns (``_ga_`` -> ``_ga_*``), like the bundled table.
    """
    out = Parsed()
    for row in csv.DictReader(io.StringIO(text)):
        name = (row.get("Cookie / Data Key name") or "").strip()
        if not name:
            continue
        domain = (row.get("Domain") or "").strip().lstrip("*.").lower() or None
        prefix = (row.get("Wildcard match") or "0").strip() == "1"
        out.cookies.append(
            CookieInfo(
                name=name + "*" if prefix else name,
                platform=(row.get("Platform") or "").strip(),
                category=OCD_CATEGORIES.get((row.get("Category") or "").strip().lower(), "functional"),
                purpose=(row.get("Description") or "").strip(),
                lifetime=(row.get("Retention period") or "").strip(),
                source="ocd",
                domain=domain if domain and " " not in domain else None,
                pattern=prefix,
            )
        )
    return out


def _name_tokens(company: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9]+", company.lower()) if len(t) >= 4}


def parse_ca_registry(text: str) -> Parsed:
    """California data broker registry (The Markup's CSV): registered brokers and their web hosts.

    A registry row names the host of the broker's opt-out page. Pages hosted by a privacy vendor
    (OneTrust, TrustArc...) would make that vendor look like a broker, so the host is attached to
    the broker only when its registrable domain carries a word of the company name.
    """
    out = Parsed()
    for row in csv.DictReader(io.StringIO(text)):
        company = (row.get("company_name") or "").strip()
        hosts = {row.get("hostname_original") or "", host_of(row.get("url_final") or "")} - {""}
        for domain in {registrable_domain(h) for h in hosts}:
            if not company:
                continue
            label = domain.split(".")[0].replace("-", "")
            compact = re.sub(r"[^a-z0-9]", "", company.lower())
            if label not in compact and not any(t in label for t in _name_tokens(company)):
                continue
            out.opinions.append(
                Opinion(
                    source="ca-registry",
                    key=domain,
                    entity=company,
                    categories=("data-broker",),
                    broker=True,
                    registrations=(Registration("ca", row.get("order_original") or "?", company),),
                    reference=f"row {row.get('order_original')}: {company} ({row.get('hostname_original')})",
                )
            )
    return out


def parse_filter_list_version(text: str) -> str | None:
    """The ``! Version:`` header of an Adblock Plus style list."""
    m = re.search(r"^! Version:\s*(\S+)", text[:4000], re.MULTILINE)
    return m.group(1) if m else None

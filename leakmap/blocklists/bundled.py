"""The project's own bundled knowledge (Apache-2.0, offline): curated entity map and cookie table.

``data/entities/*.toml`` hold one ``[[entity]]`` table per owner company: ``name``, ``parent``,
``country`` (ISO 3166-1 alpha-2 of the headquarters), ``sources`` (where the facts come from), an
optional ``ca_registry`` (company name exactly as in the California data broker registry), ``aka``
(brand and former names), and one
key per taxonomy category listing the registrable domains used for that purpose. A domain listed
under several categories has all of them. ``data/cookies.csv`` is the known-cookie table; a name
with ``*`` is a glob pattern (``_ga_*``, ``mp_*_mixpanel``).
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .facts import CookieInfo, Opinion
from .taxonomy import ALL_CATEGORIES, check

SOURCE_ID = "leakmap"


@dataclass(frozen=True)
class Entity:
    """One owner company of the curated map."""

    name: str
    parent: str | None
    country: str
    sources: tuple[str, ...]
    domains: dict[str, tuple[str, ...]]  # domain -> categories
    ca_registry: str | None = None
    aka: tuple[str, ...] = ()  # brand and former names, to recognise the entity in other lists

    @property
    def categories(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for cats in self.domains.values():
            seen.update(dict.fromkeys(cats))
        return tuple(seen)

    @property
    def broker(self) -> bool:
        return "data-broker" in self.categories


@dataclass(frozen=True)
class Bundle:
    """Everything bundled, as loaded."""

    version: str
    entities: tuple[Entity, ...]
    cookies: tuple[CookieInfo, ...]

    def opinions(self) -> list[Opinion]:
        out = []
        for ent in self.entities:
            ref = ent.sources[0] if ent.sources else "leakmap curated"
            for domain, cats in ent.domains.items():
                out.append(
                    Opinion(SOURCE_ID, domain, ent.name, ent.parent, cats, ent.country,
                            "data-broker" in cats or ent.ca_registry is not None, ent.ca_registry, ref)
                )
        return out


def _data(name: str) -> str:
    return (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")


def _tables(files: dict[str, str]) -> list[dict]:
    out = []
    for fname, text in files.items():
        try:
            out.extend(tomllib.loads(text)["entity"])
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"entities/{fname}: {exc}") from exc
    return out


def parse_entities(files: dict[str, str]) -> tuple[Entity, ...]:
    """Parse and validate the entity files: known categories, ISO country, each domain owned once."""
    owners: dict[str, str] = {}
    entities = []
    for raw in _tables(files):
        name = raw["name"]
        domains: dict[str, list[str]] = {}
        for key, value in raw.items():
            if key in ALL_CATEGORIES:
                for domain in value:
                    domains.setdefault(domain, []).append(key)
            elif key not in ("name", "parent", "country", "sources", "ca_registry", "aka"):
                raise ValueError(f"entities: {name}: unknown key {key!r}")
        country = raw["country"]
        if len(country) != 2 or not country.isupper():
            raise ValueError(f"entities: {name}: country must be an ISO 3166-1 alpha-2 code")
        for domain in domains:
            if domain != domain.lower().strip() or "/" in domain or "." not in domain:
                raise ValueError(f"entities: {name}: bad domain {domain!r}")
            if domain in owners:
                raise ValueError(f"entities: {domain} listed by both {owners[domain]} and {name}")
            owners[domain] = name
        entities.append(
            Entity(name, raw.get("parent") or None, country, tuple(raw.get("sources", ())),
                   {d: check(c, f"entities: {name}: {d}") for d, c in domains.items()},
                   raw.get("ca_registry"), tuple(raw.get("aka", ())))
        )
    return tuple(entities)


def parse_cookies(text: str) -> tuple[CookieInfo, ...]:
    """Parse ``cookies.csv`` (name, platform, category, lifetime, purpose, domain)."""
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        name = row["name"].strip()
        cat = check([row["category"].strip()], f"cookies.csv: {name}")[0]
        out.append(
            CookieInfo(name=name, platform=row["platform"].strip(), category=cat,
                       purpose=row["purpose"].strip(), lifetime=row["lifetime"].strip(), source=SOURCE_ID,
                       domain=(row.get("domain") or "").strip() or None, pattern="*" in name)
        )
    return tuple(out)


@lru_cache(maxsize=1)
def load_bundle() -> Bundle:
    """The bundled data, parsed once per process."""
    folder = resources.files(__package__) / "data" / "entities"
    texts = {f.name: f.read_text(encoding="utf-8") for f in sorted(folder.iterdir(), key=lambda f: f.name)
             if f.name.endswith(".toml")}
    version = tomllib.loads(_data("meta.toml"))["version"]
    return Bundle(version, parse_entities(texts), parse_cookies(_data("cookies.csv")))

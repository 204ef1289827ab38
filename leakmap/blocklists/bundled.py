"""The project's own bundled knowledge (Apache-2.0, offline): curated entity map and cookie table.

``data/entities/*.toml`` hold one ``[[entity]]`` table per owner company:

- ``name``, ``parent`` (the ultimate owner, if any), ``aka`` (brand and former names, to recognise
  the entity in other lists);
- ``country``: ISO 3166-1 alpha-2 of the headquarters, left out when no source states it;
- ``sources``: where the facts come from (the company's own pages, registry entries), required;
- ``registries``: the company's data broker registrations, each ``{registry, id, name}`` with
  ``registry`` one of :data:`~leakmap.blocklists.facts.REGISTRIES` and ``name`` exactly as registered;
- one key per taxonomy category listing the registrable domains (or hosts) used for that purpose.
  A domain listed under several categories has all of them.

A domain *collects for a data broker* (``broker``) when it is listed as ``data-broker``, or when
the entity is a registered broker and the domain is one of its tracking domains: a registered
company's CDN, consent, forms or hosting domains are never brokers. ``data/cookies.csv`` is the
known-cookie table; a name with ``*`` is a glob pattern (``_ga_*``, ``mp_*_mixpanel``).
``data/measurement.toml`` holds the conditions under which audience measurement needs no consent
(``[exemption]``) and the services that document measuring without cookies, storage or
identifiers (``[[service]]``: ``name``, ``domains`` listed by some entity, ``configuration``,
``behaviour``, ``sources``).
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .facts import REGISTRIES, CookieInfo, Exemption, MeasurementService, Opinion, Registration
from .taxonomy import ALL_CATEGORIES, TRACKING_CATEGORIES, check

SOURCE_ID = "leakmap"
# what never collects for a registered company, whatever ``collects`` says: the site's plumbing
_INFRASTRUCTURE = frozenset({"cdn", "hosting", "consent-management", "necessary"})


@dataclass(frozen=True)
class Entity:
    """One owner company of the curated map."""

    name: str
    parent: str | None
    country: str | None
    sources: tuple[str, ...]
    domains: dict[str, tuple[str, ...]]  # domain -> categories
    registrations: tuple[Registration, ...] = ()
    aka: tuple[str, ...] = ()  # brand and former names, to recognise the entity in other lists
    collecting: tuple[str, ...] = ()  # ``collects``: domains that collect for the registered company

    @property
    def categories(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for cats in self.domains.values():
            seen.update(dict.fromkeys(cats))
        return tuple(seen)

    def collects(self, domain: str) -> bool:
        """The domain collects for a data broker (see the module docstring)."""
        cats = self.domains[domain]
        return "data-broker" in cats or (bool(self.registrations) and (
            domain in self.collecting or any(c in TRACKING_CATEGORIES for c in cats)))

    @property
    def broker(self) -> bool:
        return any(self.collects(d) for d in self.domains)

    def registered(self, registry: str) -> tuple[Registration, ...]:
        return tuple(r for r in self.registrations if r.registry == registry)


@dataclass(frozen=True)
class Bundle:
    """Everything bundled, as loaded."""

    version: str
    entities: tuple[Entity, ...]
    cookies: tuple[CookieInfo, ...]
    measurement: tuple[MeasurementService, ...] = ()
    exemption: Exemption | None = None

    def opinions(self) -> list[Opinion]:
        out = []
        for ent in self.entities:
            ref = ent.sources[0] if ent.sources else "leakmap curated"
            for domain, cats in ent.domains.items():
                collects = ent.collects(domain)
                out.append(Opinion(SOURCE_ID, domain, ent.name, ent.parent, cats, ent.country, collects,
                                   ent.registrations if collects else (), ref))
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
            elif key not in ("name", "parent", "country", "sources", "registries", "aka", "collects"):
                raise ValueError(f"entities: {name}: unknown key {key!r}")
        country = raw.get("country")
        if country is not None and (len(country) != 2 or not country.isupper()):
            raise ValueError(f"entities: {name}: country must be an ISO 3166-1 alpha-2 code")
        if not raw.get("sources"):
            raise ValueError(f"entities: {name}: sources (where the facts come from) are required")
        for domain in domains:
            if domain != domain.lower().strip() or "/" in domain or "." not in domain:
                raise ValueError(f"entities: {name}: bad domain {domain!r}")
            if domain in owners:
                raise ValueError(f"entities: {domain} listed by both {owners[domain]} and {name}")
            owners[domain] = name
        registrations = _registrations(name, raw.get("registries", ()))
        collecting = tuple(raw.get("collects", ()))
        if collecting and not registrations:
            raise ValueError(f"entities: {name}: collects names the hosts of a registered data broker; it has no registries")
        infrastructure = [d for d in collecting if d not in domains or set(domains[d]) <= _INFRASTRUCTURE]
        if infrastructure:
            raise ValueError(f"entities: {name}: collects must name its own domains listed for a purpose other than "
                             f"CDN, hosting, consent or necessary: {infrastructure}")
        entities.append(
            Entity(name, raw.get("parent") or None, country, tuple(raw["sources"]),
                   {d: check(c, f"entities: {name}: {d}") for d, c in domains.items()},
                   registrations, tuple(raw.get("aka", ())), collecting)
        )
    return tuple(entities)


def _registrations(entity: str, raw: list[dict]) -> tuple[Registration, ...]:
    out = []
    for reg in raw:
        if set(reg) != {"registry", "id", "name"} or reg["registry"] not in REGISTRIES or not reg["id"] or not reg["name"]:
            raise ValueError(f"entities: {entity}: a registration is {{registry, id, name}} with registry one of "
                             f"{sorted(REGISTRIES)}, got {reg!r}")
        out.append(Registration(reg["registry"], str(reg["id"]), reg["name"]))
    return tuple(out)


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


def parse_measurement(text: str, entities: tuple[Entity, ...]) -> tuple[Exemption, tuple[MeasurementService, ...]]:
    """Parse ``measurement.toml``: every service cites sources and names domains some entity lists."""
    raw = tomllib.loads(text)
    listed = {d for e in entities for d in e.domains}
    ex = raw["exemption"]
    exemption = Exemption(ex["authority"], ex["title"], tuple(ex["sources"]), tuple(ex["checked"]),
                          tuple(ex["conditions"]))
    services = []
    for svc in raw.get("service", ()):
        if set(svc) != {"name", "domains", "configuration", "behaviour", "sources"} or not svc["sources"]:
            raise ValueError(f"measurement.toml: {svc.get('name')}: a service is name, domains, configuration, "
                             "behaviour and sources")
        unknown = [d for d in svc["domains"] if d not in listed]
        if unknown:
            raise ValueError(f"measurement.toml: {svc['name']}: domains {unknown} are listed by no entity")
        services.append(MeasurementService(svc["name"], tuple(svc["domains"]), svc["configuration"], svc["behaviour"],
                                           tuple(svc["sources"])))
    return exemption, tuple(services)


@lru_cache(maxsize=1)
def load_bundle() -> Bundle:
    """The bundled data, parsed once per process."""
    folder = resources.files(__package__) / "data" / "entities"
    texts = {f.name: f.read_text(encoding="utf-8") for f in sorted(folder.iterdir(), key=lambda f: f.name)
             if f.name.endswith(".toml")}
    version = tomllib.loads(_data("meta.toml"))["version"]
    entities = parse_entities(texts)
    exemption, measurement = parse_measurement(_data("measurement.toml"), entities)
    return Bundle(version, entities, parse_cookies(_data("cookies.csv")), measurement, exemption)

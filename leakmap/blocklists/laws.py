"""The law a scan is judged under, and vendors' documented service-provider modes.

Both are curated data (``data/laws.toml``, ``data/service-modes.toml``), not code: which US states
oblige a business to honour Global Privacy Control and since when, the GPP section each state
has, the statute a finding cites, the texts a page shows when it displays the signal's status,
and the request parameters by which a vendor is told to act as a service provider.

A :class:`Jurisdiction` is what ``--jurisdiction`` chose: ``eu`` (the EU consent rules), ``us``
(every US state below with an opt-out signal duty), or single states (``us-ca``, ...), combined
with commas. The default is ``eu,us``. A state's duty counts from its ``signal_since`` date on,
compared with the scan's start.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

EU, US = "eu", "us"
DEFAULT = (EU, US)
US_NATIONAL = "usnat"  # the GPP national section, judged with any US state in scope
US_PRIVACY = "uspv1"  # the US Privacy string: the IAB's CCPA framework, California's signal
CALIFORNIA = "us-ca"
DUTIES = ("opt-out-signal", "signal-display", "opt-out-link")


class JurisdictionError(ValueError):
    """A --jurisdiction value (or the policy's) names no known law; the message lists them."""


@dataclass(frozen=True)
class Citation:
    cite: str
    url: str
    since: date | None = None

    def in_force(self, at: date) -> bool:
        return self.since is None or self.since <= at

    def as_dict(self) -> dict[str, Any]:
        return {"cite": self.cite, "url": self.url, **({"since": self.since.isoformat()} if self.since else {})}


@dataclass(frozen=True)
class Law:
    id: str
    name: str
    act: str
    gpp_section: str | None = None
    signal_since: date | None = None  # when its opt-out preference signal duty began (None: it has none)
    statutes: dict[str, tuple[Citation, ...]] = field(default_factory=dict)
    display_texts: tuple[str, ...] = ()
    link_texts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def us(self) -> bool:
        return self.id.startswith("us-")

    def signal_duty(self, at: date) -> bool:
        """The law obliges businesses to honour opt-out preference signals on that day."""
        return self.signal_since is not None and self.signal_since <= at

    def cites(self, duty: str, at: date) -> list[dict[str, Any]]:
        """The citations of one duty in force on that day, each with the law it belongs to."""
        return [{"jurisdiction": self.id, "law": self.act, **c.as_dict()}
                for c in self.statutes.get(duty, ()) if c.in_force(at)]


def _day(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: not a date (YYYY-MM-DD): {value!r}") from None


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads((resources.files(__package__) / "data" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def laws() -> dict[str, Law]:
    """Every law of ``data/laws.toml``, by id."""
    out: dict[str, Law] = {}
    for raw in _read("laws.toml")["law"]:
        where = f"laws.toml: {raw.get('id')}"
        statutes = {}
        for duty, cites in (raw.get("statutes") or {}).items():
            if duty not in DUTIES:
                raise ValueError(f"{where}: unknown duty {duty!r} (known: {', '.join(DUTIES)})")
            statutes[duty] = tuple(Citation(c["cite"], c["url"], _day(c.get("since"), where)) for c in cites)
        law = Law(raw["id"], raw["name"], raw["act"], raw.get("gpp_section"), _day(raw.get("signal_since"), where),
                  statutes, tuple(t.lower() for t in raw.get("display_texts", ())),
                  tuple(t.lower() for t in raw.get("link_texts", ())), tuple(raw.get("sources", ())))
        if law.id in out or law.id == US:
            raise ValueError(f"{where}: duplicate or reserved id")
        if law.signal_since and not law.statutes.get("opt-out-signal"):
            raise ValueError(f"{where}: a signal duty needs the statute that imposes it (statutes.opt-out-signal)")
        out[law.id] = law
    return out


@dataclass(frozen=True)
class Jurisdiction:
    """The laws chosen for a scan (``ids``: as given, ``us`` expanded at judging time by date)."""

    ids: tuple[str, ...] = DEFAULT

    @property
    def eu(self) -> bool:
        return EU in self.ids

    @property
    def us_opt_out(self) -> bool:
        """Some law in scope makes (or will make) Global Privacy Control a binding opt-out: the GPC
        rules apply (each judges the duties in force on the scan's day)."""
        known = laws()
        return US in self.ids or any(i in known and known[i].signal_since is not None for i in self.ids)

    def us_laws(self, at: date) -> list[Law]:
        """The US laws in scope that oblige businesses to honour GPC on that day."""
        chosen = [law for law in laws().values() if law.us and (US in self.ids or law.id in self.ids)]
        return [law for law in chosen if law.signal_duty(at)]

    def sections(self, at: date) -> dict[str, list[Law]]:
        """GPP section -> the laws in scope it speaks for (``usnat``: all of them; ``uspv1``: California)."""
        judged = self.us_laws(at)
        out: dict[str, list[Law]] = {US_NATIONAL: judged} if judged else {}
        for law in judged:
            if law.gpp_section:
                out.setdefault(law.gpp_section, []).append(law)
            if law.id == CALIFORNIA:
                out[US_PRIVACY] = [law]
        return out

    def describe(self) -> str:
        return ",".join(self.ids)


def parse_jurisdiction(value: str | list[str] | tuple[str, ...] | None) -> Jurisdiction:
    """``eu,us-ca`` (or a list) -> a Jurisdiction; unknown ids are an error naming the known ones."""
    if value is None:
        return Jurisdiction()
    parts = [p.strip().lower() for p in (value.split(",") if isinstance(value, str) else value)]
    parts = [p for p in parts if p]
    known = [US, *laws()]
    bad = [p for p in parts if p not in known]
    if bad or not parts:
        hint = difflib.get_close_matches(bad[0], known, n=1) if bad else []
        raise JurisdictionError(f"unknown jurisdiction {', '.join(bad) or repr(value)}"
                                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                + f"; choose among {', '.join(known)} (comma-separated)")
    return Jurisdiction(tuple(dict.fromkeys(parts)))


def scan_day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, UTC).date()


# -- service-provider modes ------------------------------------------------------------------


@dataclass(frozen=True)
class ModeParam:
    name: str
    values: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = None

    def matches(self, value: str) -> bool:
        v = value.strip()
        return v.lower() in self.values or bool(self.pattern and self.pattern.search(v))


@dataclass(frozen=True)
class ServiceMode:
    vendor: str
    name: str
    domains: frozenset[str]
    params: tuple[ModeParam, ...]
    detail: tuple[str, ...] = ()
    states: tuple[str, ...] = ()  # law ids it applies to (empty: every US state)
    sources: tuple[str, ...] = ()

    def covers(self, law_id: str) -> bool:
        return not self.states or law_id in self.states


@lru_cache(maxsize=1)
def service_modes() -> tuple[ServiceMode, ...]:
    """Every mode of ``data/service-modes.toml``."""
    out = []
    known = laws()
    for raw in _read("service-modes.toml")["mode"]:
        where = f"service-modes.toml: {raw.get('vendor')} {raw.get('name')}"
        params = []
        for p in raw["params"]:
            if not p.get("values") and not p.get("pattern"):
                raise ValueError(f"{where}: parameter {p['name']} needs values or a pattern")
            params.append(ModeParam(p["name"], frozenset(v.lower() for v in p.get("values", ())),
                                    re.compile(p["pattern"], re.I) if p.get("pattern") else None))
        states = tuple(raw.get("states", ()))
        if any(s not in known for s in states) or not raw.get("sources"):
            raise ValueError(f"{where}: states must be law ids of laws.toml, and sources are required")
        out.append(ServiceMode(raw["vendor"], raw["name"], frozenset(raw["domains"]), tuple(params),
                               tuple(raw.get("detail", ())), states, tuple(raw["sources"])))
    return tuple(out)

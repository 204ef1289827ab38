"""Small stores of crafted evidence for the analysis tests, written through ``Store.save_visit``
like the crawler writes them, so the rules are tested on what they will really read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from leakmap import records as r
from leakmap.analysis import run
from leakmap.blocklists import Knowledge
from leakmap.blocklists.domains import registrable_domain
from leakmap.phases import phase as phase_of
from leakmap.store import Store

T0 = 1_790_000_000.0  # scan start
CLICK = 10.0  # seconds after a phase's first visit starts when its consent action happens
DAY = 86400


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    return Knowledge.load()


def request(url: str, at: float, **kw: Any) -> r.RequestRecord:
    """A request ``at`` seconds into its phase."""
    rec = r.RequestRecord(url=url, host=urlsplit(url).hostname or "", time=at, **kw)
    rec.resource_type = rec.resource_type or "Script"
    return rec


def cookie(name: str, value: str, at: float, *, host: str, domain: str | None = None, lifetime: float | None = 400 * DAY,
           origin: str = "http", script_url: str | None = None, url: str | None = None, **kw: Any) -> r.CookieRecord:
    """A cookie write ``at`` seconds into its phase (``url``: the response that set it, default the host's root)."""
    raw = f"{name}={value}" + (f"; Domain={domain}" if domain else "") + (
        f"; Max-Age={int(lifetime)}" if lifetime is not None else "")
    return r.CookieRecord(name=name, value=value, time=at, host=host, url=url or f"https://{host}/", domain=domain,
                          lifetime=lifetime, max_age=int(lifetime) if lifetime is not None else None, origin=origin,
                          script_url=script_url, raw=raw, **kw)


def jar(name: str, value: str, at: float, *, domain: str, moment: str = "end", lifetime: float = 400 * DAY) -> r.JarCookie:
    return r.JarCookie(name=name, value=value, time=at, domain=domain, moment=moment, expires=at + lifetime)


@dataclass
class Phase:
    """One phase's visits: evidence times are seconds from the phase start."""

    name: str
    start: float
    consent_time: float | None = None
    later: list[float] = field(default_factory=list)  # times of the phase's later actions (withdraw)


@dataclass
class StoreBuilder:
    path: Path
    start_url: str = "https://www.maison-exemple.fr/"
    config: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.store = Store(self.path)
        self.scan_id = self.store.begin_scan(r.Scan(started_at=T0, config=self.config))
        self.site_id = self.store.add_site(r.Site(scan_id=self.scan_id, start_url=self.start_url,
                                                  domain=registrable_domain(self.start_url)))
        self.phases: dict[str, Phase] = {}

    def phase(self, name: str, offset: float = 0.0) -> Phase:
        if name not in self.phases:
            self.phases[name] = Phase(name, T0 + offset + 100 * len(self.phases))
        return self.phases[name]

    def consent(self, phase: str, *, verified: bool = True, clicked: bool = True, banner: bool = True,
                details: dict[str, Any] | None = None, steps: int = 1, error: str | None = None) -> None:
        p = self.phase(phase)
        when = p.start + CLICK if clicked else None
        p.consent_time = when
        self.store.add(r.ConsentRecord(site_id=self.site_id, phase=phase, time=when, method="heuristic",
                                       action=phase_of(phase).action or "none", banner_found=banner,
                                       success=clicked, verified=verified, steps=steps if clicked else 0,
                                       details=details or {}, error=error))

    def later(self, phase: str, *, at: float, action: str = "withdraw", done: bool = True, verified: bool = True,
              steps: int = 2, details: dict[str, Any] | None = None, error: str | None = None,
              banner: bool = True) -> None:
        """A later consent action of the phase (a second consent row), ``at`` seconds into the phase;
        ``done``: it happened (its time is recorded and the rows after it are stamped after it)."""
        p = self.phase(phase)
        when = p.start + at if done else None
        if when is not None:
            p.later.append(when)
        self.store.add(r.ConsentRecord(site_id=self.site_id, phase=phase, time=when, method="link+heuristic",
                                       action=action, banner_found=banner, success=done, verified=verified and done,
                                       steps=steps if done else 0, details=details or {}, error=error))

    def visit(self, phase: str, evidence: list[Any], seq: int = 0, url: str | None = None) -> int:
        """Store a visit; evidence ``time`` fields are seconds into the phase."""
        p = self.phase(phase)
        for e in evidence:
            e.time = p.start + e.time
            if hasattr(e, "phase"):
                e.phase = phase
            if isinstance(e, r.JarCookie) and e.expires is not None:
                e.expires = p.start + e.expires
            if isinstance(e, r.Evidence):
                e.stamp(p.consent_time, p.later)
        page = url or (self.start_url if seq == 0 else f"{self.start_url}page-{seq}.html")
        visit = r.Visit(site_id=self.site_id, phase=phase, seq=seq, url=page, is_landing=seq == 0, started_at=p.start,
                        consent_time=p.consent_time)
        return self.store.save_visit(visit, evidence)

    def findings(self, rule: str | None = None) -> list[r.Finding]:
        result = run(self.store, self.scan_id, knowledge(), rules=[rule] if rule else None)
        assert not result.failures, result.failures
        return result.findings



def store_fixture():
    """``b = store_fixture()`` in a test module: a fixture ``b``, a fresh store with one site
    (``https://www.maison-exemple.fr/``), closed after the test."""

    @pytest.fixture(name="b")
    def fixture(tmp_path: Path) -> Iterator[StoreBuilder]:
        builder = StoreBuilder(tmp_path / "leakmap.db")
        yield builder
        builder.store.close()

    return fixture

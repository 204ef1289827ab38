"""Comparing what the test web's server received with what a scan stored (tests and bench)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from leakmap.tests.web.server import LogEntry


def browser_service(entry: LogEntry) -> bool:
    """Chromium's own calls (account list, component updates), made outside any page."""
    h = entry.headers
    return "x-goog-update-appid" in h or (h.get("sec-fetch-site") == "none" and h.get("sec-fetch-dest") == "empty")


def audited(entries: Iterable[LogEntry]) -> list[LogEntry]:
    """The requests a scan should have recorded: not the browser's own, not leakmap's discovery
    fetches (robots.txt, sitemaps, which identify themselves), not CORS preflights."""
    return [e for e in entries if not browser_service(e) and e.method != "OPTIONS"
            and "leakmap-discovery" not in e.headers.get("user-agent", "")]


@dataclass
class Capture:
    total: int = 0
    missing: list[str] = field(default_factory=list)  # served, stored by no visit running then
    misplaced: list[str] = field(default_factory=list)  # stored, but on the wrong side of the phase's consent click

    @property
    def ratio(self) -> float:
        return (self.total - len(self.missing) - len(self.misplaced)) / self.total if self.total else 0.0


@dataclass
class _Row:
    """A stored request as the comparison needs it: its visit's time window and its consent stamp."""

    start: float
    end: float
    consent_time: float | None
    before: bool

    def running(self, at: float, slack: float) -> bool:
        return self.start - slack <= at <= self.end + slack

    def stamped_right(self, at: float, slack: float) -> bool:
        """The server's time of arrival does not contradict the row's before/after-consent stamp
        (a request leaves before it arrives, so only a clear contradiction counts)."""
        if self.consent_time is None:
            return self.before
        if self.before:
            return at <= self.consent_time + slack
        return at >= self.consent_time - slack


def compare(db_path: Path, served: Iterable[LogEntry], slack: float = 0.5) -> Capture:
    """Each request the server received must be stored once (counted per method and URL: one sent
    twice is two rows), by a visit that was running when the server got it, and stamped before or
    after that phase's consent action as the server's clock allows."""
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    visits = {v["id"]: (v["started_at"], v["ended_at"] or 0, v["consent_time"])
              for v in db.execute("select id, started_at, ended_at, consent_time from visits")}
    stored: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for r in db.execute("select url, method, visit_id, before_consent from requests"):  # the server logs ws upgrades as ws(s)://
        start, end, consent_time = visits[r["visit_id"]]
        stored[(r["method"], r["url"])].append(_Row(start, end, consent_time, bool(r["before_consent"])))
    db.close()
    result = Capture()
    for entry in sorted(audited(served), key=lambda e: e.time):
        result.total += 1
        rows = [row for row in stored.get((entry.method, entry.url), []) if row.running(entry.time, slack)]
        right = [row for row in rows if row.stamped_right(entry.time, slack)]
        if right:  # the row whose visit ends first: a later request may still need the others
            stored[(entry.method, entry.url)].remove(min(right, key=lambda row: row.end))
        elif rows:
            result.misplaced.append(entry.url)
        else:
            result.missing.append(entry.url)
    return result

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
    missing: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return (self.total - len(self.missing)) / self.total if self.total else 0.0


def compare(db_path: Path, served: Iterable[LogEntry], slack: float = 0.5) -> Capture:
    """Each served request must be stored once, in a visit that was running when the server got it."""
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    visits = {v["id"]: (v["started_at"], v["ended_at"] or 0) for v in db.execute("select id, started_at, ended_at from visits")}
    stored: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in db.execute("select url, method, visit_id from requests"):  # the server logs ws upgrades as ws(s)://
        stored[(r["url"], r["method"])].append(visits[r["visit_id"]])
    db.close()
    result = Capture()
    for entry in audited(served):
        result.total += 1
        candidates = stored.get((entry.url, entry.method), [])
        match = next((w for w in candidates if w[0] - slack <= entry.time <= w[1] + slack), None)
        if match is None:
            result.missing.append(entry.url)
        else:
            candidates.remove(match)
    return result

"""Comparing what the test web's server received with what a scan stored (tests and bench)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.web.server import LogEntry


def browser_service(entry: LogEntry) -> bool:
    """Chromium's own calls (account list, component updates), made outside any page."""
    h = entry.headers
    return "x-goog-update-appid" in h or (h.get("sec-fetch-site") == "none" and h.get("sec-fetch-dest") == "empty")


def audited(entries: Iterable[LogEntry]) -> list[LogEntry]:
    """The requests a scan should have recorded: not the browser's own, not leakmap's discovery
    fetches (robots.txt, sitemaps, which identify themselves), not CORS preflights."""
    return [e for e in entries if not browser_service(e) and e.method != "OPTIONS"
            and "leakmap-discovery" not in e.headers.get("user-agent", "")]


def update_check(entry: LogEntry) -> bool:
    """The browser fetching a service worker's script (``Service-Worker: script``): on install, which
    DevTools reports, or to check an installed worker for an update after a page it controls
    loaded, which Chromium never reports to DevTools (crbug.com/40767578: the update checker's
    loader has no DevTools instrumentation)."""
    return entry.headers.get("service-worker") == "script"


@dataclass
class Capture:
    total: int = 0
    missing: list[str] = field(default_factory=list)  # served, stored by no visit running then
    misplaced: list[str] = field(default_factory=list)  # stored with a time after the server got it
    # the browser's update checks of a service worker script stored when it was installed: no
    # DevTools event exists for them, so they are named, not counted
    unobservable: list[str] = field(default_factory=list)
    # requests the scan itself named as not recorded (a ``capture-gap`` error naming the URL, on a visit
    # running then): a window's first request Chromium reported to no session. Named, not counted
    declared: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return (self.total - len(self.missing) - len(self.misplaced)) / self.total if self.total else 0.0


@dataclass
class _Row:
    """A stored request as the comparison needs it: its visit's time window and its own time."""

    start: float
    end: float
    time: float  # the time it is stamped with (before/after consent and t_consent follow from it)

    def running(self, at: float, slack: float) -> bool:
        return self.start - slack <= at <= self.end + slack

    def sent_by(self, at: float, slack: float) -> bool:
        """A request leaves before the server receives it (late arrivals are normal: queued,
        slowed down, or a beacon finishing after its page closed)."""
        return self.time <= at + slack


def compare(db_path: Path, served: Iterable[LogEntry], slack: float = 0.5) -> Capture:
    """Each request the server received must be stored once (counted per method and URL: one sent
    twice is two rows), by a visit that was running when the server got it, with a time (from which
    its phase's before/after-consent stamp follows) that is not after the server got it. A service
    worker script fetched again after its install was stored is an update check, which no
    DevTools event reports: it is listed as unobservable, out of the count. A request the scan
    itself named as not recorded (a ``capture-gap`` error with its URL, on a visit running then)
    is listed as declared, out of the count, once per such error."""
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    visits = {v["id"]: (v["started_at"], v["ended_at"] or 0, (v["site_id"], v["phase"]))
              for v in db.execute("select id, started_at, ended_at, site_id, phase from visits")}
    stored: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    installed: dict[tuple[tuple[int, str], str], float] = {}  # (profile, url) -> first stored time
    for r in db.execute("select url, method, visit_id, time from requests"):  # the server logs ws upgrades as ws(s)://
        start, end, profile = visits[r["visit_id"]]
        stored[(r["method"], r["url"])].append(_Row(start, end, r["time"]))
        installed[(profile, r["url"])] = min(r["time"], installed.get((profile, r["url"]), r["time"]))
    gaps: dict[str, list[tuple[float, float]]] = defaultdict(list)  # url -> windows of the visits that named it
    for g in db.execute("select url, visit_id from errors where kind = 'capture-gap' and url is not null"):
        start, end, _ = visits[g["visit_id"]]
        gaps[g["url"]].append((start, end))
    db.close()
    result = Capture()
    for entry in sorted(audited(served), key=lambda e: e.time):
        rows = [row for row in stored.get((entry.method, entry.url), []) if row.running(entry.time, slack)]
        profiles = {profile for start, end, profile in visits.values() if start - slack <= entry.time <= end + slack}
        if not rows and update_check(entry) and any(
                installed.get((p, entry.url), entry.time) < entry.time for p in profiles):
            result.unobservable.append(entry.url)
            continue
        result.total += 1
        right = [row for row in rows if row.sent_by(entry.time, slack)]
        if right:  # the row whose visit ends first: a later request may still need the others
            stored[(entry.method, entry.url)].remove(min(right, key=lambda row: (row.end, row.time)))
            continue
        named = next((g for g in gaps.get(entry.url, []) if g[0] - slack <= entry.time <= g[1] + slack), None)
        if named is not None:  # one request of that URL the visit said it could not record
            gaps[entry.url].remove(named)
            result.declared.append(entry.url)
            result.total -= 1
        elif rows:
            result.misplaced.append(entry.url)
        else:
            result.missing.append(entry.url)
    return result

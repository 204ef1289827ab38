"""The site's consent record: where its consent platform keeps the visitor's choice.

Whoever serves the platform (one the lists know or not, a frame of another site, the publisher
group's consent domain a click redirects through), its record is found by what the deciding
action did. The consent step takes a snapshot of the profile's cookie jar before and after each
action (``cookie_jar`` moments ``before-consent``/``after-consent``, ``before-withdraw``/
``after-withdraw``); the cookie and storage writes between the two, and the cookies whose value
changed from one to the other, are what the action wrote. A place (cookie, storage key) written
so by profiles that made different choices ("accept all" in one, "reject all" or a withdrawal in
another) whose values differ in their words (``accept``/``reject``,
``"ads":true``/``"ads":false``: :func:`~leakmap.analysis.identifiers.choice_difference`) stores
the choice; so does every other place the same script or response wrote at the actions of those
profiles (a consent id kept beside the choice). What the record holds is consent state: never an
identifier, never a tracking cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leakmap.analysis.data import SiteData, memo
from leakmap.analysis.identifiers import choice_difference
from leakmap.analysis.rules.writes import refused

SETTLE = 5.0  # seconds after the deciding click an action's writes are taken from, when no snapshot follows it

Place = tuple[str, str, str]  # ("cookie", name, domain) or ("local" / "session", key, origin)


def cookie_place(name: str, domain_key: str) -> Place:
    return ("cookie", name, domain_key)


def storage_place(kind: str, key: str | None, origin: str) -> Place:
    return (kind, key or "", origin)


@dataclass
class _Action:
    """What one consent action of a phase wrote: place -> (value, writer)."""

    choice: str  # "accept" or "refuse"
    wrote: dict[Place, tuple[str, str | None]] = field(default_factory=dict)


def choice_places(site: SiteData) -> frozenset[Place]:
    """The places the site's consent record is kept in."""
    return memo(site, "consent_record", lambda: _record(site))


def _snapshot_time(site: SiteData, phase: str, moment: str) -> float | None:
    times = [j.time for j in site.jar if j.phase == phase and j.moment == moment]
    return min(times) if times else None


def _actions(site: SiteData) -> list[_Action]:
    out = []
    for phase, rows in site.actions.items():
        for i, row in enumerate(rows):
            if row.time is None or row.action not in ("accept", "reject", "withdraw"):
                continue
            name = "consent" if i == 0 else row.action
            start = _snapshot_time(site, phase, f"before-{name}") or row.details.get("action_started") or row.time
            end = _snapshot_time(site, phase, f"after-{name}") or row.time + SETTLE
            action = _Action("accept" if row.action == "accept" else "refuse")
            for w in site.cookies:
                if w.phase == phase and start <= w.time <= end and not refused(w):
                    action.wrote[cookie_place(w.name, w.domain_key)] = (w.value, w.script_url if w.origin == "js" else w.url)
            for s in site.storage:
                if s.phase == phase and start <= s.time <= end:
                    action.wrote[storage_place(s.kind, s.key, s.origin)] = (s.value or "", s.script_url)
            before = {(j.name, j.domain_key): j.value for j in site.jar if j.phase == phase and j.moment == f"before-{name}"}
            for j in site.jar:
                if j.phase == phase and j.moment == f"after-{name}" and before.get((j.name, j.domain_key)) != j.value:
                    action.wrote.setdefault(cookie_place(j.name, j.domain_key), (j.value, None))
            out.append(action)
    return out


def _record(site: SiteData) -> frozenset[Place]:
    actions = _actions(site)
    if len({a.choice for a in actions}) < 2:
        return frozenset()  # one choice only: nothing shows what depends on it
    values: dict[Place, dict[str, list[str]]] = {}
    for a in actions:
        for place, (value, _) in a.wrote.items():
            values.setdefault(place, {}).setdefault(a.choice, []).append(value)
    record = {place for place, by_choice in values.items()
              if any(choice_difference(x, y) for x in by_choice.get("accept", ()) for y in by_choice.get("refuse", ()))}
    writers = {w for a in actions for place, (_, w) in a.wrote.items() if place in record and w}
    for place, by_choice in values.items():
        if len(by_choice) > 1 and all(a.wrote[place][1] in writers for a in actions if place in a.wrote):
            record.add(place)
    return frozenset(record)

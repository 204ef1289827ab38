"""Checking a consent action by its effect, and timing it at its deciding step.

An action is verified when the banner's buttons are gone and a consent record (cookie or
storage) changed; autoconsent's own self-test must not fail. Its moment is its deciding click,
and every step a visitor took for it is kept with its time (``steps_seen``): the clicks seen in
the page (every frame), the key presses that closed a pop-up, the navigations to the page where
a withdrawal's control was found.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from leakmap.crawler import pace
from leakmap.crawler.collectors.clicks import ClickCollector
from leakmap.crawler.consent.engine import AutoconsentEngine
from leakmap.crawler.consent.heuristic import first_layer
from leakmap.records import ConsentRecord

_STORAGE_JS = "() => { try { return Object.assign({}, localStorage); } catch (e) { return {}; } }"


async def consent_state(page: Page) -> dict[str, str]:
    """Cookies of the profile and the main frame's localStorage: where a consent choice is kept."""
    state = {f"cookie:{c['domain']}:{c['name']}": c["value"] for c in await page.context.cookies()}
    try:
        state.update({f"local:{k}": v for k, v in (await page.evaluate(_STORAGE_JS)).items()})
    except PlaywrightError:
        pass
    return state


async def banner_gone(page: Page, within: float = 2.0) -> bool:
    """Banners often leave with an animation: give them a moment (longer on a busy machine)."""
    deadline = time.monotonic() + pace.stretch(within)
    while True:
        layer = await first_layer(page)
        if not (layer["accept"] or layer["reject"]):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.2)


async def verify(page: Page, before: dict[str, str], engine: AutoconsentEngine | None) -> dict[str, Any]:
    gone = await banner_gone(page)
    after = await consent_state(page)
    changed = sorted(k for k in {**before, **after} if before.get(k) != after.get(k))
    verdict: dict[str, Any] = {
        "banner_gone": gone,
        "changed": changed[:50],
        "stored_choice": {k: after.get(k, "")[:300] for k in changed[:20]},
    }
    if engine is not None:
        verdict["self_test"] = await engine.self_test(3)
    verdict["verified"] = verdict["banner_gone"] and bool(changed) and verdict.get("self_test") is not False
    return verdict


def decide(record: ConsentRecord, click_log: ClickCollector, started: float, decision: tuple[float, float],
           api_answer: bool, other_steps: Sequence[dict[str, Any]] = (),
           aside: Sequence[tuple[float, float]] = ()) -> None:
    """Time the choice at its deciding step. ``decision`` is the window of the first means that made
    a choice (autoconsent's steps, or leakmap's own clicks): its last click decided. A second means
    answering a second CMP on the page decides for that CMP only, so the first choice stands.
    Without a click in the window (``api_answer``: autoconsent answered the CMP through its API),
    the window's end is the moment. ``other_steps`` (key presses, navigations) are steps beside the
    clicks; clicks within ``aside`` (candidates tried that did nothing) are not steps."""
    def kept(c) -> bool:
        return not any(a <= c.time <= b for a, b in aside)

    record.details["action_started"] = started
    seen = [c.as_dict() for c in click_log.between(started - 0.5, time.time()) if kept(c)]
    record.details["steps_seen"] = sorted([*seen, *other_steps], key=lambda s: s["time"])
    steps = [c for c in click_log.between(decision[0] - 0.5, decision[1]) if kept(c)]
    if steps:
        record.time = steps[-1].time
        record.details["deciding_step"] = steps[-1].as_dict()
    elif api_answer:
        record.time = decision[1]
        record.details["deciding_step"] = {"time": decision[1], "text": "autoconsent finished (no click seen)"}

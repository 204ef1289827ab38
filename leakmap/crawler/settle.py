"""Deciding that a page is done without fixed sleeps.

A page is settled when no request has been in flight for a quiet window and
no short timer (at most 5 s, set during load) is still pending in the main
frame: a tracker fired by ``setTimeout(..., 2000)`` is waited for, an
endless polling loop is not. A cap bounds every wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from leakmap.crawler import pace
from leakmap.crawler.collectors.network import NetworkCollector
from leakmap.crawler.recorder import STATE_KEY, PageRecorder

POLL = 0.05
_PENDING_JS = f"() => {{ const s = window[Symbol.for('{STATE_KEY}')]; return s ? s.pending() : 0; }}"


async def pending_timers(page: Page) -> int | None:
    """Short timers the page has pending; None when its main thread did not answer in time (busy:
    it may well be about to send something)."""
    try:
        return await asyncio.wait_for(page.evaluate(_PENDING_JS), pace.stretch(2))
    except TimeoutError:
        return None
    except PlaywrightError:
        return 0


async def settle(page: Page, network: NetworkCollector, quiet: float, cap: float,
                 recorder: PageRecorder | None = None) -> bool:
    """Wait until the page is quiet (True) or the cap is reached (False). A target the recorder is
    still preparing (a worker, a frame, a window: held paused) counts as activity: on a busy
    machine that can take longer than the quiet window, and its requests come after."""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        now = time.monotonic()
        last = max(network.last_activity, recorder.last_setup) if recorder else network.last_activity
        if network.busy() == 0 and not (recorder and recorder.setting_up()) and now - last >= quiet:
            if await pending_timers(page) == 0:
                return True
            network.last_activity = time.monotonic() - quiet + POLL * 4  # re-check timers shortly
        await asyncio.sleep(POLL)
    return False


async def drain(network: NetworkCollector, quiet: float, cap: float, gone: Callable[[], bool]) -> None:
    """After the page closed: let beacons sent during unload finish (no page left to ask about
    timers). Once the page's target is gone no completion event can come, so silence is enough."""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        if (network.busy() == 0 or gone()) and time.monotonic() - network.last_activity >= quiet:
            return
        await asyncio.sleep(POLL)

"""The consent step: what the banner offered and what leakmap did about it.

Means, in order: DuckDuckGo's autoconsent (hundreds of CMP rules), the
user's own selector (``--accept-selector`` / ``--reject-selector``), then a
multilingual text heuristic, which for "reject" also walks a banner's
second layer (settings, untick, save). Banners are looked for wherever a
visitor sees them: every frame, open and closed shadow roots
(:mod:`~leakmap.crawler.consent.dom`); a banner on screen whose controls
cannot be read or operated is an error of the step, never "no banner".
Every click is a visitor's: a pop-up covering the banner is closed first
and counted as a step (:mod:`~leakmap.crawler.consent.overlays`), and a
control that stays covered is an error, never clicked by script.
Every action is verified by its effect (:mod:`~leakmap.crawler.consent.verify`);
an action that cannot be verified is recorded as such, never passed off as done.

The moment of the choice (``ConsentRecord.time``, which every record of the
phase is timed against) is the deciding step: the last click of the
sequence that made it ("settings", "untick", then "reject all" decides on
the third), as the page saw it; with two CMPs on a page, the first one's
answer is the moment of the choice. Every step is kept with its time.

A "pay or OK" wall's paid alternative (subscribe instead of accepting) is
recorded with its text and link (``details.paid_alternative``).

Withdrawing (:mod:`~leakmap.crawler.consent.withdrawal`) reopens a choice
already made the way a visitor would and refuses all in what opens.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from leakmap.crawler.collectors.clicks import ClickCollector
from leakmap.crawler.collectors.screenshots import ScreenshotCollector
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.consent.bundle import VERSION, bundle_dir
from leakmap.crawler.consent.engine import AutoconsentEngine
from leakmap.crawler.consent.heuristic import (
    banner_shown,
    find_button,
    find_selector,
    find_text,
    first_layer,
    paid_alternative,
    reject_in_second_layer,
    text_of,
)
from leakmap.crawler.consent.overlays import Covered, Hand, why
from leakmap.crawler.consent.signals import read_signals
from leakmap.crawler.consent.verify import consent_state, decide, verify
from leakmap.crawler.consent.vocabulary import vocabulary
from leakmap.crawler.consent.withdrawal import withdraw
from leakmap.records import ConsentEvent, ConsentRecord

__all__ = ["LATER_ACTIONS", "consent_state", "observe", "perform", "recheck", "withdraw"]

POPUP_WAIT = 4.0  # seconds for autoconsent to find a banner once the page is quiet
ACTION_WAIT = 10.0  # seconds for autoconsent to go through a CMP's opt-in/opt-out steps

Settle = Callable[[], Awaitable[object]]


def _engine_note(engine: AutoconsentEngine, record: ConsentRecord) -> None:
    if not engine.available:
        record.details["engine"] = (f"autoconsent {VERSION} is not installed in {bundle_dir()} "
                                    "(make installs it; or: python -m leakmap.crawler.consent.bundle --ensure): "
                                    "only selectors and the text heuristic were used")
    record.cmp = (engine.popup or {}).get("cmp") or (engine.cmps[0] if engine.cmps else None)
    if engine.cmps:
        record.details["cmps_detected"] = list(engine.cmps)


async def _what_shows(page: Page, record: ConsentRecord, popup: bool) -> dict[str, str | None]:
    """Read the banner's first layer into the record: its buttons, the paid alternative of a
    banner without a reject button, and whether a banner is on screen at all (found by its
    buttons, by autoconsent, or seen as a box that speaks of cookies or consent)."""
    record.details["first_layer"] = layer = await first_layer(page)
    record.banner_found = popup or bool(layer["accept"] or layer["reject"])
    if not record.banner_found and (shown := await banner_shown(page)) is not None:
        record.banner_found = True
        record.details["banner_shown"] = shown
    if record.banner_found and not layer["reject"] and (pay := await paid_alternative(page)) is not None:
        record.details["paid_alternative"] = pay
    return layer


async def observe(page: Page, engine: AutoconsentEngine, shots: ScreenshotCollector) -> ConsentRecord:
    """``baseline``: find out what the banner offers, touch nothing."""
    record = ConsentRecord(action="none", method="autoconsent" if engine.available else "heuristic")
    popup = await engine.detect(POPUP_WAIT) if engine.available else False
    _engine_note(engine, record)
    await _what_shows(page, record, popup)
    if record.banner_found:
        record.screenshot_before = await shots.take("banner")
    record.details.update(await read_signals(page))
    return record


async def recheck(page: Page) -> ConsentEvent | None:
    """Later pages of a phase: a banner that shows again means the choice did not stick."""
    layer = await first_layer(page)
    if layer["accept"] or layer["reject"]:
        return ConsentEvent(time=time.time(), kind="banner-reappeared", data={"first_layer": layer, "url": page.url})
    return None


async def perform(page: Page, action: str, config: ScanConfig, engine: AutoconsentEngine, settle: Settle,
                  shots: ScreenshotCollector, click_log: ClickCollector) -> ConsentRecord:
    """``accept`` / ``reject``: act on the banner, verify the effect, say how it went."""
    record = ConsentRecord(action=action)
    decisions: list[tuple[float, float, bool]] = []  # (start, end, answered by autoconsent) of the means that chose
    before = await consent_state(page)
    popup = await engine.detect(POPUP_WAIT) if engine.available else False
    _engine_note(engine, record)
    layer = await _what_shows(page, record, popup)
    record.screenshot_before = await shots.take(f"before-{action}")
    attempts: list[dict[str, Any]] = []
    record.details["attempts"] = attempts
    hand = Hand(page)
    # When autoconsent answered one CMP and a banner is still shown (a second CMP on the page), the
    # other means go on with what is left; the clicks already made count in the steps.
    earlier: list[str] = []
    earlier_steps = 0

    async def done(method: str, steps: int, verdict: dict[str, Any], start: float) -> ConsentRecord:
        record.method, record.success = method, True
        record.steps = steps + len(hand.dismissals)
        if hand.dismissals:
            record.details["dismissed"] = hand.dismissals
        first = decisions[0] if decisions else (start, time.time(), False)
        decide(record, click_log, record.time or start, first[:2], first[2], hand.keys)
        record.verified = verdict["verified"]
        record.details.update({k: v for k, v in verdict.items() if k != "verified"})
        record.details.update(await read_signals(page))
        record.screenshot_after = await shots.take(f"after-{action}")
        if not record.verified:
            record.error = "the action could not be verified: " + (
                "the banner is still shown" if not verdict["banner_gone"] else
                "no consent record changed" if not verdict["changed"] else "the CMP's self-test failed")
        return record

    def failed(error: str) -> ConsentRecord:
        record.error = error
        if hand.dismissals:
            record.details["dismissed"] = hand.dismissals
        return record

    if popup:
        # autoconsent clicks by script, which goes through a pop-up a visitor would have to close
        # first: close it as a visitor would, or say why not and leave the banner alone
        target = await find_button(page, action) or await find_text(page, vocabulary().settings, in_banner=True)
        if target is not None:
            try:
                await hand.clear(*target, action)
            except Covered as exc:
                return failed(f"the {action} button cannot be reached: {exc.message}")
        record.time = started = time.time()
        result = await engine.act(action, ACTION_WAIT)
        ok = bool(result and result.get("result"))
        if ok:
            decisions.append((started, time.time(), True))
        attempt = {"method": "autoconsent", "cmp": record.cmp, "result": ok, "clicks": engine.done_clicks()}
        attempts.append(attempt)
        if ok:
            await settle()
            verdict = await verify(page, before, engine)
            attempt["verdict"] = {k: verdict[k] for k in ("verified", "banner_gone", "self_test")}
            if verdict["verified"] or verdict["banner_gone"]:
                return await done("autoconsent", engine.done_clicks() or 1, verdict, started)
            earlier, earlier_steps = ["autoconsent"], engine.done_clicks() or 1

    selector = config.accept_selector if action == "accept" else config.reject_selector
    found = None
    if selector:
        found = await find_selector(page, selector)
        attempts.append({"method": "selector", "selector": selector, "found": found is not None})
        method = "selector"
    if found is None and not selector:  # a user's selector that matches nothing is reported, not guessed around
        found = await find_button(page, action)
        method = "heuristic"
        attempts.append({"method": "heuristic", "found": found is not None})
    if found is not None:
        element, frame = found
        record.banner_found = True
        record.details["button_text"] = (await text_of(element))[:200]
        record.details["frame_url"] = frame.url
        started = time.time()
        record.time = record.time or started
        try:
            await hand.click(element, frame, action)
        except (PlaywrightError, Covered) as exc:
            return failed(f"the {action} button could not be clicked: {why(exc)}")
        await settle()
        return await done("+".join([*earlier, method]), earlier_steps + 1, await verify(page, before, None), started)
    if action == "reject" and layer["settings"] and not selector:
        started = time.time()
        record.time = record.time or started
        try:
            steps, error = await reject_in_second_layer(page, hand, settle)
        except (PlaywrightError, Covered) as exc:
            steps, error = 0, why(exc)
        attempts.append({"method": "second-layer", "clicks": steps, "error": error})
        if error is None:
            record.banner_found = True
            await settle()
            return await done("+".join([*earlier, "heuristic-second-layer"]), earlier_steps + steps,
                              await verify(page, before, None), started)
    if selector and not any(a.get("found") for a in attempts if a["method"] == "selector"):
        error = f"--{action}-selector {selector!r} matched no visible element on {page.url}"
    elif not record.banner_found:
        error = "no consent banner found"
    elif "banner_shown" in record.details:
        shown = record.details["banner_shown"]
        error = (f"a consent banner is shown (<{shown['tag']}> “{shown['text'][:80]}”) but leakmap could not read "
                 f"a control on it to {action}")
    else:
        error = f"the banner was seen but no way to {action} was found"
    if earlier:
        error = f"autoconsent answered {record.cmp} but a banner is still shown; {error}"
    return failed(error)


# The later consent actions a phase can take (see leakmap.phases.Action), by name.
LATER_ACTIONS = {"withdraw": withdraw}

"""The consent step: what the banner offered and what leakmap did about it.

Means, in order: DuckDuckGo's autoconsent (hundreds of CMP rules), the
user's own selector (``--accept-selector`` / ``--reject-selector``), then a
multilingual text heuristic, which for "reject" also walks a banner's
second layer (settings, untick, save). Every action is verified by its
effect: the banner's buttons are gone and a consent record (cookie or
storage) changed; autoconsent's own self-test must not fail. An action that
cannot be verified is recorded as such, never passed off as done.

The moment of the choice (``ConsentRecord.time``, which every record of the
phase is timed against) is the deciding step: the last click of the
sequence that made it ("settings", "untick", then "reject all" decides on
the third), as the page saw it; with two CMPs on a page, the first one's
answer is the moment of the choice. Every step is kept with its time.

Withdrawing (:func:`withdraw`) reopens a choice already made the way a visitor
would (:mod:`leakmap.crawler.consent.reopen`), refuses all in what opens (the
reject button, the settings layer's path, or untick and save), and is verified
and timed like an answer to the banner; its clicks count the reopening one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from leakmap.crawler import pace
from leakmap.crawler.collectors.clicks import ClickCollector
from leakmap.crawler.collectors.screenshots import ScreenshotCollector
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.consent.bundle import VERSION, bundle_dir
from leakmap.crawler.consent.engine import AutoconsentEngine
from leakmap.crawler.consent.heuristic import (
    click,
    find_button,
    find_selector,
    find_text,
    first_layer,
    refuse_in_layer,
    reject_in_second_layer,
)
from leakmap.crawler.consent.reopen import find_reopener, open_by_api
from leakmap.crawler.consent.signals import read_signals
from leakmap.crawler.consent.vocabulary import vocabulary
from leakmap.records import ConsentEvent, ConsentRecord

POPUP_WAIT = 4.0  # seconds for autoconsent to find a banner once the page is quiet
ACTION_WAIT = 10.0  # seconds for autoconsent to go through a CMP's opt-in/opt-out steps
_STORAGE_JS = "() => { try { return Object.assign({}, localStorage); } catch (e) { return {}; } }"

Settle = Callable[[], Awaitable[object]]


async def consent_state(page: Page) -> dict[str, str]:
    """Cookies of the profile and the main frame's localStorage: where a consent choice is kept."""
    state = {f"cookie:{c['domain']}:{c['name']}": c["value"] for c in await page.context.cookies()}
    try:
        state.update({f"local:{k}": v for k, v in (await page.evaluate(_STORAGE_JS)).items()})
    except PlaywrightError:
        pass
    return state


def _engine_note(engine: AutoconsentEngine, record: ConsentRecord) -> None:
    if not engine.available:
        record.details["engine"] = (f"autoconsent {VERSION} is not installed in {bundle_dir()} "
                                    "(make installs it; or: python -m leakmap.crawler.consent.bundle --ensure): "
                                    "only selectors and the text heuristic were used")
    record.cmp = (engine.popup or {}).get("cmp") or (engine.cmps[0] if engine.cmps else None)
    if engine.cmps:
        record.details["cmps_detected"] = list(engine.cmps)


async def observe(page: Page, engine: AutoconsentEngine, shots: ScreenshotCollector) -> ConsentRecord:
    """``baseline``: find out what the banner offers, touch nothing."""
    record = ConsentRecord(action="none", method="autoconsent" if engine.available else "heuristic")
    popup = await engine.detect(POPUP_WAIT) if engine.available else False
    _engine_note(engine, record)
    layer = await first_layer(page)
    record.details["first_layer"] = layer
    record.banner_found = popup or bool(layer["accept"] or layer["reject"])
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


async def _banner_gone(page: Page, within: float = 2.0) -> bool:
    """Banners often leave with an animation: give them a moment (longer on a busy machine)."""
    deadline = time.monotonic() + pace.stretch(within)
    while True:
        layer = await first_layer(page)
        if not (layer["accept"] or layer["reject"]):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.2)


async def _verify(page: Page, before: dict[str, str], engine: AutoconsentEngine | None) -> dict[str, Any]:
    gone = await _banner_gone(page)
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


def _decide(record: ConsentRecord, click_log: ClickCollector, started: float, decision: tuple[float, float],
            api_answer: bool) -> None:
    """Time the choice at its deciding step. ``decision`` is the window of the first means that made
    a choice (autoconsent's steps, or leakmap's own clicks): its last click decided. A second means
    answering a second CMP on the page decides for that CMP only, so the first choice stands.
    Without a click in the window (``api_answer``: autoconsent answered the CMP through its API),
    the window's end is the moment."""
    record.details["action_started"] = started
    record.details["steps_seen"] = [c.as_dict() for c in click_log.between(started - 0.5, time.time())]
    steps = click_log.between(decision[0] - 0.5, decision[1])
    if steps:
        record.time = steps[-1].time
        record.details["deciding_step"] = steps[-1].as_dict()
    elif api_answer:
        record.time = decision[1]
        record.details["deciding_step"] = {"time": decision[1], "text": "autoconsent finished (no click seen)"}


async def perform(page: Page, action: str, config: ScanConfig, engine: AutoconsentEngine, settle: Settle,
                  shots: ScreenshotCollector, click_log: ClickCollector) -> ConsentRecord:
    """``accept`` / ``reject``: act on the banner, verify the effect, say how it went."""
    record = ConsentRecord(action=action)
    decisions: list[tuple[float, float, bool]] = []  # (start, end, answered by autoconsent) of the means that chose
    before = await consent_state(page)
    popup = await engine.detect(POPUP_WAIT) if engine.available else False
    _engine_note(engine, record)
    record.details["first_layer"] = layer = await first_layer(page)
    record.banner_found = popup or bool(layer["accept"] or layer["reject"])
    record.screenshot_before = await shots.take(f"before-{action}")
    attempts: list[dict[str, Any]] = []
    record.details["attempts"] = attempts
    # When autoconsent answered one CMP and a banner is still shown (a second CMP on the page), the
    # other means go on with what is left; the clicks already made count in the steps.
    earlier: list[str] = []
    earlier_steps = 0

    async def done(method: str, steps: int, verdict: dict[str, Any], start: float) -> ConsentRecord:
        record.method, record.steps, record.success = method, steps, True
        first = decisions[0] if decisions else (start, time.time(), False)
        _decide(record, click_log, record.time or start, first[:2], first[2])
        record.verified = verdict["verified"]
        record.details.update({k: v for k, v in verdict.items() if k != "verified"})
        record.details.update(await read_signals(page))
        record.screenshot_after = await shots.take(f"after-{action}")
        if not record.verified:
            record.error = "the action could not be verified: " + (
                "the banner is still shown" if not verdict["banner_gone"] else
                "no consent record changed" if not verdict["changed"] else "the CMP's self-test failed")
        return record

    if popup:
        record.time = started = time.time()
        result = await engine.act(action, ACTION_WAIT)
        ok = bool(result and result.get("result"))
        if ok:
            decisions.append((started, time.time(), True))
        attempt = {"method": "autoconsent", "cmp": record.cmp, "result": ok, "clicks": engine.done_clicks()}
        attempts.append(attempt)
        if ok:
            await settle()
            verdict = await _verify(page, before, engine)
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
        record.details["button_text"] = ((await element.text_content()) or "").strip()[:200]
        record.details["frame_url"] = frame.url
        started = time.time()
        record.time = record.time or started
        try:
            await click(element)
        except PlaywrightError as exc:
            record.error = f"the {action} button could not be clicked: {exc.message.splitlines()[0]}"
            return record
        await settle()
        return await done("+".join([*earlier, method]), earlier_steps + 1, await _verify(page, before, None), started)
    if action == "reject" and layer["settings"] and not selector:
        started = time.time()
        record.time = record.time or started
        try:
            steps, error = await reject_in_second_layer(page, settle)
        except PlaywrightError as exc:
            steps, error = 0, exc.message.splitlines()[0]
        attempts.append({"method": "second-layer", "clicks": steps, "error": error})
        if error is None:
            record.banner_found = True
            await settle()
            return await done("+".join([*earlier, "heuristic-second-layer"]), earlier_steps + steps,
                              await _verify(page, before, None), started)
    if selector and not any(a.get("found") for a in attempts if a["method"] == "selector"):
        record.error = f"--{action}-selector {selector!r} matched no visible element on {page.url}"
    elif not record.banner_found:
        record.error = "no consent banner found"
    else:
        record.error = f"the banner was seen but no way to {action} was found"
    if earlier:
        record.error = f"autoconsent answered {record.cmp} but a banner is still shown; {record.error}"
    return record


async def _refuse(page: Page, before: dict[str, str], settle: Settle) -> tuple[str, int, str | None]:
    """Refuse all in the interface a withdrawal reopened: (how, clicks, error). A control that
    withdrew by itself (a one-click "withdraw consent" link) leaves nothing to click."""
    words = vocabulary()
    layer = await first_layer(page)
    if not any(layer.values()) and await find_text(page, words.save, in_banner=True) is None:
        if await consent_state(page) != before:
            return "direct", 0, None
        return "none", 0, "nothing to refuse in showed up"
    rejecter = await find_text(page, words.reject, in_banner=True)
    if rejecter is not None:
        await click(rejecter[0])
        return "heuristic", 1, None
    if layer["settings"] and await find_text(page, words.save, in_banner=True) is None:  # a first layer: go deeper
        clicks, error = await reject_in_second_layer(page, settle)
        return "heuristic-second-layer", clicks, error
    clicks, error = await refuse_in_layer(page)  # a settings layer (what most reopen): untick, save
    return "heuristic-untick", clicks, error


async def _reopen(page: Page, way: str, timeline: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Open the consent interface again: ``control``, the page's own link or button (one click),
    or ``api``, the consent platform's call. What was used, or None when there is no such way."""
    if way == "control":
        opener = await find_reopener(page)
        if opener is None:
            return None
        used = {"means": opener.kind, "text": opener.label, "frame": opener.frame.url, "clicks": 1}
        try:
            await click(opener.element)
        except PlaywrightError as exc:
            used.update(clicks=0, error=f"could not be clicked: {exc.message.splitlines()[0]}")
    else:
        api = await open_by_api(page)
        if api is None:
            return None
        used = {"means": "api", "cmp": api.cmp, "call": api.call, "clicks": 0}
    timeline.append({"step": "reopen", "time": time.time(), **used})
    return used


async def withdraw(page: Page, settle: Settle, shots: ScreenshotCollector, clicks: ClickCollector) -> ConsentRecord:
    """``withdraw``: reopen the choice through the page's own control (else the consent platform's
    API), refuse all, verify that the stored choice changed (the interface may stay open: a
    settings panel often does); every step kept with its time.
    ``details.reopen.found`` says whether a visitor could have done it (a visible control that
    opened something to refuse in)."""
    record = ConsentRecord(action="withdraw")
    timeline: list[dict[str, Any]] = []
    record.details["timeline"] = timeline
    record.screenshot_before = await shots.take("before-withdraw")
    before = await consent_state(page)
    started = time.time()
    used: dict[str, Any] | None = None
    how, refuse_clicks, error = "none", 0, "no way to reopen the consent choice was found on the page"
    for way in ("control", "api"):
        if (tried := await _reopen(page, way, timeline)) is None:
            continue
        used = tried
        if "error" in used:
            error = f"the {used['means']} \"{used['text']}\" {used['error']}"
            continue
        await settle()
        record.details["reopened_layer"] = await first_layer(page)
        if shot := await shots.take(f"withdraw-reopened-{way}"):
            record.details.setdefault("screenshots_reopened", []).append(shot)
        try:
            how, refuse_clicks, error = await _refuse(page, before, settle)
        except PlaywrightError as exc:
            how, refuse_clicks, error = "heuristic", 0, exc.message.splitlines()[0]
        timeline.append({"step": "refuse", "time": time.time(), "how": how, "clicks": refuse_clicks, "error": error})
        if how != "none":
            break
    reopen_clicks = used["clicks"] if used else 0
    record.details["reopen"] = {**(used or {}), "found": used is not None and used["means"] != "api" and how != "none"}
    if used is not None and used["means"] == "api":
        record.cmp = used["cmp"]
    record.banner_found = how != "none"
    if used is None or how == "none" or error is not None:
        record.error = (error if used is None or how == "none" else
                        f"the consent choice was reopened but could not be refused: {error}")
        if used is None:
            record.error += ": no cookie-settings link or button, no floating consent button, no known consent platform API"
        record.screenshot_after = await shots.take("after-withdraw")
        return record
    await settle()
    verdict = await _verify(page, before, None)
    record.method = f"{used['means']}+{how}"
    record.steps, record.success = reopen_clicks + refuse_clicks, True
    _decide(record, clicks, started, (started, time.time()), api_answer=False)
    if record.time is None:  # nothing clicked: the platform's API reopened and refused at once
        record.time = timeline[-1]["time"]
        record.details["deciding_step"] = {"time": record.time, "text": f"{used['means']}+{how} (no click seen)"}
    # the stored choice changed: a reopened settings panel may stay open after the refusal (tarteaucitron's does)
    record.verified = bool(verdict["changed"])
    record.details.update({k: v for k, v in verdict.items() if k != "verified"})
    record.details.update(reopen_clicks=reopen_clicks, refuse_clicks=refuse_clicks)
    timeline.append({"step": "verified" if record.verified else "not verified", "time": time.time()})
    record.details.update(await read_signals(page))
    record.screenshot_after = await shots.take("after-withdraw")
    if not record.verified:
        record.error = "the withdrawal could not be verified: no consent record changed"
    return record


# The later consent actions a phase can take (see leakmap.phases.Action), by name.
LATER_ACTIONS = {"withdraw": withdraw}

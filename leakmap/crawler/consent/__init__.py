"""The consent step of the accept and reject phases.

Order of means: the user's own selector (``--accept-selector`` /
``--reject-selector``), then a multilingual text heuristic. Every action is
verified by its effect (the banner is gone and a consent record changed);
an action that cannot be verified is recorded as such, never passed off as done.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from playwright.async_api import Error as PlaywrightError, Page

from leakmap.crawler.config import ScanConfig
from leakmap.crawler.consent.heuristic import find_button, find_selector
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


async def perform(page: Page, action: str, config: ScanConfig, settle: Callable[[], Awaitable[object]]) -> ConsentRecord:
    record = ConsentRecord(action=action)
    selector = config.accept_selector if action == "accept" else config.reject_selector
    before = await consent_state(page)
    if selector:
        record.method = "selector"
        found = await find_selector(page, selector)
        if found is None:
            record.error = f"--{action}-selector {selector!r} matched no visible element on {page.url}"
            return record
    else:
        record.method = "heuristic"
        found = await find_button(page, action)
        if found is None:
            record.error = f"no visible '{action}' button found on {page.url}"
            return record
    element, frame = found
    record.banner_found = True
    record.details["button_text"] = ((await element.text_content()) or "").strip()[:200]
    record.details["frame_url"] = frame.url
    record.time = time.time()
    try:
        await element.click(timeout=5000)
        record.success, record.steps = True, 1
    except PlaywrightError as exc:
        record.error = f"click on the {action} button failed: {exc.message.splitlines()[0]}"
        return record
    await settle()
    try:
        banner_gone = not await element.is_visible()
    except PlaywrightError:
        banner_gone = True  # detached with its frame
    after = await consent_state(page)
    changed = sorted(k for k in {**before, **after} if before.get(k) != after.get(k))
    record.details.update(banner_gone=banner_gone, changed=changed[:50])
    record.verified = banner_gone and bool(changed)
    if not record.verified:
        record.error = "after the click " + ("the banner is still visible" if not banner_gone else "no consent record changed")
    return record

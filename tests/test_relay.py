"""A window a page opens must not run before the recorder is set up in it.

Chromium lets such a window go on the first ``Runtime.runIfWaitingForDebugger`` any client
sends, and Playwright sends its own at once. Connected directly, the window's first request
leaves while our setup is still under way (the control case below shows it); through the
relay, Playwright's go-ahead waits for ours.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from playwright.async_api import async_playwright

from leakmap.crawler.browser import BrowserProcess, find_browser
from leakmap.crawler.cdp import Connection, Session
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.relay import Relay
from tests.web.server import TestWeb

POPUP = "http://www.opened-window.fr/"
HOLD = 1.5  # how long our "setup" of the window takes


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("relay-web")
    (root / "www.opener.fr").mkdir()
    (root / "www.opener.fr/index.html").write_text(
        f"<!doctype html><button id=b onclick=\"window.open('{POPUP}', '_blank')\">open</button>")
    (root / "www.opened-window.fr").mkdir()
    (root / "www.opened-window.fr/index.html").write_text("<!doctype html><p>opened</p>")
    with TestWeb(root) as served:
        yield served


def _popup_requests(web: TestWeb) -> list[float]:
    return [e.time for e in web.log if e.url == POPUP]


async def _open_window(web: TestWeb, through_relay: bool) -> tuple[float, float, list[float]]:
    """Click a window open while our setup of it takes HOLD seconds; returns when the click
    happened, when our setup let it go, and when the server saw the window's request."""
    web.log.clear()
    config = ScanConfig(host_rules=web.host_rules)
    process = await BrowserProcess.launch(find_browser(), config)
    connection = await Connection.connect(process.ws_url)
    relay = await Relay.start(process.ws_url, connection.let_go)
    released: list[float] = []
    try:
        await connection.watch_new_pages()

        async def setup(session: Session) -> None:
            await asyncio.sleep(HOLD)
            released.append(time.time())
            await session.send("Runtime.runIfWaitingForDebugger")

        async with async_playwright() as playwright:
            browser = await playwright.chromium.connect_over_cdp(relay.url if through_relay else process.ws_url)
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto("http://www.opener.fr/")
            cdp = await context.new_cdp_session(page)
            target_id = (await cdp.send("Target.getTargetInfo"))["targetInfo"]["targetId"]
            connection.openers[target_id] = lambda session: asyncio.get_running_loop().create_task(setup(session))
            clicked = time.time()
            async with context.expect_page():
                await page.click("#b")
            await asyncio.sleep(HOLD + 1)
            await browser.close()
    finally:
        await relay.close()
        await connection.close()
        process.close()
    return clicked, released[0], _popup_requests(web)


def test_the_window_waits_for_our_setup_through_the_relay(web):
    clicked, released, requested = asyncio.run(_open_window(web, through_relay=True))
    assert len(requested) == 1
    assert requested[0] >= released > clicked


def test_without_the_relay_the_window_runs_before_our_setup(web):
    """The reason for the relay: if this fails, Chromium waits for every client and the relay can go."""
    clicked, released, requested = asyncio.run(_open_window(web, through_relay=False))
    assert len(requested) == 1
    assert clicked < requested[0] < released

"""A window a page opens must not run before the recorder is set up in it.

Two holds make sure of it, each shown needed by a control case below:

- Chromium lets such a window go on the first ``Runtime.runIfWaitingForDebugger`` any client
  sends, and Playwright sends its own at once. Connected directly, a cross-site window's first
  request leaves while our setup is still under way; through the relay, Playwright's go-ahead
  waits for ours.
- The go-ahead holds the window's renderer, not always its first navigation: in a busy scan
  (a ``window.open`` storm beside other visits) about half the storm windows' document requests
  reached the browser's network layer before our setup let them go, and one in twenty was never
  reported to the window's session (``test_e2e_unfinished`` caught it). The connection's
  browser-level document hold (``Fetch``) keeps a window's first document request until our
  setup let it go, and hands it to the window's handler as it was held. This module checks both
  holds on a quiet machine, where Chromium happens to keep the navigation too.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest
from playwright.async_api import async_playwright

from leakmap.crawler.browser import BrowserProcess, find_browser
from leakmap.crawler.cdp import Connection, Session
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.relay import Relay
from tests.web.server import TestWeb

POPUP = "http://www.opened-window.fr/"  # another site: a renderer of its own
SAME_SITE = "http://www.opener.fr/opened.html"  # the opener's renderer
HOLD = 1.5  # how long our "setup" of the window takes


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("relay-web")
    (root / "www.opener.fr").mkdir()
    (root / "www.opener.fr/index.html").write_text(
        f"<!doctype html><button id=b onclick=\"window.open('{POPUP}', '_blank')\">open</button>"
        f"<button id=s onclick=\"window.open('{SAME_SITE}', '_blank')\">open here</button>")
    (root / "www.opener.fr/opened.html").write_text("<!doctype html><p>opened here</p>")
    (root / "www.opened-window.fr").mkdir()
    (root / "www.opened-window.fr/index.html").write_text("<!doctype html><p>opened</p>")
    with TestWeb(root) as served:
        yield served


@dataclass
class Opened:
    clicked: float  # when the page opened the window
    released: float  # when our setup let it go
    requested: list[float]  # when the server saw the window's request
    handed: list[str]  # the document requests handed to the window's session, as held


async def _open_window(web: TestWeb, url: str = POPUP, through_relay: bool = True, hold_documents: bool = True) -> Opened:
    """Click a window open while our setup of it takes HOLD seconds."""
    web.log.clear()
    config = ScanConfig(host_rules=web.host_rules)
    process = await BrowserProcess.launch(find_browser(), config)
    connection = await Connection.connect(process.ws_url)
    if not hold_documents:  # the control case: the connection without its document hold
        send = connection.send
        connection.send = lambda method, *a, **k: send(method, *a, **k) if method != "Fetch.enable" else asyncio.sleep(0)
    relay = await Relay.start(process.ws_url, connection.let_go)
    released: list[float] = []
    handed: list[str] = []
    try:
        await connection.watch_new_pages()

        async def setup(session: Session) -> None:
            session.handler = lambda _, method, params: method == "Fetch.requestPaused" and handed.append(params["request"]["url"])
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
                await page.click("#b" if url == POPUP else "#s")
            await asyncio.sleep(HOLD + 1)
            await browser.close()
    finally:
        await relay.close()
        await connection.close()
        process.close()
    return Opened(clicked, released[0], [e.time for e in web.log if e.url == url], handed)


@pytest.mark.parametrize("url", [POPUP, SAME_SITE])
def test_the_window_waits_for_our_setup(web, url):
    opened = asyncio.run(_open_window(web, url))
    assert len(opened.requested) == 1
    assert opened.requested[0] >= opened.released > opened.clicked
    assert [u.split("://")[1] for u in opened.handed] == [url.split("://")[1]]  # the first try may be https


def test_without_the_relay_the_window_runs_before_our_setup(web):
    """The reason for the relay: if this fails, Chromium waits for every client and the relay can go."""
    opened = asyncio.run(_open_window(web, through_relay=False, hold_documents=False))
    assert len(opened.requested) == 1
    assert opened.clicked < opened.requested[0] < opened.released
    assert opened.handed == []

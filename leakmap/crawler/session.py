"""One Chromium for the whole scan, one browser context (profile) per site and phase.

Contexts in one browser visit more pages per minute than a browser per
profile; third-party cookies stay allowed in them through the parent
profile's preferences (see :mod:`leakmap.crawler.browser`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Playwright, Route, async_playwright
from playwright.async_api import Error as PlaywrightError

from leakmap import __version__
from leakmap.crawler import pace
from leakmap.crawler.browser import BrowserProcess
from leakmap.crawler.cdp import Connection
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.errors import describe_navigation_error
from leakmap.crawler.relay import Relay
from leakmap.crawler.visit import PhaseState, VisitJob, VisitOutcome, run_visit

log = logging.getLogger(__name__)


_UA_DATA_JS = """async () => {
  const d = navigator.userAgentData;
  if (!d) return {navigatorPlatform: navigator.platform};
  const high = await d.getHighEntropyValues(["architecture", "bitness", "model", "platformVersion",
                                               "uaFullVersion", "fullVersionList", "wow64"]);
  return {...high, brands: d.brands, mobile: d.mobile, platform: d.platform, navigatorPlatform: navigator.platform};
}"""


async def _document_only(route: Route) -> None:
    """Let a raw fetch's top document through, nothing else (no image, style, frame or pixel)."""
    if route.request.resource_type == "document" and route.request.frame.parent_frame is None:
        await route.continue_()
    else:
        await route.abort()


class BrowserGone(Exception):
    """The browser died during the visit: the phase starts again on a fresh browser."""


class ProfileLost(BrowserGone):
    """The phase's profile went with a browser that died between two of its visits."""


@dataclass
class Fetched:
    url: str
    status: int
    text: str
    error: str | None = None
    content_type: str | None = None


class BrowserSession:
    def __init__(self, config: ScanConfig, browser_path: Path):
        self.config = config
        self.browser_path = browser_path
        self.process: BrowserProcess | None = None
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None
        self.cdp: Connection | None = None
        self.relay: Relay | None = None
        self.version = ""
        self.identity: dict[str, Any] | None = None
        self.phases: dict[tuple[int, str], PhaseState] = {}
        self._discovery: dict[bool, PhaseState] = {}  # leakmap's own fetches: rendered, raw
        self._start_lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._start_lock:
            if self._alive():
                return
            await self._stop_browser()
            self.process = await BrowserProcess.launch(self.browser_path, self.config)
            if self.playwright is None:
                self.playwright = await async_playwright().start()
            self.cdp = await Connection.connect(self.process.ws_url)
            await self.cdp.watch_new_pages()
            self.relay = await Relay.start(self.process.ws_url, self.cdp.let_go)
            self.browser = await self.playwright.chromium.connect_over_cdp(self.relay.url)
            self.version = self.browser.version
            self.identity = await self._identity()

    async def _user_agent(self) -> str:
        return (await self.cdp.send("Browser.getVersion")).get("userAgent", "")

    async def _identity(self) -> dict[str, Any] | None:
        """The user agent of the same browser with a window: headless mode says "HeadlessChrome",
        which sites and consent platforms may treat differently."""
        user_agent = await self._user_agent()
        if "HeadlessChrome" not in user_agent:
            return None
        context = await self.browser.new_context()
        try:
            page = await context.new_page()
            await page.goto("chrome://version")  # userAgentData needs a secure context
            data = await page.evaluate(_UA_DATA_JS)
        finally:
            await context.close()
        brands = [b for b in data.get("brands", []) if "Headless" not in b["brand"]]
        full = [b for b in data.get("fullVersionList", []) if "Headless" not in b["brand"]]
        return {
            "userAgent": user_agent.replace("HeadlessChrome", "Chrome"),
            "platform": data.get("navigatorPlatform", ""),
            "userAgentMetadata": {
                "brands": brands, "fullVersionList": full, "fullVersion": data.get("uaFullVersion", ""),
                "platform": data.get("platform", ""), "platformVersion": data.get("platformVersion", ""),
                "architecture": data.get("architecture", ""), "model": data.get("model", ""),
                "mobile": bool(data.get("mobile")), "bitness": data.get("bitness", ""), "wow64": bool(data.get("wow64")),
            },
        }

    async def _context(self, **options: Any) -> PhaseState:
        width, height = self.config.viewport
        context = await self.browser.new_context(
            ignore_https_errors=self.config.ignore_https_errors,
            viewport={"width": width, "height": height},
            timezone_id=self.config.timezone,
            accept_downloads=False,
            **options,
        )
        return PhaseState(context=context)

    def _alive(self) -> bool:
        """Our DevTools connection closes first when Chromium dies: the process may not be reaped yet."""
        return bool(self.process and self.process.alive and self.browser and self.browser.is_connected()
                    and self.cdp and not self.cdp.closed.is_set())

    async def visit(self, job: VisitJob) -> VisitOutcome:
        """One visit, bounded. It ends as soon as its browser dies (the DevTools connection
        closes): calls to a dead browser can wait forever. A visit that outlives its own caps
        means the browser is wedged, so that browser (not one a sibling visit has started
        since) is replaced. Either way the phase restarts."""
        await self.start()
        cdp = self.cdp
        visit = asyncio.ensure_future(self._visit(job))
        died = asyncio.ensure_future(cdp.closed.wait())
        try:
            # a visit stretches its budget on a loaded machine (leakmap.crawler.pace): so does this guard
            await asyncio.wait({visit, died}, timeout=self.config.page_timeout * pace.MAX_SLOWNESS + 30,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            died.cancel()
        if visit.done():
            return visit.result()
        visit.cancel()
        await asyncio.gather(visit, return_exceptions=True)
        self.phases.pop((job.site_id, job.phase), None)
        if cdp.closed.is_set():
            raise BrowserGone("the browser crashed during the visit")
        async with self._start_lock:
            if self.cdp is cdp:
                await self._stop_browser()
        raise BrowserGone("the browser stopped answering; it was restarted")

    async def _visit(self, job: VisitJob) -> VisitOutcome:
        key = (job.site_id, job.phase)
        if key not in self.phases:
            if job.seq > 0:  # cookies and consent of this phase are gone: it cannot go on
                raise ProfileLost("the browser was restarted after a crash; this phase's profile was lost")
            self.phases[key] = await self._context()
        try:
            outcome = await run_visit(job, self.phases[key], self.cdp, self.config, self.identity)
        except PlaywrightError as exc:
            if not self._alive():
                self.phases.pop(key, None)
                raise BrowserGone(f"the browser crashed: {describe_navigation_error(exc)}") from exc
            raise
        if not self._alive():  # died while the visit was being wrapped up: its records are partial
            self.phases.pop(key, None)
            raise BrowserGone("the browser crashed during the visit")
        if job.last:
            await self.end_phase(job.site_id, job.phase)
        return outcome

    async def end_phase(self, site_id: int, phase: str) -> None:
        state = self.phases.pop((site_id, phase), None)
        if state is not None:
            try:
                await state.context.close()
            except PlaywrightError:
                pass

    async def fetch(self, url: str, raw: bool = False) -> Fetched:
        """Fetch a discovery resource (robots.txt, sitemap) through the browser, outside every phase;
        ``raw``: as the server sends it, nothing rendered (a policy page: its scripts never run). Its
        caps are stretched on a loaded machine: a sitemap lost to a timeout changes the page list."""
        stretch = pace.measure()
        try:
            return await asyncio.wait_for(self._fetch(url, self.config.navigation_timeout * stretch, raw),
                                          (self.config.navigation_timeout + 15) * stretch)
        except TimeoutError:
            return Fetched(url, 0, "", "the browser did not answer")

    async def _discovery_context(self, raw: bool = False) -> PhaseState:
        """The context of leakmap's own fetches (``raw``: scripts off, nothing but the document loads)."""
        await self.start()
        if raw not in self._discovery:  # says who it is: these requests are leakmap's, not a visitor's
            agent = (self.identity or {}).get("userAgent") or await self._user_agent()
            state = await self._context(user_agent=f"{agent} leakmap-discovery/{__version__}",
                                        java_script_enabled=not raw)
            if raw:  # leakmap's own context, never an audited one: no subresource is fetched
                await state.context.route("**/*", _document_only)
            self._discovery[raw] = state
        return self._discovery[raw]

    async def _fetch(self, url: str, timeout: float, raw: bool = False) -> Fetched:
        page = await (await self._discovery_context(raw)).context.new_page()
        try:
            response = await page.goto(url, timeout=timeout * 1000)
            if response is None:
                return Fetched(url, 0, "", "no response")
            return Fetched(response.url, response.status, (await response.body()).decode("utf-8", "replace"),
                           content_type=response.headers.get("content-type"))
        except PlaywrightError as exc:
            return Fetched(url, 0, "", describe_navigation_error(exc))
        finally:
            try:
                await page.close()
            except PlaywrightError:
                pass

    async def _stop_browser(self) -> None:
        """Close (or give up on) the browser; calls to a dead one may never answer, hence the caps."""
        self.phases.clear()
        self._discovery = {}
        if self.cdp is not None:
            try:
                await asyncio.wait_for(self.cdp.close(), 5)
            except Exception:  # noqa: BLE001 - already gone
                pass
            self.cdp = None
        if self.browser is not None:
            try:
                await asyncio.wait_for(self.browser.close(), 10)
            except (PlaywrightError, TimeoutError):
                pass
            self.browser = None
        if self.relay is not None:
            await self.relay.close()
            self.relay = None
        if self.process is not None:
            await asyncio.to_thread(self.process.close)
            self.process = None

    async def close(self) -> None:
        await self._stop_browser()
        if self.playwright is not None:
            await self.playwright.stop()
            self.playwright = None

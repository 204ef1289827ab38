"""What a hostile or broken page throws at the browser: dialogs, popups, downloads,
crashes and script errors, and a page that moves itself on to another site (what the left
document sends while it unloads cannot be recorded). Each becomes an error row on the visit;
the visit goes on."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Dialog, Download, Frame, Page
from playwright.async_api import Error as PlaywrightError

from leakmap.blocklists import registrable_domain
from leakmap.crawler.collectors.base import Collector
from leakmap.crawler.recorder import MAX_WINDOWS
from leakmap.records import ErrorRecord

MAX_SCRIPT_ERRORS = 20


class PageEventsCollector(Collector):
    name = "page-events"
    target_types = frozenset()

    def __init__(self, visit):
        super().__init__(visit)
        self._errors: list[ErrorRecord] = []
        self._script_errors = 0
        self.crashed = False
        self.popups: list[Page] = []  # recorded with the visit, closed when it leaves

    def _add(self, kind: str, message: str, url: str | None = None) -> None:
        self._errors.append(ErrorRecord(time=time.time(), kind=kind, message=message[:2000], url=url))

    async def on_page(self, page: Page) -> None:
        page.on("dialog", self._dialog)
        page.on("popup", self._popup)
        page.on("download", self._download)
        page.on("crash", lambda _page: self._crash(page))
        page.on("pageerror", self._page_error)
        page.on("framenavigated", lambda frame: self._navigated(page, frame))
        self._site = _site(page.url)

    def _navigated(self, page: Page, frame: Frame) -> None:
        """With site isolation, a page that goes on to another site changes renderer process; the
        DevTools session moves with it before the old document runs its ``pagehide`` handlers, so
        the beacons they send reach their server without any event the recorder could see (the
        browser's request interception would see them, but turning it on changes how redirected
        fetches behave). The gap is said where it happens."""
        if frame != page.main_frame:
            return
        site, before = _site(frame.url), self._site
        self._site = site or before
        if site and before and site != before:
            self._add("capture-gap", f"the page went on from {before[0]}://{before[1]} to {site[0]}://{site[1]} by "
                      f"itself: beacons the left page sent while unloading are not recorded", frame.url)

    async def _dialog(self, dialog: Dialog) -> None:
        self._add("dialog", f"{dialog.type}: {dialog.message}", self.visit.url)
        try:  # leaving must stay possible: accept "beforeunload", dismiss the rest
            await (dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss())
        except PlaywrightError:
            pass

    async def _popup(self, popup: Page) -> None:
        if len(self.popups) < MAX_WINDOWS:  # a storm of them is one row (the recorder's)
            self._add("popup", "the page opened a window (its requests are recorded with this visit)", popup.url)
        self.popups.append(popup)
        popup.on("dialog", self._dialog)
        popup.on("download", self._download)
        try:  # the new tab hid the page (no animation frames, so no screenshots): the visit goes on there
            if self.visit.page is not None:
                await self.visit.page.bring_to_front()
        except PlaywrightError:
            pass

    async def close_popups(self, timeout: float) -> None:
        """Leave the windows the page opened the way the page itself is left (unload beacons sent)."""

        async def close(popup: Page) -> None:
            try:
                if not popup.is_closed():
                    await asyncio.wait_for(popup.close(run_before_unload=True), timeout)
            except (PlaywrightError, TimeoutError):
                pass

        await asyncio.gather(*(close(popup) for popup in self.popups))

    async def _download(self, download: Download) -> None:
        self._add("download", f"the page started a download: {download.suggested_filename}", download.url)
        try:
            await download.cancel()
        except PlaywrightError:
            pass

    def _crash(self, page: Page) -> None:
        self.crashed = True
        self._add("crash", "the page's renderer crashed", page.url)

    def _page_error(self, error: Any) -> None:
        self._script_errors += 1
        if self._script_errors <= MAX_SCRIPT_ERRORS:
            self._add("script-error", str(error), self.visit.url)

    def add(self, kind: str, message: str, url: str | None = None) -> None:
        """Errors the visit itself runs into (navigation, timeouts)."""
        self._add(kind, message, url)

    def records(self) -> list[Any]:
        return list(self._errors)


def _site(url: str) -> tuple[str, str] | None:
    """A URL's site as the browser's process model keys it (scheme and registrable domain)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, registrable_domain(parts.hostname)

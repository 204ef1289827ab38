"""What a hostile or broken page throws at the browser: dialogs, popups, downloads,
crashes and script errors. Each becomes an error row on the visit; the visit goes on."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from playwright.async_api import Dialog, Download, Page
from playwright.async_api import Error as PlaywrightError

from leakmap.crawler.collectors.base import Collector
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

    async def _dialog(self, dialog: Dialog) -> None:
        self._add("dialog", f"{dialog.type}: {dialog.message}", self.visit.url)
        try:  # leaving must stay possible: accept "beforeunload", dismiss the rest
            await (dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss())
        except PlaywrightError:
            pass

    async def _popup(self, popup: Page) -> None:
        self._add("popup", "the page opened a window (its requests are recorded with this visit)", popup.url)
        self.popups.append(popup)
        popup.on("dialog", self._dialog)
        popup.on("download", self._download)
        try:  # the new tab hid the page (no animation frames, so no screenshots): the visit goes on there
            if self.visit.page is not None:
                await self.visit.page.bring_to_front()
        except PlaywrightError:
            pass

    async def close_popups(self) -> None:
        """Leave the windows the page opened the way the page itself is left (unload beacons sent)."""
        for popup in self.popups:
            try:
                if not popup.is_closed():
                    await asyncio.wait_for(popup.close(run_before_unload=True), 5)
            except (PlaywrightError, TimeoutError):
                pass

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

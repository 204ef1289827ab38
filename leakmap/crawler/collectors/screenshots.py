"""Screenshots: the page as loaded, the banner before the consent action, the page after it."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from playwright.async_api import Error as PlaywrightError

from leakmap.crawler import pace
from leakmap.crawler.collectors.base import Collector
from leakmap.records import Screenshot


class ScreenshotCollector(Collector):
    name = "screenshots"
    target_types = frozenset()

    def __init__(self, visit):
        super().__init__(visit)
        self._shots: list[Screenshot] = []

    async def take(self, kind: str) -> str | None:
        """Save a viewport screenshot; return its path relative to the output directory."""
        if not self.visit.config.screenshots or self.visit.page is None:
            return None
        relative = f"screenshots/{self.visit.visit_key}-{kind}.png"
        target = self.visit.output_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            png = await asyncio.wait_for(self._capture(), pace.stretch(10))
        except (PlaywrightError, TimeoutError):
            return None
        target.write_bytes(png)
        self._shots.append(Screenshot(time=time.time(), kind=kind, path=relative))
        return relative

    async def _capture(self) -> bytes:
        """The viewport as it is drawn now, through the DevTools protocol: Playwright's own screenshot
        first waits for ``document.fonts.ready``, which stays pending while the document loads, so a
        page whose load never ends (a hanging image) would get no screenshot at all."""
        session = await self.visit.page.context.new_cdp_session(self.visit.page)
        try:
            shot = await session.send("Page.captureScreenshot", {"format": "png"})
        finally:
            try:
                await session.detach()
            except PlaywrightError:
                pass
        return base64.b64decode(shot["data"])

    def records(self) -> list[Any]:
        return list(self._shots)

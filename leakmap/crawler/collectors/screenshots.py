"""Screenshots: the page as loaded, the banner before the consent action, the page after it."""

from __future__ import annotations

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
            await self.visit.page.screenshot(path=str(target), timeout=pace.stretch(10) * 1000,
                                              animations="disabled")
        except PlaywrightError:
            return None
        self._shots.append(Screenshot(time=time.time(), kind=kind, path=relative))
        return relative

    def records(self) -> list[Any]:
        return list(self._shots)

"""A Scrapy download handler that "downloads" a request by visiting it in the audit browser.

Why not scrapy-playwright: it routes every request of every page through
``page.route("**")`` (Playwright's request interception) to apply Scrapy's
headers. Interception disables the HTTP cache, pauses every request on a
round trip to Python and drops requests a closing page still sends
(beacons): it changes the very traffic leakmap audits. Scrapy still drives
the crawl (scheduling, concurrency, retries, stats, item pipelines); this
handler only turns a scheduled visit into a browser visit.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import HtmlResponse, TextResponse

from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import VisitJob

OUTCOME = "leakmap_outcome"
JOB = "leakmap_job"
FETCH = "leakmap_fetch"


class BrowserDownloadHandler(BaseDownloadHandler):
    lazy = False

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.session = BrowserSession(settings["LEAKMAP_CONFIG"], Path(settings["LEAKMAP_BROWSER"]))
        crawler.leakmap_session = self.session  # the runner reads the browser version from it

    async def download_request(self, request: Request) -> TextResponse:
        if request.meta.get(FETCH):
            fetched = await self.session.fetch(request.url, raw=request.meta.get("raw", False))
            request.meta[FETCH] = fetched
            return TextResponse(url=request.url, body=fetched.text.encode(), encoding="utf-8",
                                status=fetched.status or 599, request=request)
        job: VisitJob = request.meta[JOB]
        outcome = await self.session.visit(job)
        request.meta[OUTCOME] = outcome
        # always 200 for Scrapy: the page's real status is in the outcome; the spider judges it
        return HtmlResponse(url=outcome.visit.final_url or request.url, body=outcome.html.encode("utf-8"),
                            encoding="utf-8", status=200, request=request)

    async def close(self) -> None:
        await self.session.close()

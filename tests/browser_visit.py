"""One real visit of a test-web page with the crawler's own browser session, stored like a scan
stores it (for the collector tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from leakmap import records as r
from leakmap.blocklists import registrable_domain
from leakmap.crawler.browser import find_browser
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import VisitJob, VisitOutcome
from leakmap.store import Store


def visit(web, url: str, tmp: Path, job: dict[str, Any] | None = None, **config: Any) -> VisitOutcome:
    """A baseline visit of ``url`` in a fresh profile (``job``: more fields of its VisitJob)."""
    cfg = ScanConfig(host_rules=web.host_rules, ignore_https_errors=True, output_dir=tmp, screenshots=False, **config)

    async def run() -> VisitOutcome:
        session = BrowserSession(cfg, find_browser())
        try:
            return await session.visit(VisitJob(1, "baseline", 0, url, last=True, **(job or {})))
        finally:
            await session.close()

    return asyncio.run(run())


def store_of(outcome: VisitOutcome, path: Path) -> tuple[Store, int]:
    """A store holding the visit as site 1 of a scan; returns it and the scan id."""
    store = Store(path)
    scan_id = store.begin_scan(r.Scan())
    site_id = store.add_site(r.Site(scan_id=scan_id, start_url=outcome.job.url, domain=registrable_domain(outcome.job.url)))
    outcome.visit.site_id = site_id
    store.save_visit(outcome.visit, outcome.evidence)
    return store, scan_id

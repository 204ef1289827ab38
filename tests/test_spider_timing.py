"""The site budget (``--site-timeout``) counts from a site's first visit, not from when the scan
queued it: with many sites and a busy machine, sites far down the queue waited for the others and
were cut before they had run (two scans of the same site then differed)."""

from __future__ import annotations

import time
from types import SimpleNamespace

from scrapy import Request

from leakmap.crawler.config import ScanConfig
from leakmap.crawler.handler import OUTCOME
from leakmap.crawler.spider import AuditSpider, ErrorItem, SitePlan
from leakmap.crawler.visit import VisitJob, VisitOutcome
from leakmap.records import Visit

START = "https://www.example-shop.fr/"
PAGES = [START, START + "a.html", START + "b.html"]


def _visited(spider: AuditSpider, seq: int, started_at: float) -> list:
    """What the spider does once a visit of the site's baseline, begun at ``started_at``, is back."""
    job = VisitJob(1, "baseline", seq, PAGES[seq])
    outcome = VisitOutcome(job=job, visit=Visit(site_id=1, phase="baseline", seq=seq, url=PAGES[seq],
                                                started_at=started_at, ended_at=time.time()))
    return list(spider.on_visit(SimpleNamespace(meta={OUTCOME: outcome})))


def _spider() -> AuditSpider:
    plan = SitePlan(site_id=1, start_url=START, domains=["example-shop.fr"], pages=list(PAGES))
    spider = AuditSpider([plan], ScanConfig(site_timeout=60, phases=("baseline",)))
    spider.crawler = SimpleNamespace()  # no browser session: nothing to close when a phase ends early
    return spider


def test_a_site_queued_for_long_still_gets_its_time():
    spider = _spider()
    items = _visited(spider, 0, time.time() - 5)  # queued since the scan began; its first visit began 5 s ago
    assert not [i for i in items if isinstance(i, ErrorItem)]
    assert [i.meta["leakmap_job"].seq for i in items if isinstance(i, Request)] == [1]


def test_a_site_over_its_time_stops_with_an_error():
    """Near miss: the same site whose first visit began well over the cap ago (stretched at most
    threefold on a loaded machine) stops, and says why."""
    spider = _spider()
    items = _visited(spider, 0, time.time() - 600)
    [error] = [i.record for i in items if isinstance(i, ErrorItem)]
    assert error.kind == "site-timeout" and "--site-timeout 60 s" in error.message
    assert not [i for i in items if isinstance(i, Request)]

"""Scale-out on Scrapy's distributed scheduling (scrapy-redis): a Redis list of sites.

``leakmap scan --queue redis://...`` pushes sites and the run's settings;
``leakmap worker --queue ...`` (on any number of machines) takes sites one
batch at a time and audits them into its own store; ``leakmap merge``
combines the stores. Only *sites* travel through Redis: a site's visits
share one browser's profiles, so every request of a site stays with the
worker that took it (scrapy-redis's shared request scheduler would scatter
a phase across machines).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import redis
from scrapy_redis.spiders import RedisMixin

from leakmap.crawler.config import ScanConfig
from leakmap.crawler.spider import AuditSpider, SiteItem, SitePlan

SITES_KEY = "leakmap:sites"  # list of JSON {"url": ...}
RUN_KEY = "leakmap:run"  # JSON {"key": run id, "config": ScanConfig.to_json()}


class QueueError(Exception):
    """The queue cannot be reached or holds no run; the message says which."""


def connect(url: str) -> redis.Redis:
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise QueueError(f"cannot reach the queue {url}: {exc}") from None
    return server


def push_sites(url: str, sites: list[str], config: ScanConfig) -> str:
    """Queue sites for the workers; the run's settings go with them. Returns the run id."""
    server = connect(url)
    run = server.get(RUN_KEY)
    key = json.loads(run)["key"] if run else uuid.uuid4().hex
    settings = {k: v for k, v in config.to_json().items() if k not in ("output_dir", "browser")}
    server.set(RUN_KEY, json.dumps({"key": key, "config": settings}))
    server.rpush(SITES_KEY, *[json.dumps({"url": site}) for site in sites])
    return key


def read_run(url: str) -> tuple[str, dict[str, Any]]:
    server = connect(url)
    run = server.get(RUN_KEY)
    if not run:
        raise QueueError(f"the queue {url} holds no run: start one with `leakmap scan --queue {url} URL...`")
    data = json.loads(run)
    return data["key"], data["config"]


class QueueSpider(RedisMixin, AuditSpider):
    """The audit spider, fed with sites from Redis whenever it runs out of work."""

    redis_key = SITES_KEY

    def __init__(self, plans: list[SitePlan], config: ScanConfig, new_site: Callable[[str], SitePlan | None],
                 **kwargs):
        super().__init__(plans, config, **kwargs)
        self.new_site = new_site

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        return spider

    async def start(self):
        for request in self.next_requests():
            yield request

    def make_request_from_data(self, data: bytes):
        url = json.loads(data)["url"]
        plan = self.new_site(url)
        if plan is None:
            return []
        self.plans[plan.site_id] = plan
        # only requests can come from here: the site row was made "running" by new_site
        return [r for r in self._site_start(plan) if not isinstance(r, SiteItem)]

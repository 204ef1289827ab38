"""Running a scan: validate input, find the browser, prepare the store, run Scrapy.

Each call runs Scrapy's reactor once, so one process runs one scan (the CLI
and the tests start a process per scan).
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess

from leakmap import __version__
from leakmap.blocklists import registrable_domain
from leakmap.crawler.browser import browser_version, find_browser
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.spider import AuditSpider, SiteItem, SitePlan, VisitItem
from leakmap.records import ErrorRecord, Scan, Site
from leakmap.store import Store

STORE_NAME = "leakmap.db"


class BadInput(ValueError):
    """A URL or option the scan cannot start with; the message is shown as is."""


def check_url(url: str) -> str:
    """A normalised start URL, or BadInput saying what is wrong with it."""
    text = url.strip()
    if not text:
        raise BadInput("empty URL")
    if "://" not in text:
        raise BadInput(f"{text!r} is not a URL: give it with its scheme, e.g. https://{text}")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise BadInput(f"{text!r}: unsupported scheme {parts.scheme!r} (only http and https pages can be audited)")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise BadInput(f"{text!r} is not a valid URL: {exc}") from None
    if not host or " " in host:
        raise BadInput(f"{text!r} has no valid host name")
    return text if parts.path else text + "/"


def read_sites_file(path: Path) -> list[str]:
    urls = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line)
    return urls


@dataclass
class ScanResult:
    store_path: Path
    scan_id: int
    sites: int
    visits: int
    errors: int
    interrupted: bool = False
    incomplete: list[str] = field(default_factory=list)  # "start URL: phase" not fully visited

    @property
    def complete(self) -> bool:
        return not self.interrupted and not self.incomplete


def unfinished_phases(store: Store, scan_id: int, phases: tuple[str, ...]) -> list[str]:
    """Phases of reachable sites that do not have every page of their list stored."""
    out = []
    for site in store.db.query("select * from sites where scan_id = ? and status != 'failed'", [scan_id]):
        pages = len(json.loads(site["pages"] or "[]"))
        out += [f"{site['start_url']}: {phase}" for phase in phases if not store.phase_complete(site["id"], phase, pages)]
    return out


def scrapy_settings(config: ScanConfig, browser: Path, store_path: Path) -> dict:
    handler = "leakmap.crawler.handler.BrowserDownloadHandler"
    return {
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "CONCURRENT_REQUESTS": config.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_TIMEOUT": config.page_timeout * 3,
        "ROBOTSTXT_OBEY": False,  # robots.txt is read for its sitemaps; an audit visits like a visitor
        "COOKIES_ENABLED": False,  # the browser keeps cookies; this also keeps Scrapy's tldextract offline
        "TELNETCONSOLE_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "URLLENGTH_LIMIT": 16384,
        "RETRY_ENABLED": False,  # a visit is never retried alone: a crash restarts its whole phase (spider)
        "DOWNLOADER_MIDDLEWARES": {  # the browser does all of this itself
            "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
            "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": None,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
        },
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.referer.RefererMiddleware": None},
        "REQUEST_FINGERPRINTER_CLASS": "leakmap.crawler.fingerprint.VisitFingerprinter",
        "ITEM_PIPELINES": {"leakmap.crawler.pipeline.StorePipeline": 100},
        "LOG_LEVEL": "ERROR",
        "LOG_INSTALL_ROOT_HANDLER": False,  # leakmap reports through its own summary and the store
        "LEAKMAP_CONFIG": config,
        "LEAKMAP_BROWSER": str(browser),
        "LEAKMAP_STORE": str(store_path),
    }


def _new_scan(urls: list[str], config: ScanConfig, browser: Path, command: str) -> tuple[Store, int, list[SitePlan]]:
    starts = [check_url(u) for u in urls]
    if not starts:
        raise BadInput("no URL to scan")
    config.output_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.output_dir / STORE_NAME)
    scan = Scan(leakmap_version=__version__, browser=str(browser), browser_version=browser_version(browser),
                config={**config.to_json(), "command": command, "urls": starts})
    scan_id = store.begin_scan(scan)
    plans = []
    for order, url in enumerate(starts):
        domain = registrable_domain(urlsplit(url).hostname or "")
        site_id = store.add_site(Site(scan_id=scan_id, start_url=url, domain=domain))
        plans.append(SitePlan(site_id=site_id, start_url=url, domains=[domain, *config.first_party], order=order))
    return store, scan_id, plans


def _resumed_scan(config: ScanConfig) -> tuple[Store, int, ScanConfig, list[SitePlan]]:
    """The last unfinished scan in the output directory, with what is left to do.

    Finished sites stay as they are; a phase is kept when every page of it is stored, else its
    partial records are deleted and it runs again from its landing page (its browser profile,
    cookies and consent click included, did not survive the interruption)."""
    path = config.output_dir / STORE_NAME
    if not path.exists():
        raise BadInput(f"--resume: there is no scan to resume in {config.output_dir} (no {STORE_NAME})")
    store = Store(path)
    row = next(store.db.query("select * from scans where status != 'complete' order by id desc limit 1"), None)
    if row is None:
        raise BadInput(f"--resume: the last scan in {config.output_dir} finished; nothing to resume")
    recorded = json.loads(row["config"] or "{}")
    resumed = ScanConfig.from_json({**recorded, "output_dir": str(config.output_dir), "browser": config.browser})
    plans = []
    for order, site in enumerate(store.db.query("select * from sites where scan_id = ? order by id", [row["id"]])):
        domains = [site["domain"], *resumed.first_party]
        plan = SitePlan(site_id=site["id"], start_url=site["start_url"], domains=domains, order=order)
        if site["status"] in ("done", "failed"):
            continue
        pages = json.loads(site["pages"] or "[]")
        if not pages:
            store.purge(site["id"])
        else:
            plan.pages = pages
            for phase in resumed.phases:
                if store.phase_complete(site["id"], phase, len(pages)):
                    plan.phases_done.add(phase)
                else:
                    store.purge(site["id"], phase)
        plans.append(plan)
    store.db["scans"].update(row["id"], {"status": "running"})
    return store, row["id"], resumed, plans


def run_scan(urls: list[str], config: ScanConfig, on_progress: Progress | None = None,
             command: str = "scan", resume: bool = False) -> ScanResult:
    """Audit every URL in three phases into ``config.output_dir/leakmap.db`` (or, with ``resume``,
    finish the last interrupted scan there)."""
    browser = find_browser(config.browser)
    if resume:
        store, scan_id, config, plans = _resumed_scan(config)
    else:
        store, scan_id, plans = _new_scan(urls, config, browser, command)
    # landing pages first; the rest once each page list is known (resumed sites know it already)
    expected = sum(1 if not p.pages else len(p.pages) * (len(config.phases) - len(p.phases_done)) for p in plans)
    return _crawl(AuditSpider, store, scan_id, config, browser, on_progress, expected, plans=plans)


def run_worker(queue: str, config: ScanConfig, max_idle: int, on_progress: Progress | None = None) -> ScanResult:
    """Take sites from the queue until it stays empty ``max_idle`` seconds (0: forever), auditing
    them into ``config.output_dir/leakmap.db`` with the run's settings."""
    from leakmap.crawler.distributed import QueueSpider, read_run

    browser = find_browser(config.browser)
    run_key, settings = read_run(queue)
    config = ScanConfig.from_json({**settings, "output_dir": str(config.output_dir), "browser": config.browser,
                                   "concurrency": config.concurrency})
    config.output_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.output_dir / STORE_NAME)
    row = next(store.db.query("select id from scans where key = ?", [run_key]), None)
    scan_id = row["id"] if row else store.begin_scan(Scan(
        key=run_key, leakmap_version=__version__, browser=str(browser), browser_version=browser_version(browser),
        config={**config.to_json(), "command": "worker", "queue": queue}))
    order = iter(range(1_000_000))

    def new_site(url: str) -> SitePlan | None:
        try:
            start = check_url(url)
        except BadInput as exc:  # a bad entry in the queue fails alone
            site_id = store.add_site(Site(scan_id=scan_id, start_url=url, status="failed", finished_at=time.time()))
            store.add(ErrorRecord(site_id=site_id, time=time.time(), kind="invalid-url", message=str(exc), url=url))
            return None
        domain = registrable_domain(urlsplit(start).hostname or "")
        site_id = store.add_site(Site(scan_id=scan_id, start_url=start, domain=domain, status="running",
                                      started_at=time.time()))
        return SitePlan(site_id=site_id, start_url=start, domains=[domain, *config.first_party], order=next(order))

    extra = {"REDIS_URL": queue, "MAX_IDLE_TIME_BEFORE_CLOSE": max_idle,
             "REDIS_START_URLS_BATCH_SIZE": max(1, config.concurrency // 2)}
    return _crawl(QueueSpider, store, scan_id, config, browser, on_progress, 0, extra_settings=extra,
                  plans=[], new_site=new_site)


Progress = Callable[[str, int, int], None]


def _dump_tasks(*_: object) -> None:
    """SIGUSR1: print every asyncio task's stack to stderr (what is a stuck scan waiting for?)."""
    import asyncio
    import sys

    for task in asyncio.all_tasks(asyncio.get_event_loop()):
        task.print_stack(file=sys.stderr)


def _crawl(spider_cls, store: Store, scan_id: int, config: ScanConfig, browser: Path, on_progress: Progress | None,
           expected_visits: int, extra_settings: dict | None = None, **spider_args) -> ScanResult:
    logging.getLogger("scrapy").setLevel(logging.ERROR)
    process = AsyncCrawlerProcess({**scrapy_settings(config, browser, store.path), **(extra_settings or {})})
    crawler = process.create_crawler(spider_cls)
    expected = {"visits": expected_visits}

    def progress(item, **_):
        if isinstance(item, SiteItem) and "pages" in item.values:
            expected["visits"] += len(item.values["pages"]) * len(config.phases) - 1
            on_progress("total", expected["visits"], 0)
        elif isinstance(item, VisitItem):
            on_progress("visit", 1, 0)

    if on_progress:
        crawler.signals.connect(progress, signal=signals.item_scraped)
        on_progress("total", expected["visits"], 0)
    process.crawl(crawler, config=config, **spider_args)
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, _dump_tasks)
    started = time.monotonic()
    process.start()
    interrupted = crawler.stats.get_value("finish_reason") not in ("finished", None)
    incomplete = unfinished_phases(store, scan_id, config.phases)
    # "incomplete": some phases could not be finished (crashes, site caps); resume and check see it
    store.end_scan(scan_id, "interrupted" if interrupted else "incomplete" if incomplete else "complete")
    count = "select count(*) from {} where site_id in (select id from sites where scan_id = ?)"
    visits = store.db.execute(count.format("visits"), [scan_id]).fetchone()[0]
    errors = store.db.execute(count.format("errors"), [scan_id]).fetchone()[0]
    sites = store.db.execute("select count(*) from sites where scan_id = ?", [scan_id]).fetchone()[0]
    logging.getLogger(__name__).info("scan %s done in %.1f s", scan_id, time.monotonic() - started)
    store.close()
    return ScanResult(config.output_dir / STORE_NAME, scan_id, sites, visits, errors, interrupted, incomplete)

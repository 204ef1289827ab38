"""Running a scan: validate input, find the browser, prepare the store, run Scrapy.

Each call runs Scrapy's reactor once, so one process runs one scan (the CLI
and the tests start a process per scan).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess

from leakmap import __version__
from leakmap.blocklists import registrable_domain
from leakmap.crawler.browser import browser_version, find_browser
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.session import BrowserGone
from leakmap.crawler.spider import AuditSpider, SiteItem, SitePlan, VisitItem
from leakmap.records import Scan, Site
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
        "RETRY_ENABLED": config.retries > 0,
        "RETRY_TIMES": config.retries,
        "RETRY_EXCEPTIONS": [BrowserGone],
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


def run_scan(urls: list[str], config: ScanConfig, on_progress: Callable[[str, int, int], None] | None = None,
             command: str = "scan") -> ScanResult:
    """Audit every URL in three phases into ``config.output_dir/leakmap.db``."""
    starts = [check_url(u) for u in urls]
    if not starts:
        raise BadInput("no URL to scan")
    browser = find_browser(config.browser)
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

    logging.getLogger("scrapy").setLevel(logging.ERROR)
    process = AsyncCrawlerProcess(scrapy_settings(config, browser, store.path))
    crawler = process.create_crawler(AuditSpider)
    expected = {"visits": len(plans)}  # landing pages first; the rest once each page list is known

    def progress(item, **_):
        if on_progress is None:
            return
        if isinstance(item, SiteItem) and "pages" in item.values:
            expected["visits"] += len(item.values["pages"]) * len(config.phases) - 1
            on_progress("total", expected["visits"], 0)
        elif isinstance(item, VisitItem):
            on_progress("visit", 1, 0)

    crawler.signals.connect(progress, signal=signals.item_scraped)
    if on_progress:
        on_progress("total", expected["visits"], 0)
    process.crawl(crawler, plans=plans, config=config)
    started = time.monotonic()
    process.start()
    interrupted = crawler.stats.get_value("finish_reason") not in ("finished", None)
    store.end_scan(scan_id, "interrupted" if interrupted else "complete")
    visits = store.db.execute(
        "select count(*) from visits where site_id in (select id from sites where scan_id = ?)", [scan_id]
    ).fetchone()[0]
    errors = store.db.execute(
        "select count(*) from errors where site_id in (select id from sites where scan_id = ?)", [scan_id]
    ).fetchone()[0]
    logging.getLogger(__name__).info("scan %s done in %.1f s", scan_id, time.monotonic() - started)
    store.close()
    return ScanResult(config.output_dir / STORE_NAME, scan_id, len(plans), visits, errors)

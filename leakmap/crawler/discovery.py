"""Choosing the pages of a site: same-site links of the landing page and its sitemap.

Every phase visits the same list, so it is fixed once, from the lead phase's
landing page and the sitemap, before the other phases start.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import zip_longest
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from scrapy.http import TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from w3lib.url import canonicalize_url

from leakmap.blocklists import registrable_domain

GPC_JSON = ".well-known/gpc.json"  # a site's statement that it honours GPC (GPC spec, section 6)
_SKIP_EXT = {f".{e}" for e in IGNORED_EXTENSIONS} | {".xml", ".json", ".txt", ".rss", ".atom"}
_SKIP_WORDS = ("logout", "log-out", "signout", "sign-out", "deconnexion", "abmelden", "unsubscribe")
_LINKS = LinkExtractor(deny_extensions=[], unique=True)


def page_key(url: str) -> str:
    """Equal for URLs that are the same page (fragment, query order, default port ignored)."""
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    path = parts.path or "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, parts.query, ""))


def same_site(url: str, site_domains: Iterable[str]) -> bool:
    host = urlsplit(url).hostname or ""
    return urlsplit(url).scheme in ("http", "https") and registrable_domain(host) in set(site_domains)


def acceptable(url: str, site_domains: Iterable[str]) -> bool:
    path = urlsplit(url).path.lower()
    if any(path.endswith(ext) for ext in _SKIP_EXT):
        return False
    if any(word in path for word in _SKIP_WORDS):
        return False
    return same_site(url, site_domains)


def choose_pages(landing: str, sources: list[list[str]], count: int, site_domains: Iterable[str]) -> list[str]:
    """The landing page, then up to ``count - 1`` pages taken in turn from each source
    (links, sitemap, ...), so pages reachable only one way are not crowded out."""
    domains = list(site_domains)
    seen = {page_key(landing)}
    usable: list[list[str]] = []
    for source in sources:
        kept = []
        for url in source:
            key = page_key(url)
            if key not in seen and acceptable(url, domains):
                seen.add(key)
                kept.append(url.split("#")[0])
        usable.append(kept)
    chosen = [landing]
    for group in zip_longest(*usable):
        chosen.extend(url for url in group if url is not None)
    return chosen[:count]


def robots_sitemaps(robots_text: str, base_url: str) -> list[str]:
    return list(sitemap_urls_from_robots(robots_text.encode("utf-8"), base_url=base_url))


def parse_sitemap(body: bytes) -> tuple[str, list[str]]:
    """(type, locations): type is ``urlset`` or ``sitemapindex``; ('', []) when not a sitemap."""
    try:
        sitemap = Sitemap(body)
    except Exception:  # noqa: BLE001 - lxml raises several kinds on junk
        return "", []
    return sitemap.type or "", [entry["loc"] for entry in sitemap if entry.get("loc")]


def links_in(html: str, url: str) -> list[str]:
    """Links of a raw HTML document (discovery beyond depth 1 reads pages without rendering them)."""
    response = TextResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    try:
        return [link.url for link in _LINKS.extract_links(response)]
    except (AttributeError, ValueError):
        return []


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return urljoin(f"{parts.scheme}://{parts.netloc}", "/")


def gpc_statement(fetched: Any) -> dict[str, Any]:
    """What ``/.well-known/gpc.json`` said: ``{"url", "status", "json"}`` when it is a JSON object
    (``{"gpc": true, "lastUpdate": "..."}`` means the site says it honours GPC), else the error."""
    out: dict[str, Any] = {"url": fetched.url, "status": fetched.status}
    if fetched.error:
        out["error"] = fetched.error
    elif fetched.status == 200:
        try:
            body = json.loads(fetched.text)
        except ValueError:
            body = None
        if isinstance(body, dict):
            out["json"] = body
        else:
            out["error"] = "not a JSON object"
    return out

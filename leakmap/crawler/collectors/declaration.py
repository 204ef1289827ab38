"""What a site publishes about its cookies, read once on its landing page (``VisitContext.declaration``).

The consent platforms' own configurations (Klaro, vanilla-cookieconsent, tarteaucitron.js,
OneTrust, Cookiebot, Osano cookieconsent, an IAB TCF vendor list) are stored as the page holds
them, and the links to a cookie or privacy policy the page shows are stored too (even none: the
search ran); the spider then fetches those pages (``kind = policy-page``). Nothing is judged here:
:mod:`leakmap.declaration` parses and compares in analysis, so a newer leakmap re-reads an old store.
"""

from __future__ import annotations

import asyncio
import json
import time
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from leakmap.blocklists.domains import registrable_domain
from leakmap.crawler.collectors.base import Collector
from leakmap.records import DeclarationRecord
from leakmap.wording import texts

MAX_CONTENT = 2_000_000  # characters of one configuration or page kept
MAX_POLICY_PAGES = 3
READ_TIMEOUT = 10.0  # seconds the page may take to answer (its main thread may be kept busy)
_READER = resources.files("leakmap.crawler.collectors").joinpath("declaration.js").read_text(encoding="utf-8")
_WHERE_RANK = {"cmp": 0, "banner": 1, "footer": 2, "page": 3}


def policy_pages(links: list[dict[str, Any]], site_url: str, limit: int = MAX_POLICY_PAGES) -> list[str]:
    """The policy pages worth reading, best first: links a consent platform names or whose text
    speaks of cookies before privacy pages, the banner's and footer's before others, the site's
    own before another site's."""
    site = registrable_domain(urlsplit(site_url).hostname or "")

    def rank(link: dict[str, Any]) -> tuple:
        url, text = link["url"], (link.get("text") or "").lower()
        return (registrable_domain(urlsplit(url).hostname or "") != site, "cookie" not in text + url.lower(),
                _WHERE_RANK.get(link.get("where", "page"), 3))

    return list(dict.fromkeys(link["url"] for link in sorted(links, key=rank)))[:limit]


class DeclarationCollector(Collector):
    name = "declaration"
    target_types = frozenset()

    def __init__(self, visit):
        super().__init__(visit)
        self._records: list[DeclarationRecord] = []
        self._done = False

    async def on_loaded(self, page: Page) -> None:
        if not self.visit.declaration or self._done:
            return
        self._done = True
        now = time.time()
        try:
            found = await asyncio.wait_for(page.evaluate(_READER, {"words": list(texts("policy-link"))}), READ_TIMEOUT)
        except (PlaywrightError, TimeoutError) as exc:
            reason = exc.message.splitlines()[0] if isinstance(exc, PlaywrightError) else \
                f"no answer within {READ_TIMEOUT:.0f} s (a busy page)"
            self._records.append(DeclarationRecord(time=now, kind="links", url=page.url,
                                                   error=f"the page could not be read: {reason}"))
            return
        for cmp in found.get("cmps") or ():
            content = json.dumps(cmp.get("config"), ensure_ascii=False, separators=(",", ":"))
            self._records.append(DeclarationRecord(
                time=now, kind="cmp", source=str(cmp.get("source")), url=page.url, content=content[:MAX_CONTENT],
                error=f"cut at {MAX_CONTENT:,} characters" if len(content) > MAX_CONTENT else None))
        links = [link for link in found.get("links") or () if isinstance(link, dict) and link.get("url")]
        self._records.append(DeclarationRecord(
            time=now, kind="links", url=page.url,
            details={"links": links[:200], "policy_pages": policy_pages(links, self.visit.url)}))

    def records(self) -> list[Any]:
        return list(self._records)

"""Who a host is for one audited site, and whether a request to it is tracking.

A host's categories decide when they are clear-cut: tracking categories only -> tracking;
essential categories only (CDN, hosting, payment, anti-fraud, the CMP, necessary) -> never
tracking. When they are mixed (``google.com``: advertising and anti-fraud; ``fpjs.io``:
fingerprinting and anti-fraud) or the host is unknown, the request URL decides through
EasyPrivacy/EasyList: a match is tracking (EasyList -> advertising, EasyPrivacy -> analytics for
unknown hosts), no match is not. Other known categories (tag manager, embedded content, chat,
functional, IP geolocation, identity verification) are not tracking on their own, and neither
is a data broker registration: a registered company's host is a broker's (``broker-exposure``)
and tracking only by its own categories or by what its requests do.

Everything is memoised: parties per (site, host), filter verdicts per URL without its query
string (filters keyed on query parameters are rare, and this keeps a million-request scan fast).
"""

from __future__ import annotations

from dataclasses import dataclass

from leakmap.blocklists import Classification, CookieInfo, FilterMatch, Knowledge
from leakmap.blocklists.domains import host_of, registrable_domain
from leakmap.blocklists.taxonomy import listing_verdict

_FILTER_CATEGORY = {"easylist": "advertising", "easyprivacy": "analytics"}
# DevTools resource types -> adblock request types
_RTYPES = {
    "Document": "document", "Stylesheet": "stylesheet", "Image": "image", "Media": "media", "Font": "font",
    "Script": "script", "XHR": "xmlhttprequest", "Fetch": "xmlhttprequest", "Ping": "ping",
    "WebSocket": "websocket", "EventSource": "other", "Manifest": "other", "Prefetch": "other", "Other": "other",
}
_SUBFRAME = "sub_frame"


@dataclass(frozen=True, slots=True)
class Party:
    """A host as seen from one site."""

    host: str
    domain: str
    first_party: bool
    c: Classification
    tracking: bool | None  # True / False from the categories; None: the request URL decides
    essential: bool  # some category is essential
    tracking_category: str | None  # the first tracking category, if any

    @property
    def entity(self) -> str | None:
        return self.c.entity

    @property
    def categories(self) -> tuple[str, ...]:
        return self.c.categories

    @property
    def broker(self) -> bool:
        return self.c.broker

    @property
    def label(self) -> str:
        """Who, and through which domain: one owner often has several (facebook.com, facebook.net)."""
        return self.label_with()

    def label_with(self, *facts: str) -> str:
        """``Meta Platforms, Inc. (facebook.net, social)``; a party without a known owner is its domain."""
        inner = ", ".join(x for x in (self.domain if self.c.entity else None, *facts) if x)
        return f"{self.c.entity or self.domain} ({inner})" if inner else self.domain


class Parties:
    """Memoised classification of hosts for sites, over one :class:`Knowledge`."""

    def __init__(self, kb: Knowledge):
        self.kb = kb
        self._parties: dict[tuple[int, str], Party] = {}
        self._first: dict[tuple[int, str], bool] = {}
        self._filters: dict[tuple[str, str], FilterMatch | None] = {}
        self._site_domains: dict[int, tuple[str, tuple[str, ...]]] = {}
        self._cookies: dict[tuple[str, str], CookieInfo | None] = {}
        self.versions = kb.versions()

    def register(self, site_id: int, domain: str, aliases: tuple[str, ...]) -> None:
        self._site_domains[site_id] = (domain, aliases)
        # a site is analysed once: forget the previous site's memo to bound memory
        if len(self._parties) > 200_000:
            self._parties.clear()
            self._first.clear()

    def of(self, site_id: int, host: str) -> Party:
        key = (site_id, host)
        party = self._parties.get(key)
        if party is None:
            party = self._parties[key] = self._make(site_id, host)
        return party

    def _first_party(self, site_id: int, domain: str) -> bool:
        key = (site_id, domain)  # first party depends on the registrable domain only
        known = self._first.get(key)
        if known is None:
            site_domain, aliases = self._site_domains.get(site_id, ("", ()))
            known = self._first[key] = bool(site_domain) and self.kb.is_first_party(domain, site_domain, aliases)
        return known

    def of_url(self, site_id: int, url: str | None) -> Party | None:
        if not url or "://" not in url:
            return None
        host = host_of(url)
        return self.of(site_id, host) if host else None

    def setter(self, site_id: int, origin: str, host: str | None, script_url: str | None,
               domain: str | None) -> Party:
        """The party that wrote a cookie: the script for ``document.cookie``, else the responding host
        (the cookie's own domain when the row names no host)."""
        if origin == "js" and script_url:
            party = self.of_url(site_id, script_url)
            if party is not None:
                return party
        return self.of(site_id, host or (domain or "").lstrip(".").lower())

    def _make(self, site_id: int, host: str) -> Party:
        c = self.kb.classify(host) if host else Classification("", "")
        first = bool(host) and self._first_party(site_id, c.domain or host)
        tracking, essential, category = listing_verdict(c.categories, c.known)
        return Party(host, c.domain or host, first, c, tracking, essential, category)

    def cookie(self, name: str, domain: str) -> CookieInfo | None:
        """The known-cookie entry for a cookie name set on ``domain``."""
        key = (name, domain)
        if key not in self._cookies:
            self._cookies[key] = self.kb.cookie(name, domain or None)
        return self._cookies[key]

    # -- per request ---------------------------------------------------------------------------

    def filter_match(self, url: str, page: str | None, resource_type: str) -> FilterMatch | None:
        base = url.split("?", 1)[0].split("#", 1)[0]
        rtype = _RTYPES.get(resource_type, "other")
        if resource_type == "Document" and page and registrable_domain(page) != registrable_domain(url):
            rtype = _SUBFRAME
        key = (base, rtype)
        if key not in self._filters:
            if len(self._filters) > 500_000:
                self._filters.clear()
            self._filters[key] = self.kb.match_url(url, page or url, rtype)
        return self._filters[key]

    def tracking(self, party: Party, url: str, page: str | None, resource_type: str) -> tuple[str | None, FilterMatch | None]:
        """The tracking category of a request to a third party (None: not tracking) and the filter
        that decided it, when a filter did."""
        if party.first_party or party.tracking is False:
            return None, None
        if party.tracking:
            return party.tracking_category, None
        match = self.filter_match(url, page, resource_type)
        if match is None:
            return None, None
        return party.tracking_category or _FILTER_CATEGORY.get(match.list, "analytics"), match

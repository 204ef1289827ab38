"""Cookie writes as the browser took them: which were refused, and who wrote each one."""

from __future__ import annotations

from functools import lru_cache

from leakmap.analysis.data import CookieWrite, SiteData
from leakmap.analysis.parties import Parties, Party
from leakmap.blocklists.domains import is_public_suffix


@lru_cache(maxsize=65536)
def _public_suffix(name: str) -> bool:
    return is_public_suffix(name)


def refused(w: CookieWrite) -> bool:
    """The browser did not store this write (or it deletes the cookie)."""
    if w.blocked or (w.lifetime is not None and w.lifetime <= 0):
        return True
    d = (w.domain or "").lstrip(".").lower()
    if not d:
        return False
    host = (w.host or "").lower()
    return not (host == d or host.endswith("." + d)) or _public_suffix(d)


def setter(site: SiteData, parties: Parties, w: CookieWrite) -> Party:
    """The party that wrote a cookie (:meth:`Parties.setter`)."""
    return parties.setter(site.id, w.origin, w.host, w.script_url, w.domain)

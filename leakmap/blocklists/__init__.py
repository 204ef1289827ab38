"""Knowledge about third parties: registrable domains, owners, categories, known cookies, filter lists.

Entry points: :func:`registrable_domain` and :class:`Knowledge` (``Knowledge.load()`` then
``classify``, ``is_first_party``, ``cookie``, ``match_url``, ``explain``, ``versions``). The category
ids are documented in :mod:`leakmap.blocklists.taxonomy`.
"""

from .domains import host_of, registrable_domain
from .facts import Classification, CookieInfo, Fact, FilterMatch, Opinion, Registration
from .knowledge import PRECEDENCE, Knowledge
from .taxonomy import ALL_CATEGORIES, ESSENTIAL_CATEGORIES, TRACKING_CATEGORIES

__all__ = [
    "ALL_CATEGORIES",
    "ESSENTIAL_CATEGORIES",
    "PRECEDENCE",
    "TRACKING_CATEGORIES",
    "Classification",
    "CookieInfo",
    "Fact",
    "FilterMatch",
    "Knowledge",
    "Opinion",
    "Registration",
    "host_of",
    "registrable_domain",
]

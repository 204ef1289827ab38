"""Declared purposes in leakmap's taxonomy, and when a declaration understates what a cookie does.

A declared purpose ("Strictly necessary", "Mesure d'audience", "Werbung", a consent platform's
category key) is recognised by the purpose words of the vocabulary (``purpose-*`` roles, many
languages, with their sources): the text must name exactly one purpose; a text naming none, or
several ("necessary for our statistics"), is not recognised and is never judged.

Purposes are compared by what they let a visitor expect, from least to most intrusive: necessary,
functional, analytics, advertising (social media, data brokers and fingerprinting with it). A
declaration contradicts the verdict only when it *understates*: a cookie judged tracking declared
necessary or functional (high), one judged advertising declared analytics (medium). One declared
for more than it does (a session cookie filed under marketing) misleads nobody into consenting.
"""

from __future__ import annotations

import re
from functools import cache

from leakmap.blocklists import TRACKING_CATEGORIES
from leakmap.wording import normalise, texts

# the vocabulary's purpose roles -> the taxonomy category a declaration claims
ROLES = {"purpose-necessary": "necessary", "purpose-functional": "functional", "purpose-analytics": "analytics",
         "purpose-advertising": "advertising", "purpose-social": "social"}
# taxonomy categories by how intrusive a visitor may expect them to be
RANK = {
    "necessary": 0, "consent-management": 0, "cdn": 0, "hosting": 0, "payment": 0, "anti-fraud": 0,
    "functional": 1, "embedded-content": 1, "customer-interaction": 1, "monitoring": 1, "tag-manager": 1,
    "analytics": 2, "session-replay": 2,
    "advertising": 3, "social": 3, "data-broker": 3, "fingerprinting": 3,
}


@cache
def _words() -> list[tuple[re.Pattern[str], str]]:
    """Every purpose word or phrase with its category, longest first (``analytics cookies`` before ``analytics``)."""
    pairs = [(text, category) for role, category in ROLES.items() for text in texts(role)]
    pairs.sort(key=lambda p: -len(p[0]))
    return [(re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)"), category) for text, category in pairs]


def category_of(*candidates: str | None) -> str | None:
    """The purpose the first recognisable text names (each names exactly one), else None."""
    for text in candidates:
        value = normalise((text or "").replace("_", " ").replace("-", " "))
        if not value:
            continue
        found = set()
        for pattern, category in _words():
            if pattern.search(value):
                found.add(category)
                value = pattern.sub(" ", value)
        if len(found) == 1:
            return found.pop()
    return None


def understated(declared: str | None, observed: str | None) -> str | None:
    """The severity of a declaration that understates the verdict, or None when it does not.

    ``declared``: the declared purpose's category; ``observed``: the category the verdict gives the
    cookie (a tracking category, ``identifier-tracking`` for a tracker of no known kind, or an
    essential or other category from the known-cookie table)."""
    from leakmap.analysis.rules.behaviour import IDENTIFIER_TRACKING  # the rules import this module

    if declared not in RANK or observed is None:
        return None
    tracking = observed in TRACKING_CATEGORIES or observed == IDENTIFIER_TRACKING
    if RANK[declared] <= 1 and tracking:
        return "high"
    if RANK[declared] == 2 and RANK.get(observed, -1) == 3:
        return "medium"
    return None

"""The one category taxonomy of leakmap: every fact, whatever its source, is mapped onto these ids.

Tracking (a request to such a party before consent or after "reject all" is a finding):

- ``advertising``: ad serving, exchanges (SSP/DSP), retargeting, affiliate and ad-measurement networks.
- ``analytics``: web analytics, audience measurement, A/B testing and marketing automation that
  follows visitors.
- ``social``: social-network pixels, buttons and login widgets.
- ``data-broker``: data brokers, data-management platforms and identity-resolution / ID-graph
  companies (they build profiles across sites, often sold on).
- ``session-replay``: recording of clicks, mouse moves and keystrokes to replay a visit.
- ``fingerprinting``: device fingerprinting used to recognise a browser without cookies.

Essential (a site may need them to work; never flagged as tracking on their own):

- ``cdn``: content delivery and public libraries/fonts hosting.
- ``hosting``: cloud hosting, object storage, website builders' infrastructure.
- ``payment``: payment processing and checkout.
- ``anti-fraud``: bot protection, captchas, fraud detection.
- ``consent-management``: consent platforms (CMPs) and their consent-record cookies.
- ``necessary``: strictly necessary cookies (session, CSRF, load balancing).

Neither (reported, judged by the rules per case):

- ``tag-manager``: tag management systems that load other parties.
- ``customer-interaction``: chat, support, feedback, survey and review widgets.
- ``embedded-content``: video/audio players, maps, comment and other embedded widgets.
- ``functional``: preference cookies (language, player settings) with no cross-site purpose.
- ``monitoring``: error and performance monitoring (RUM) of the site itself.
- ``geolocation``: IP geolocation lookups (the visitor's country or city from the IP address).
- ``identity-verification``: identity, age or eligibility checks (student or military discounts, KYC).

A host's categories say what it is for; whether its owner is a registered data broker is a
separate fact (``broker``: :mod:`leakmap.blocklists.bundled`), so a registered company's IP
geolocation API is a broker's host without being tracking by its listing.
"""

from __future__ import annotations

TRACKING_CATEGORIES: frozenset[str] = frozenset(
    {"advertising", "analytics", "social", "data-broker", "session-replay", "fingerprinting"}
)
ESSENTIAL_CATEGORIES: frozenset[str] = frozenset(
    {"cdn", "hosting", "payment", "anti-fraud", "consent-management", "necessary"}
)
OTHER_CATEGORIES: frozenset[str] = frozenset(
    {"tag-manager", "customer-interaction", "embedded-content", "functional", "monitoring", "geolocation",
     "identity-verification"}
)
ALL_CATEGORIES: frozenset[str] = TRACKING_CATEGORIES | ESSENTIAL_CATEGORIES | OTHER_CATEGORIES

# How the categories of the downloaded lists map onto ours (lower-cased source labels).
DDG_CATEGORIES: dict[str, tuple[str, ...]] = {
    "advertising": ("advertising",),
    "ad motivated tracking": ("advertising",),
    "action pixels": ("advertising",),
    "ad fraud": ("anti-fraud",),
    "analytics": ("analytics",),
    "audience measurement": ("analytics",),
    "third-party analytics marketing": ("analytics",),
    "session replay": ("session-replay",),
    "social network": ("social",),
    "social - share": ("social",),
    "social - comment": ("social",),
    "federated login": ("social",),
    "badge": ("social",),
    "embedded content": ("embedded-content",),
    "online payment": ("payment",),
    "cdn": ("cdn",),
    "tag manager": ("tag-manager",),
    "support chat widget": ("customer-interaction",),
    "consent management platform": ("consent-management",),
}
DISCONNECT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "advertising": ("advertising",),
    "analytics": ("analytics",),
    "social": ("social",),
    "content": ("embedded-content",),
    "fingerprintinginvasive": ("fingerprinting",),
    "fingerprintinggeneral": ("fingerprinting",),
    "anti-fraud": ("anti-fraud",),
    "consentmanagers": ("consent-management",),
    "email": ("analytics",),
    "emailaggressive": ("analytics",),
    "cryptomining": (),
    "disconnect": (),
}
GHOSTERY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "advertising": ("advertising",),
    "pornvertising": ("advertising",),
    "site_analytics": ("analytics",),
    "social_media": ("social",),
    "customer_interaction": ("customer-interaction",),
    "audio_video_player": ("embedded-content",),
    "consent": ("consent-management",),
    "hosting": ("hosting",),
    "utilities": (),
    "misc": (),
    "extensions": (),
}
# Open Cookie Database cookie categories.
OCD_CATEGORIES: dict[str, str] = {
    "marketing": "advertising",
    "analytics": "analytics",
    "functional": "functional",
    "personalization": "functional",
    "security": "necessary",
    "necessary": "necessary",
}


def listing_verdict(categories: tuple[str, ...], known: bool) -> tuple[bool | None, bool, str | None]:
    """What a host's listing alone says: (tracking: True, False, or None when each request decides
    (mixed or unknown listing), whether some category is essential, its first tracking category).
    A data broker registration is no category: it never makes a host tracking on its own."""
    tracking = [x for x in categories if x in TRACKING_CATEGORIES]
    essential = any(x in ESSENTIAL_CATEGORIES for x in categories)
    first = tracking[0] if tracking else None
    if tracking and not essential:
        return True, False, first
    if tracking or not known:
        return None, essential, first  # mixed or unknown: the URL decides
    return False, essential, None


def check(categories: list[str] | tuple[str, ...], where: str) -> tuple[str, ...]:
    """Reject category ids outside the taxonomy, so a typo in the data fails loudly at load."""
    bad = [c for c in categories if c not in ALL_CATEGORIES]
    if bad:
        raise ValueError(f"{where}: unknown categories {bad} (see leakmap.blocklists.taxonomy)")
    return tuple(categories)

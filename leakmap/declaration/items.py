"""One declared cookie or storage key, as some published declaration lists it, and how it is matched.

Declarations name cookies in several ways: an exact name (``_fbp``), a name with a variable part
(``_ga_*``, ``_ga_<container-id>``, Cookiebot's ``_ga_#``, OneTrust's ``_ga_xxxxxxxxxx``), or a
regular expression (Klaro, vanilla-cookieconsent: ``/^_ga(_.*)?$/``). A declared domain, when
there is one, must cover the observed cookie's (same registrable domain, or the host itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from leakmap.blocklists.domains import registrable_domain

# the variable part of a declared name: *, <id>, [id], {id}, Cookiebot's #, OneTrust's xxxx (4 or more)
_VARIABLE = re.compile(r"\*|<[^<>]{1,40}>|\[[^\[\]]{1,40}\]|\{[^{}]{1,40}\}|#+|(?<=[_.-])[xX]{4,}(?=$|[_.-])")
_DOMAIN = re.compile(r"^\.?([a-z0-9-]+\.)+[a-z]{2,}$")


def domain_like(text: str | None) -> str | None:
    """``text`` as a cookie domain (``.facebook.com`` -> ``facebook.com``), or None when it is a
    company or service name rather than a domain."""
    value = (text or "").strip().lower()
    return value.lstrip(".") if _DOMAIN.match(value) else None


@dataclass(frozen=True)
class Source:
    """Where a declared item comes from: a consent platform's configuration, or a policy page."""

    kind: str  # cmp, policy-page, policy-text
    name: str  # the platform (klaro, onetrust, ...) or the page's URL
    where: str = ""  # inside it: "services[google-analytics]", "table 1, row 3"

    def label(self) -> str:
        what = f"{self.name} configuration" if self.kind == "cmp" else self.name
        return f"{what} ({self.where})" if self.where else what

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "where": self.where}


@dataclass(frozen=True)
class Declared:
    """A cookie or storage key a site declares, with what it says about it."""

    name: str  # as written (a regular expression's source for regex names)
    source: Source
    regex: str | None = None  # a regular expression the name is (flags folded in: "(?i)...")
    domain: str | None = None  # a declared domain, when the declaration gives one
    purpose: str | None = None  # the declared purpose, in the site's words
    category: str | None = None  # that purpose in leakmap's taxonomy (None: not recognised)
    lifetime: str | None = None  # the declared lifetime, in the site's words
    lifetime_days: float | None = None  # that lifetime in days (0: a session cookie; None: not understood)
    provider: str | None = None
    type: str | None = None  # as declared (HTTP cookie, localStorage, ...), when it is
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if self.regex is not None:
            try:
                return re.compile(self.regex)
            except re.error:
                return None
        if _VARIABLE.search(self.name):
            parts = _VARIABLE.split(self.name)
            return re.compile("".join(re.escape(p) + ("" if i == len(parts) - 1 else ".+") for i, p in enumerate(parts))
                              + r"\Z")
        return None

    @property
    def pattern(self) -> bool:
        return self._pattern is not None or self.regex is not None

    def matches_name(self, name: str) -> bool:
        if self.regex is not None:
            return self._pattern is not None and self._pattern.search(name) is not None
        if self._pattern is not None:
            return self._pattern.match(name) is not None
        return self.name == name

    def matches(self, name: str, domain: str) -> bool:
        """The observed cookie or key ``name`` on ``domain`` (a cookie's domain, a storage origin's host)."""
        if not self.matches_name(name):
            return False
        if not self.domain:
            return True
        declared, observed = self.domain.lower().lstrip("."), domain.lower().lstrip(".")
        return (observed == declared or observed.endswith("." + declared) or declared.endswith("." + observed)
                or registrable_domain(observed) == registrable_domain(declared))

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "pattern": self.pattern, "domain": self.domain, "purpose": self.purpose,
                "category": self.category, "lifetime": self.lifetime, "lifetime_days": self.lifetime_days,
                "provider": self.provider, "type": self.type, "source": self.source.as_dict(),
                "declared_by": self.source.label()}


def js_regex(value: Any) -> str | None:
    """A page regular expression as serialised by the crawler (``{"$regexp", "flags"}``) in Python's
    syntax, or None when ``value`` is none."""
    if isinstance(value, dict) and isinstance(value.get("$regexp"), str):
        flags = "".join(f for f in value.get("flags") or "" if f in "ims")
        return (f"(?{flags})" if flags else "") + value["$regexp"]
    return None

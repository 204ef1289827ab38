"""Hosts and registrable domains, offline: tldextract with its bundled Public Suffix List snapshot.

Private PSL suffixes (``github.io``, ``cloudfront.net``) count, as they do for browsers' site
boundaries: ``a.github.io`` and ``b.github.io`` are different parties.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

import idna
import tldextract

# suffix_list_urls=() and cache_dir=None: never fetch, never write; use the snapshot in the wheel.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


# scheme://[userinfo@]host — the RFC 3986 authority's host, without urlsplit's per-call cache churn
# (request URLs are nearly all distinct).
_URL_HOST = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)")


def host_of(query: str) -> str:
    """Normalise a host or URL to a lower-case ASCII host: no port, no trailing dot, IDN as punycode."""
    q = query.strip()
    m = _URL_HOST.match(q)
    if m:
        netloc = m.group(1)
    elif "/" in q or "@" in q:
        netloc = urlsplit(q if "//" in q else "//" + q).hostname or ""
    elif q.startswith("["):
        netloc = q[1 : q.find("]")] if "]" in q else q[1:]
    elif q.count(":") == 1:  # host:port (a bare IPv6 address has several colons)
        netloc = q.split(":", 1)[0]
    else:
        netloc = q
    host = netloc.strip("[]").rstrip(".").lower()
    if not host.isascii():
        host = _to_ascii(host)
    return host


def _to_ascii(host: str) -> str:
    """IDNA 2008 with UTS #46 mapping, as browsers do; a label that cannot be encoded is kept."""
    out = []
    for label in host.split("."):
        try:
            out.append(label if label.isascii() else idna.encode(label, uts46=True).decode("ascii"))
        except idna.IDNAError:
            out.append(label)
    return ".".join(out)


def is_ip(host: str) -> bool:
    """True for IPv4/IPv6 literals (which have no registrable domain)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65536)
def registrable_host(host: str) -> str:
    """eTLD+1 of an already normalised host (see :func:`host_of`)."""
    if not host or "." not in host or is_ip(host):
        return host  # localhost, single-label intranet names, IP literals: as-is
    parts = _EXTRACT.extract_str(host)
    if not parts.suffix or not parts.domain:
        return host  # a public suffix itself, or an unknown TLD: nothing to group by
    return f"{parts.domain}.{parts.suffix}"


def registrable_domain(query: str) -> str:
    """eTLD+1 of a host or URL (``region1.google-analytics.com`` -> ``google-analytics.com``)."""
    return registrable_host(host_of(query))


def is_public_suffix(name: str) -> bool:
    """True when ``name`` is itself a public suffix (``co.uk``, ``github.io``)."""
    parts = _EXTRACT.extract_str(name)
    return not parts.domain and bool(parts.suffix)


@lru_cache(maxsize=1)
def suffix_ancestors() -> frozenset[str]:
    """Names that are a proper parent of some PSL rule (``amazonaws.com`` for ``s3.amazonaws.com``).

    Below such a name the registrable domain depends on deeper labels; below any other registrable
    name ``K`` every host ``x.K`` has registrable domain ``K``, which lets the matcher skip tldextract.
    """
    out: set[str] = set()
    for rule in _EXTRACT.tlds:
        labels = rule.lstrip("!*.").split(".")
        # below "*.X" every "a.X" is a suffix, so X itself is an ancestor too
        for i in range(0 if rule.startswith("*.") else 1, len(labels)):
            out.add(".".join(labels[i:]))
    return frozenset(out)

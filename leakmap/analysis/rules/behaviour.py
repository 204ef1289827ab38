"""Behaviour over labels: a third party that acts like a tracker is judged as one.

Labels come first: a party listed only under tracking categories is tracking, one listed only
under essential ones (CDN, payment, bot protection, the CMP) is not, and for the rest (mixed,
unknown, embedded content, tag managers, chat widgets, ...) EasyPrivacy/EasyList decide per
request (:meth:`leakmap.analysis.parties.Parties.tracking`). On top of that, a request is
tracking by what it does, whatever the party's label:

- it **sets** (``Set-Cookie`` in its response) or **sends** (``Cookie`` header) a cookie the
  known-cookie table classifies as tracking (YouTube's ``VISITOR_INFO1_LIVE``), or, for a party
  not listed as essential, an unlisted identifier cookie (long-lived, with a token that differs
  across the phases' fresh profiles: Acar et al. 2014);
- for a party not listed as essential, its URL or body **carries** an identifier token of a
  cookie (its own or another's).

A party is then judged per phase and moment (:func:`leakmap.analysis.rules.common.verdicts`):
tracking at that moment when one of its requests then is. Every rule uses that verdict, so a
party is never tracking for one rule and essential for another.

Behaviour also clears a label: an analytics party (listed only as analytics, or matched by
EasyPrivacy) that at that phase and moment set or sent no cookie, had its scripts write no web
storage, sent no identifier (the cookies' identifier tokens, nor a field of its own requests
that holds a generated value differing between fresh profiles: :mod:`~leakmap.analysis.rules.params`)
and made no fingerprinting call (:mod:`~leakmap.analysis.rules.techniques`) measured the audience
without tracking anyone (:func:`audience_measurement`): Plausible, Fathom, Umami, a Matomo with
cookies disabled. It is not tracking then; the request rules report its traffic as an ``info``
advisory naming the conditions of the CNIL's audience-measurement exemption (what leakmap cannot
see: the publisher's exclusive use, retention, no combination with other data), and it never
makes ``consent-banner-missing`` fire. What the vendor documents comes from the knowledge data
(``blocklists/data/measurement.toml``); the behaviour decides, listed there or not.
"""

from __future__ import annotations

from typing import Any

from leakmap.analysis.data import CookieWrite, Req, SiteData, memo
from leakmap.analysis.findings import moment_of_row
from leakmap.analysis.identifiers import bounded, tokens
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.idsources import IdSource, id_sources
from leakmap.analysis.rules.params import sent_identifiers
from leakmap.analysis.rules.techniques import technique
from leakmap.analysis.rules.writes import refused, setter
from leakmap.blocklists import TRACKING_CATEGORIES

IDENTIFIER_TRACKING = "identifier-tracking"  # the category of a party tracking by an unlisted identifier cookie
AUDIENCE_MEASUREMENT = "audience-measurement"  # the basis of an analytics party that tracked no one


def strict(party: Party) -> bool:
    """Listed as essential only: only cookies the table calls tracking can make it tracking."""
    return party.essential and party.tracking is False


def _identifier(site: SiteData, parties: Parties, phase: str, name: str, value: str) -> IdSource | None:
    """The identifier token of cookie ``name`` in ``value``, when the cross-profile test confirms one."""
    index = id_sources(site, parties).get(phase)
    if not index:
        return None
    for token in tokens(value):
        for source in index.get(token, ()):
            if source.name == name and source.is_identifier():
                return source
    return None


def tracking_cookie(site: SiteData, parties: Parties, phase: str, name: str, domain: str, value: str,
                    known_only: bool) -> tuple[str, dict[str, Any]] | None:
    """(category, facts) when cookie ``name`` on ``domain`` is a tracking cookie: the table says so,
    or (unless ``known_only``) the table does not know it and it holds an identifier."""
    info = parties.cookie(name, domain)
    if info is not None:
        if info.category not in TRACKING_CATEGORIES:
            return None
        return info.category, {"cookie": name, "known_cookie": {"platform": info.platform, "category": info.category,
                                                                 "source": info.source}}
    if known_only:
        return None
    source = _identifier(site, parties, phase, name, value)
    if source is None:
        return None
    return IDENTIFIER_TRACKING, {"cookie": name, "identifier": source.token,
                                 "compared_across_profiles": source.confirmed}


def _set_by(site: SiteData) -> dict[tuple[int, str], list[CookieWrite]]:
    """(visit id, response URL) -> the Set-Cookie writes of that response."""
    def compute() -> dict[tuple[int, str], list[CookieWrite]]:
        out: dict[tuple[int, str], list[CookieWrite]] = {}
        for w in site.cookies:
            if w.origin == "http" and not refused(w):
                out.setdefault((w.visit_id, w.url), []).append(w)
        return out
    return memo(site, "set_cookie_by_response", compute)


def _cookie_pairs(header: str) -> list[tuple[str, str]]:
    out = []
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out.append((name, value))
    return out


def request_behaviour(site: SiteData, parties: Parties, req: Req, party: Party) -> tuple[str, dict[str, Any]] | None:
    """(category, basis) when a third-party request acts like tracking, else None."""
    known_only = strict(party)
    for w in _set_by(site).get((req.visit_id, req.url), ()):
        found = tracking_cookie(site, parties, req.phase, w.name, w.domain_key, w.value, known_only)
        if found:
            return found[0], {"kind": "behaviour", "how": "sets", **found[1],
                              "text": f"its response sets the {_describe(found)} {w.name}"}
    if req.cookie_header:
        for name, value in _cookie_pairs(req.cookie_header):
            found = tracking_cookie(site, parties, req.phase, name, req.host, value, known_only)
            if found:
                return found[0], {"kind": "behaviour", "how": "sends", **found[1],
                                  "text": f"the request carries the {_describe(found)} {name}"}
    if known_only:
        return None
    index = id_sources(site, parties).get(req.phase)
    if not index:
        return None
    for where, text in (("url", req.url), ("post_data", req.post_data)):
        if not text:
            continue
        for token, holders in index.items():
            if token in text and bounded(text, token):
                source = next((s for s in holders if s.is_identifier()), None)
                if source is not None:
                    return IDENTIFIER_TRACKING, {
                        "kind": "behaviour", "how": "carries", "cookie": source.name, "identifier": token,
                        "found_in": where, "compared_across_profiles": source.confirmed,
                        "text": f"its {where.replace('_', ' ')} carries the identifier of cookie {source.name}"}
    return None


def _footprint(site: SiteData, parties: Parties) -> dict[tuple[str, str, str], list[str]]:
    """(phase, moment, registrable domain) -> what a third party left in or read from the browser
    then: cookies it set (its responses' ``Set-Cookie``, its scripts' ``document.cookie``), web
    storage its scripts wrote, fingerprinting calls its scripts made."""
    def compute() -> dict[tuple[str, str, str], list[str]]:
        out: dict[tuple[str, str, str], list[str]] = {}

        def add(phase: str, moment: str, party: Party | None, what: str) -> None:
            if party is not None and not party.first_party:
                out.setdefault((phase, moment, party.domain), []).append(what)

        for w in site.cookies:
            if w.lifetime is None or w.lifetime > 0:  # not a deletion
                add(w.phase, moment_of_row(w), setter(site, parties, w), f"cookie {w.name}")
        for s in site.storage:
            writers = {p.domain: p for u in (*s.stack, s.script_url) if u and (p := parties.of_url(site.id, u))}
            for party in writers.values():
                add(s.phase, moment_of_row(s), party, f"{s.kind}Storage {s.key}")
        for c in site.api_calls:
            if c.script_url and technique(c) is not None:
                add(c.phase, moment_of_row(c), parties.of_url(site.id, c.script_url), f"fingerprinting ({c.api})")
        return out
    return memo(site, "footprint", compute)


def audience_measurement(site: SiteData, parties: Parties, party: Party, phase: str, moment: str,
                         requests: list[Req], categories: set[str]) -> dict[str, Any] | None:
    """The basis for judging ``party`` not tracking at that phase and moment although a label or a
    filter says analytics (``categories``: what its ``requests`` then were judged): it measured the
    audience without cookies, storage, identifiers or fingerprinting. None: it did not."""
    listed = {c for c in party.categories if c in TRACKING_CATEGORIES}
    if party.broker or listed - {"analytics"} or categories - {"analytics"}:
        return None  # advertising, replay, a broker: never audience measurement
    if _footprint(site, parties).get((phase, moment, party.domain)):
        return None
    for req in requests:
        if req.cookie_header or request_behaviour(site, parties, req, party) is not None \
                or sent_identifiers(site, parties, req):
            return None
    exemption, documented = parties.kb.exemption, parties.kb.measurement(party.host)
    return {
        "kind": AUDIENCE_MEASUREMENT, "category": "analytics",
        "text": "no cookie, web storage, identifier or fingerprinting: audience measurement, exempt from consent "
                "if the conditions the evidence cannot show are met",
        "checked": list(exemption.checked) if exemption else [],
        "exemption": {"authority": exemption.authority, "title": exemption.title,
                      "conditions": list(exemption.conditions), "sources": list(exemption.sources)} if exemption else None,
        "documented": {"service": documented.name, "configuration": documented.configuration,
                       "behaviour": documented.behaviour, "sources": list(documented.sources)} if documented else None,
    }


def _describe(found: tuple[str, dict[str, Any]]) -> str:
    known = found[1].get("known_cookie")
    if known:
        return f"{known['category']} cookie of {known['platform']}"
    return "identifier cookie"


def label_basis(party: Party, category: str) -> dict[str, Any]:
    """Why a party is tracking by its listing alone."""
    sources = sorted({o.source for o in party.c.opinions if category in o.categories}) or list(party.c.sources)
    return {"kind": "category", "category": category, "sources": sources,
            "text": f"listed as {category} ({', '.join(sources) or 'knowledge base'})"}


def filter_basis(category: str, match) -> dict[str, Any]:
    return {"kind": "filter-list", "category": category, "list": match.list, "filter": match.filter,
            "text": f"the request matches {match.list} filter {match.filter}"}

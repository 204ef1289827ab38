"""Every cookie and storage key a site's visits saw, joined with what the site declares.

One row per (name, domain or origin, type): HTTP cookie (``Set-Cookie``), JS cookie
(``document.cookie``, ``cookieStore``), cookie (seen only in the browser's jar), localStorage,
sessionStorage. (IndexedDB database names are not recorded by the crawler.) Each row carries the
purpose every rule gives it -- :func:`leakmap.analysis.rules.cookies.classify_write` for cookies,
:func:`leakmap.analysis.rules.storage.judge_storage` for storage, with their basis -- the
lifetime it was set with and the longest seen, the moments and phases it was written in, who set
it, and the declarations that name it. Values never leave this module.

A row is ``declared`` when some declaration names it (a platform's configuration, a policy
table, or the policy page's text); ``False`` when the site publishes a declaration and none does;
``None`` when the site publishes none, or when a policy page it links to could not be read (what
that page says is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from leakmap.analysis.data import CookieWrite, SiteData, StorageWrite, memo
from leakmap.analysis.findings import moment_of_row, window
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.cookies import class_evidence, classify, classify_write, refused, setter
from leakmap.analysis.rules.storage import judge_storage
from leakmap.blocklists.domains import registrable_domain
from leakmap.declaration import published as published_mod
from leakmap.declaration.items import Declared, Source
from leakmap.declaration.policy import mentions
from leakmap.phases import MOMENTS, ordered

COOKIE_TYPES = ("HTTP cookie", "JS cookie", "cookie")
STORAGE_TYPES = {"local": "localStorage", "session": "sessionStorage"}


@dataclass
class Verdict:
    """The purpose leakmap gives an observed item: the classification every rule uses."""

    category: str | None  # a taxonomy category, identifier-tracking, or None (not classified)
    non_essential: bool
    basis: str  # why, in words
    detail: dict[str, Any] = field(default_factory=dict)  # the classification behind it (sources, versions)
    description: str | None = None  # what it is for, as the known-cookie table says


@dataclass
class Observed:
    name: str
    domain: str  # the cookie's domain (no leading dot), or the storage origin's host
    type: str  # HTTP cookie, JS cookie, cookie, localStorage, sessionStorage
    party: str  # first, third
    provider: str
    verdict: Verdict
    lifetime_days: float | None  # as first set (None: a session cookie, or storage)
    longest_days: float | None  # the longest any write asked for
    moments: list[str]
    phases: list[str]
    setter: str | None  # the script (JS, storage) or response (HTTP) that first set it
    setters: list[str]
    first_seen: float
    page: str | None
    owner: Party | None = None  # the party the findings name
    matches: list[Declared] = field(default_factory=list)
    declared: bool | None = None

    @property
    def family(self) -> str:
        """cookie, local or session: an HTTP and a JS write of one cookie are one fact."""
        return "cookie" if self.type in COOKIE_TYPES else self.type.removesuffix("Storage")

    @property
    def registrable(self) -> str:
        return registrable_domain(self.domain) or self.domain

    @property
    def description(self) -> str | None:
        """What it is for, in words: as declared, else as the known-cookie table says."""
        return next((d.purpose for d in self.matches if d.purpose), None) or self.verdict.description

    def as_dict(self) -> dict[str, Any]:
        first = next((d for d in self.matches if d.purpose), None)
        return {
            "name": self.name, "domain": self.domain, "type": self.type, "party": self.party,
            "provider": self.provider, "purpose": self.verdict.category or "unclassified",
            "purpose_basis": self.verdict.basis, "description": self.description,
            "non_essential": self.verdict.non_essential,
            "lifetime_days": _days(self.lifetime_days), "longest_days": _days(self.longest_days),
            "session": self.longest_days is None and self.type in COOKIE_TYPES,
            "moments": self.moments, "phases": self.phases, "setter": self.setter, "setters": self.setters,
            "page": self.page, "declared": self.declared,
            "declared_by": list(dict.fromkeys(d.source.label() for d in self.matches)),
            "declared_purpose": first.purpose if first else None,
            "declared_category": next((d.category for d in self.matches if d.category), None),
            "declared_lifetime": next((d.lifetime for d in self.matches if d.lifetime), None),
            "declarations": [d.as_dict() for d in self.matches],
        }


def bare(url: str | None) -> str | None:
    """A URL without its query and fragment: what set a cookie, never the values a query may carry."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme and parts.netloc else url.split("?")[0]


def _days(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


@dataclass
class SiteDeclaration:
    """One site: what it declares, what was seen, and whether the two can be compared."""

    site_id: int
    start_url: str
    domain: str
    published: published_mod.Published
    observed: list[Observed]
    not_observed: list[Declared]

    @property
    def publishes(self) -> bool:
        """A cookie list or table (a platform's configuration, a policy page's table), or a policy page
        naming a cookie that is not strictly necessary: a page naming only its consent cookie declares
        no more than that."""
        return any(i.source.kind != "policy-text" for i in self.published.items) or any(
            m.source.kind == "policy-text" and o.verdict.non_essential for o in self.observed for m in o.matches)

    @property
    def status(self) -> str:
        """published, none, incomplete (a policy page could not be read), not-read (no reading stored)."""
        if not self.published.searched:
            return "not-read"
        if self.publishes and self.published.complete:
            return "published"
        return "none" if self.published.complete else "incomplete"

    def facts(self) -> dict[tuple[str, str, str], list[Observed]]:
        """(family, name, domain) -> its rows: the unit of one finding."""
        out: dict[tuple[str, str, str], list[Observed]] = {}
        for row in self.observed:
            out.setdefault((row.family, row.name, row.domain), []).append(row)
        return out

    def counts(self) -> dict[str, int]:
        rows = self.observed
        return {"observed": len(rows), "non_essential": sum(1 for r in rows if r.verdict.non_essential),
                "declared": sum(1 for r in rows if r.declared), "undeclared": sum(1 for r in rows if r.declared is False),
                "undeclared_non_essential": sum(1 for r in rows if r.declared is False and r.verdict.non_essential),
                "declared_not_observed": len(self.not_observed)}


# -- observed items ----------------------------------------------------------------------------


def _basis(parties: Parties, cls) -> Verdict:
    why = (cls.why or {}).get("basis") or {}
    text = cls.basis + (f": {why['text']}" if why.get("text") else "")
    if cls.info:
        text += f" ({cls.info.platform}: {cls.info.purpose})"
    return Verdict(cls.category, True, text, class_evidence(parties, cls), cls.info.purpose if cls.info else None)


def _cookie_verdict(site: SiteData, parties: Parties, name: str, domain: str, writes: list[CookieWrite],
                    jar: list[Any]) -> tuple[Verdict, Party]:
    by = setter(site, parties, writes[0]) if writes else parties.of(site.id, domain)
    cls = next(filter(None, (classify_write(site, parties, w) for w in writes)), None)
    if cls is None and not writes:
        for j in jar:
            moment = window(j.phase, site.actions_at(j.phase, j.time) == 0, site.actions_at(j.phase, j.time))
            cls = classify(site, parties, name, domain, j.value, by, j.phase, moment)
            if cls:
                break
    if cls is not None:
        return _basis(parties, cls), cls.party
    info = parties.cookie(name, domain)
    if info is not None:
        return Verdict(info.category, False, f"known cookie of {info.platform}: {info.purpose}",
                       {"known_cookie": {"platform": info.platform, "category": info.category, "source": info.source,
                                         "version": parties.versions.get(info.source)}}, info.purpose), by
    if not by.first_party and by.essential:
        category = next(c for c in by.categories if c)
        return Verdict(category, False, f"set by {by.label}, listed as {', '.join(by.categories)}"), by
    if by.first_party:
        return Verdict(None, False, "a first-party cookie no list knows, set by no tracker: not judged"), by
    return Verdict(None, False, f"set by {by.label}, not judged tracking"), by


def _provider(site: SiteData, parties: Parties, name: str, domain: str, by: Party) -> str:
    if not by.first_party and by.entity:
        return by.entity
    info = parties.cookie(name, domain)
    if info is not None:
        return info.platform
    owner = parties.of(site.id, domain)
    if owner.first_party:
        return site.domain or owner.domain
    return owner.entity or owner.domain


def _moments(rows: list[Any]) -> list[str]:
    found = {moment_of_row(r) for r in rows}
    return [m for m in MOMENTS if m in found]


def _cookies(site: SiteData, parties: Parties) -> list[Observed]:
    groups: dict[tuple[str, str, str], list[CookieWrite]] = {}
    for w in site.cookies:
        if not refused(w):
            groups.setdefault((w.name, w.domain_key, "HTTP cookie" if w.origin == "http" else "JS cookie"), []).append(w)
    jars: dict[tuple[str, str], list[Any]] = {}
    for j in site.jar:
        jars.setdefault((j.name, j.domain_key), []).append(j)
    written = {(name, domain) for name, domain, _ in groups}
    for key in jars.keys() - written:
        groups[(*key, "cookie")] = []
    out = []
    for (name, domain, kind), writes in groups.items():
        jar = jars.get((name, domain), [])
        verdict, by = _cookie_verdict(site, parties, name, domain, writes, jar)
        lifetimes = [w.lifetime for w in writes]
        setters = list(dict.fromkeys(filter(None, (bare(w.script_url if w.origin == "js" else w.url) for w in writes))))
        owner = parties.of(site.id, domain)
        if writes:
            moments, phases = _moments(writes), ordered({w.phase for w in writes})
            first, page = writes[0].time, bare(site.page(writes[0].visit_id))
            longest = max((x for x in lifetimes if x is not None), default=None)
            as_set = lifetimes[0]
        else:
            found = {window(j.phase, site.actions_at(j.phase, j.time) == 0, site.actions_at(j.phase, j.time)) for j in jar}
            moments, phases = [m for m in MOMENTS if m in found], ordered({j.phase for j in jar})
            first, page = jar[0].time, bare(site.page(jar[0].visit_id))
            stored = [j.expires - j.time for j in jar if j.expires is not None]
            longest = max(stored, default=None)
            as_set = stored[0] if stored else None
        out.append(Observed(
            name, domain, kind, "first" if owner.first_party else "third", _provider(site, parties, name, domain, by),
            verdict, as_set / 86400 if as_set is not None else None, longest / 86400 if longest is not None else None,
            moments, phases, setters[0] if setters else None, setters[:5], first, page,
            owner=by if verdict.non_essential and not by.first_party else owner))
    return out


def _storage(site: SiteData, parties: Parties) -> list[Observed]:
    groups: dict[tuple[str, str, str], list[StorageWrite]] = {}
    for w in site.storage:
        if w.key is not None:
            groups.setdefault((w.key, urlsplit(w.origin).hostname or w.origin, w.kind), []).append(w)
    out = []
    for (key, host, kind), writes in groups.items():
        judged = next(filter(None, (judge_storage(site, parties, w) for w in writes)), None)
        script_party = next((p for p in (parties.of_url(site.id, u) for w in writes for u in [*w.stack, w.script_url])
                             if p is not None and not p.first_party), None)
        owner = parties.of(site.id, host)
        if judged is not None:
            party = judged.party
            verdict = Verdict(judged.category, True,
                              f"a tracking script ({party.label}) wrote an identifier: "
                              f"{(judged.basis or {}).get('text', judged.category)}",
                              {"script": judged.script, "basis": judged.basis})
        elif script_party is not None and script_party.essential:
            party = script_party
            verdict = Verdict(next(c for c in party.categories if c), False,
                              f"written by {party.label}, listed as {', '.join(party.categories)}")
        else:
            party = script_party or owner
            verdict = Verdict(None, False, "no identifier written by a tracking script: not judged tracking")
        provider = party.entity if not party.first_party and party.entity else site.domain or host
        setters = list(dict.fromkeys(filter(None, (bare(w.script_url) for w in writes))))
        out.append(Observed(
            key, host, STORAGE_TYPES.get(kind, kind), "first" if owner.first_party else "third", provider, verdict,
            None, None, _moments(writes), ordered({w.phase for w in writes}), setters[0] if setters else None,
            setters[:5], writes[0].time, bare(site.page(writes[0].visit_id)),
            owner=party if verdict.non_essential and not party.first_party else owner))
    return out


# -- the join ----------------------------------------------------------------------------------


def _join(published: published_mod.Published, observed: list[Observed]) -> None:
    for row in observed:
        row.matches = [d for d in published.items if d.matches(row.name, row.domain)]
        if not row.matches:
            row.matches = [Declared(row.name, Source("policy-text", url, "named in its text"))
                           for url, text in published.texts.items() if mentions(text, row.name)]


def _not_observed(published: published_mod.Published, observed: list[Observed]) -> list[Declared]:
    seen: dict[tuple[str, str | None, str], Declared] = {}
    for d in published.items:
        if not any(d.matches(o.name, o.domain) for o in observed):
            seen.setdefault((d.name, d.domain, d.source.label()), d)
    return list(seen.values())


def build(site: SiteData, parties: Parties) -> SiteDeclaration:
    """The site's declaration joined with every cookie and storage key its visits saw (memoised)."""
    def compute() -> SiteDeclaration:
        published = published_mod.load(site.db, site.id)
        observed = sorted(_cookies(site, parties) + _storage(site, parties),
                          key=lambda o: (o.family != "cookie", o.party != "first", o.name.lower(), o.domain, o.type))
        _join(published, observed)
        result = SiteDeclaration(site.id, site.start_url, site.domain, published, observed,
                                 _not_observed(published, observed))
        status = result.status
        for row in observed:
            row.declared = True if row.matches else (False if status == "published" else None)
        return result
    return memo(site, "declaration", compute)

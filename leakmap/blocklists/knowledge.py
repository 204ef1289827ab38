"""One lookup over every source: host -> registrable domain -> entity -> categories, explainable.

Precedence (which source answers ``entity``/``categories``/``country`` when several know a host):
the project's curated map (``leakmap``, reviewed against Ghostery) first, then DuckDuckGo's
Tracker Data Set (``ddg``), Ghostery TrackerDB (``ghostery``), Disconnect (``disconnect``) and the
California data broker registry (``ca-registry``). Lower-precedence opinions are never dropped:
they stay in :attr:`Classification.opinions` and in :meth:`Knowledge.explain`. ``broker`` is true
when any source says so. Within one source the most specific listed suffix of the host wins.

Hot path: ``classify`` memoises per host (a URL costs one parse, then the host's entry). A miss
walks the host's suffixes over one dict and takes the registrable domain from the matched key when
the Public Suffix List cannot split below it (no tldextract call), else from tldextract.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

import tldextract

from . import bundled
from .domains import host_of, is_public_suffix, registrable_domain, registrable_host, suffix_ancestors
from .facts import (
    REGISTRIES,
    Classification,
    CookieInfo,
    Exemption,
    Fact,
    FilterMatch,
    MeasurementService,
    Opinion,
    Registration,
)
from .filters import FilterEngine, load_lists
from .sources import SOURCES, lists_dir, read_meta
from .taxonomy import listing_verdict

PRECEDENCE: tuple[str, ...] = ("leakmap", "ddg", "ghostery", "disconnect", "ca-registry")
_RANK = {s: i for i, s in enumerate(PRECEDENCE)}
_MEMO_LIMIT = 500_000
_NEUTRAL_SITE = "https://leakmap.invalid/"  # first party used when explaining a bare URL


def _resolve(key: str, opinions: list[Opinion]) -> tuple:
    """The fields of a Classification that depend only on the matched key (built once per key)."""
    with_entity = next((o for o in opinions if o.entity), None)
    with_cats = next((o for o in opinions if o.categories), None)
    country = next((o.country for o in opinions if o.country), None)
    broker = any(o.broker or "data-broker" in o.categories for o in opinions)
    sources = tuple(dict.fromkeys(o.source for o in opinions))
    reg = registrable_host(key)
    # every host under `key` has registrable domain `reg` unless the PSL has rules below `reg`
    fast = reg if "." in reg and reg not in suffix_ancestors() and not is_public_suffix(reg) else None
    return (
        with_entity.entity if with_entity else None,
        with_entity.parent if with_entity else None,
        with_cats.categories if with_cats else (),
        country,
        broker,
        sources,
        key,
        tuple(opinions),
        fast,
    )


class Knowledge:
    """The merged knowledge base. Build with :meth:`load`; all queries are offline."""

    def __init__(self, opinions: Iterable[Opinion], cookies: Iterable[CookieInfo],
                 versions: dict[str, str], filter_root: Path | None = None,
                 stats: dict[str, int] | None = None, measurement: Iterable[MeasurementService] = (),
                 exemption: Exemption | None = None):
        by_key: dict[str, dict[str, Opinion]] = {}
        for op in opinions:
            by_key.setdefault(op.key, {}).setdefault(op.source, op)
        index: dict[str, tuple] = {}
        for key in by_key:
            merged: dict[str, Opinion] = {}
            suffix = key
            while True:  # the key's own opinions, then those of listed parent suffixes
                for src, op in by_key.get(suffix, {}).items():
                    merged.setdefault(src, op)
                dot = suffix.find(".")
                if dot < 0:
                    break
                suffix = suffix[dot + 1:]
            ordered = sorted(merged.values(), key=lambda o: _RANK.get(o.source, len(_RANK)))
            index[key] = _resolve(key, ordered)
        self._index = index
        self._memo: dict[str, Classification] = {}
        self._versions = dict(versions)
        self._filter_root = filter_root
        self._filters: FilterEngine | None = None
        self.stats = dict(stats or {})
        exact: dict[str, list[CookieInfo]] = {}
        prefixes: list[tuple[str, CookieInfo]] = []
        globs: list[tuple[re.Pattern[str], CookieInfo]] = []
        for ck in sorted(cookies, key=lambda c: _RANK.get(c.source, len(_RANK))):
            if not ck.pattern:
                exact.setdefault(ck.name, []).append(ck)
            elif ck.name.endswith("*") and ck.name.count("*") == 1:
                prefixes.append((ck.name[:-1], ck))
            else:
                globs.append((re.compile(fnmatch.translate(ck.name)), ck))
        prefixes.sort(key=lambda p: -len(p[0]))  # longest (most specific) prefix first
        self._cookies = exact
        self._cookie_prefixes = prefixes
        self._cookie_starts = tuple({p for p, _ in prefixes})
        self._cookie_globs = globs
        self._measurement = {d: svc for svc in measurement for d in svc.domains}
        self.exemption = exemption  # when audience measurement needs no consent

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path | None = None, sources: Sequence[str] | None = None) -> Knowledge:
        """Bundled data plus every source cached by ``lists update`` (or only ``sources``)."""
        bundle = bundled.load_bundle()
        opinions = bundle.opinions()
        cookies = list(bundle.cookies)
        versions = {bundled.SOURCE_ID: bundle.version}
        stats = {
            "domains": len(opinions),
            "entities": len(bundle.entities),
            "brokers": sum(1 for e in bundle.entities if e.broker),
            **{f"{r}_registered": sum(1 for e in bundle.entities if e.registered(r)) for r in REGISTRIES},
            "cookies": len(bundle.cookies),
        }
        base = lists_dir(root)
        for sid, src in SOURCES.items():
            if src.kind != "facts" or (sources is not None and sid not in sources):
                continue
            meta = read_meta(sid, root)
            compiled = base / sid / "compiled.json"
            if not meta or not compiled.is_file():
                continue
            data = json.loads(compiled.read_text())
            opinions.extend(_compiled_opinion(o) for o in data["opinions"])
            cookies.extend(CookieInfo(**c) for c in data["cookies"])
            versions[sid] = meta["version"]
        return cls(opinions, cookies, versions, filter_root=root, stats=stats, measurement=bundle.measurement,
                   exemption=bundle.exemption)

    # -- hosts --------------------------------------------------------------------------------

    def classify(self, query: str) -> Classification:
        """Classify a host or URL. Unknown hosts come back with ``known=False`` and no entity."""
        hit = self._memo.get(query)
        if hit is not None:
            return hit
        host = query if query.islower() and query.isascii() and "/" not in query and ":" not in query \
            and not query.endswith(".") else host_of(query)
        if host != query:  # a URL or unusual spelling: answer per host, never memoise each URL
            hit = self._memo.get(host)
            if hit is not None:
                return hit
        base = None
        if host and not host[-1].isdigit() and ":" not in host:
            index = self._index
            suffix = host
            while True:
                base = index.get(suffix)
                if base is not None:
                    break
                dot = suffix.find(".")
                if dot < 0:
                    break
                suffix = suffix[dot + 1:]
        if base is None:
            result = Classification(host, registrable_host(host))
        else:
            entity, parent, cats, country, broker, sources, key, opinions, fast = base
            domain = fast if fast is not None else registrable_host(host)  # host is `key` or under it
            result = Classification(host, domain, entity, parent, cats, country, broker, True, sources, key, opinions)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[host] = result
        return result

    def _entity_of_domain(self, domain: str) -> str | None:
        base = self._index.get(domain)
        return base[0] if base else None

    def is_first_party(self, host: str, site_domain: str, aliases: Iterable[str] = ()) -> bool:
        """Same registrable domain as the site, a declared alias, or owned by the site's own entity.

        The site's entity is looked up by its exact registrable domain only, so two unrelated
        ``*.cloudfront.net`` sites never count as one party.
        """
        domain = registrable_domain(host)
        site = registrable_domain(site_domain)
        own = {site, *(registrable_domain(a) for a in aliases)}
        if domain in own:
            return True
        mine = {e for e in (self._entity_of_domain(d) for d in own) if e}
        return bool(mine) and self._entity_of_domain(domain) in mine

    def measurement(self, host: str) -> MeasurementService | None:
        """What the vendor behind ``host`` documents about measuring without cookies or identifiers."""
        suffix = host_of(host) if "/" in host else host
        while suffix:
            svc = self._measurement.get(suffix)
            if svc is not None:
                return svc
            suffix = suffix.partition(".")[2]
        return None

    # -- cookies ------------------------------------------------------------------------------

    def cookies_named(self, name: str) -> list[CookieInfo]:
        """Every known-cookie entry matching ``name`` (exact names first, then prefix patterns)."""
        out = list(self._cookies.get(name, ()))
        if name.startswith(self._cookie_starts):
            out.extend(c for p, c in self._cookie_prefixes if name.startswith(p))
        out.extend(c for rx, c in self._cookie_globs if rx.match(name))
        return out

    def cookie(self, name: str, host: str | None = None) -> CookieInfo | None:
        """The known-cookie entry for ``name`` set on ``host``: one listed for that host's domain
        wins, else one listed for no domain (``_ga``). An entry listed for another domain never
        applies, whether an exact name or a pattern: a site's own ``u`` or ``ts`` cookie is not the
        data broker's or the video player's that happens to use the same short name."""
        found = self.cookies_named(name)
        if host and any(ck.domain for ck in found):
            h = host_of(host)
            domain = registrable_domain(h)
            for ck in found:
                if ck.domain and (h == ck.domain or h.endswith("." + ck.domain) or registrable_domain(ck.domain) == domain):
                    return ck
        return next((ck for ck in found if ck.domain is None), None)

    # -- URLs ---------------------------------------------------------------------------------

    @property
    def filters(self) -> FilterEngine:
        if self._filters is None:
            self._filters = FilterEngine(load_lists(self._filter_root))
        return self._filters

    def match_url(self, url: str, source_url: str, resource_type: str) -> FilterMatch | None:
        """EasyPrivacy/EasyList verdict for one request: the list and filter that block it, or None."""
        return self.filters.match(url, source_url, resource_type)

    # -- explanations -------------------------------------------------------------------------

    def versions(self) -> dict[str, str]:
        """Version of every source in use (bundled, cached downloads, filter lists)."""
        return {**self._versions, **self.filters.versions()}

    def explain(self, query: str) -> list[Fact]:
        """Every fact any source holds about a host, URL or cookie name, with source and version."""
        q = query.strip()
        cookie_facts = [
            Fact(ck.name, f"cookie of {ck.platform}: {ck.category}, lifetime {ck.lifetime or '?'}; {ck.purpose}",
                 ck.source, self._versions.get(ck.source, "?"),
                 {k: v for k, v in asdict(ck).items() if v not in (None, "", False)})
            for ck in self.cookies_named(q)
        ]
        is_url = "://" in q
        facts: list[Fact] = []
        if is_url or ("." in q and " " not in q) or q.lower() == "localhost":
            c = self.classify(q)
            if is_url or c.known or not cookie_facts:  # "_ce.s" is a cookie name, not a host
                facts.extend(self._host_facts(c))
            if is_url:
                facts.extend(self._filter_facts(q))
        return facts + cookie_facts

    def _host_facts(self, c: Classification) -> list[Fact]:
        facts = [Fact(c.host, f"registrable domain: {c.domain}", "public-suffix-list",
                      f"tldextract {tldextract.__version__} bundled snapshot")]
        if c.known:  # the verdict first, then each source's opinion behind it
            facts.append(self._verdict_fact(c))
        for op in c.opinions:
            facts.append(Fact(op.key, _describe(op), op.source, self._versions.get(op.source, "?"),
                              {k: v for k, v in asdict(op).items() if v not in (None, (), False)}))
        svc = self.measurement(c.host) if c.host else None
        if svc is not None:
            facts.append(Fact(c.host, f"{svc.name}: audience measurement documented without cookies or identifiers "
                                      f"({svc.configuration}): {svc.behaviour}", bundled.SOURCE_ID,
                              self._versions[bundled.SOURCE_ID], {"sources": list(svc.sources)}))
        if not c.known:
            facts.append(Fact(c.host, "unknown: no source lists this host or its domain", "leakmap",
                              self._versions[bundled.SOURCE_ID]))
        return facts

    def _verdict_fact(self, c: Classification) -> Fact:
        """The two facts the rules read, side by side: what the host is for (its categories, and
        whether they make it tracking by its listing) and whether it is a data broker's host (by a
        registration or a data-broker listing), which never makes it tracking by itself."""
        tracking, essential, _ = listing_verdict(c.categories, c.known)
        listing = {True: "tracking by its listing", False: "not tracking by its listing, only by what it does",
                   None: "mixed listing: each request decides (filter lists), or what it does"}[tracking]
        registrations = [r for o in c.opinions for r in o.registrations]
        broker = ("data broker host" + (f" by registration ({'; '.join(dict.fromkeys(map(str, registrations)))})"
                                        if registrations else " (listed as data broker)")) if c.broker else \
            "not a data broker host"
        purpose = ", ".join(c.categories) or "no category"
        return Fact(c.host, f"purpose: {purpose}: {listing}; {broker}", "leakmap", self._versions[bundled.SOURCE_ID],
                    {"purpose": list(c.categories), "tracking_by_listing": tracking, "essential": essential,
                     "broker": c.broker, "registrations": [asdict(r) for r in dict.fromkeys(registrations)]})

    def _filter_facts(self, url: str) -> list[Fact]:
        """The first filter that blocks the URL as a third-party request of a common type."""
        for rtype in ("script", "xmlhttprequest", "image", "ping", "sub_frame"):
            m = self.match_url(url, _NEUTRAL_SITE, rtype)
            if m:
                return [Fact(url, f"blocked by {m.list} filter {m.filter!r} (as a third-party {rtype})",
                             m.list, m.version, {"filter": m.filter, "resource_type": rtype})]
        return []


def _compiled_opinion(o: dict) -> Opinion:
    """An opinion as ``lists update`` compiled it (caches compiled before registrations had ids
    name the California registration only: ``ca_registry``)."""
    regs = [Registration(**r) for r in o.get("registrations", ())]
    if o.get("ca_registry"):
        regs.append(Registration("ca", "?", o["ca_registry"]))
    fields = {k: v for k, v in o.items() if k not in ("ca_registry", "registrations")}
    return Opinion(**{**fields, "categories": tuple(o["categories"]), "registrations": tuple(regs)})


def _describe(op: Opinion) -> str:
    parts = [f"owner: {op.entity or '?'}"]
    if op.parent and op.parent != op.entity:
        parts[0] += f" (parent: {op.parent})"
    if op.country:
        parts.append(f"HQ {op.country}")
    if op.categories:
        parts.append("categories: " + ", ".join(op.categories))
    for reg in op.registrations:
        parts.append(f"registered data broker: {reg}")
    if op.reference:
        parts.append(f"ref: {op.reference}")
    return "; ".join(parts)

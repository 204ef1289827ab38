"""Building findings: stable ids and the evidence a regulator asks for.

A finding id is a hash of the rule, the site's start URL, the moment (before consent, after
"reject all", ...; site-wide findings: their phase or nothing), the registrable domain and the
evidence's key (a cookie name, a script URL, ...), never of times, row ids or random values, so
the same evidence in another scan of the same site gets the same id. Rules make one finding per
phase they see a fact in; :mod:`leakmap.analysis.facts` merges those into one finding per fact.
The per-phase id (the phase where the moment now stands) is what leakmap 0.1 called the finding:
it is kept in ``legacy_ids`` so older baselines still match.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from leakmap.analysis.data import Req, SiteData
from leakmap.analysis.parties import Parties, Party
from leakmap.blocklists import FilterMatch
from leakmap.phases import (  # noqa: F401 - the rules import them from here
    AFTER_ACCEPT,
    AFTER_REJECT,
    AFTER_WITHDRAWAL,
    BEFORE,
    MOMENTS,
)
from leakmap.phases import phase as phase_of
from leakmap.records import Finding
from leakmap.severity import SEVERITIES


def finding_id(rule: str, start_url: str, phase: str | None, domain: str | None, key: str = "") -> str:
    text = "\x1f".join((rule, start_url, phase or "", domain or "", key))
    return f"{rule}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def make(site: SiteData, rule: str, severity: str, *, phase: str | None, domain: str | None, key: str = "",
         title: str, evidence: dict[str, Any], party: Party | None = None, category: str | None = None,
         page: str | None = None, unverified: bool | None = None, moment: str | None = None) -> Finding:
    assert severity in SEVERITIES, severity
    per_phase = finding_id(rule, site.start_url, phase, domain, key)
    return Finding(
        id=finding_id(rule, site.start_url, moment, domain, key) if phase and moment else per_phase,
        site_id=site.id,
        rule=rule,
        severity=severity,
        phase=phase,
        domain=domain,
        entity=party.entity if party else None,
        category=category,
        page=page,
        title=title,
        # evidence before the consent action does not depend on whether the action worked
        unverified=(moment != BEFORE and site.unverified(phase, moment)) if unverified is None else unverified,
        moment=moment,
        evidence=evidence,
        phases=[phase] if phase else [],
        legacy_ids=[per_phase] if phase and moment else [],
    )


def timing(row: Any) -> dict[str, Any]:
    """When something happened: epoch time, seconds relative to the consent action, and whether before it."""
    return {"time": row.time, "t_consent": row.t_consent, "before_consent": bool(row.before)}


def request_evidence(site: SiteData, req: Req) -> dict[str, Any]:
    """One request as evidence: exact URL and method, its page and frame, timing and initiator chain."""
    detail = site.request_detail(req.id)
    out: dict[str, Any] = {
        "url": req.url,
        "method": req.method,
        "resource_type": req.resource_type,
        "status": detail.get("status"),
        **timing(req),
        "page": site.page(req.visit_id),
        "frame_url": req.frame_url,
        "initiator": {
            "type": detail.get("initiator_type"),
            "url": req.initiator_url,
            "chain": detail.get("initiator_stack", []),
        },
        "source": req.source,
    }
    if req.redirect_from:
        out["redirect_chain"] = redirect_chain(site, req)
    if req.referer:
        out["referer"] = req.referer
    if req.post_data is not None:
        out["post_data"] = req.post_data[:2000]
        out["post_data_size"] = detail.get("post_data_size")
        out["post_data_sha256"] = detail.get("post_data_sha256")
    if detail.get("cookie_header"):
        out["sent_cookies"] = True
    return out


def redirect_chain(site: SiteData, req: Req, limit: int = 20) -> list[str]:
    """The hops that led to ``req``, first hop first (redirect_from links, same visit)."""
    index = site.memo.get("_by_url")
    if index is None:
        index = site.memo["_by_url"] = {}
        for r in site.requests:
            index.setdefault((r.visit_id, r.url), r)
    chain = [req.url]
    current = req
    while current.redirect_from and len(chain) < limit:
        chain.append(current.redirect_from)
        previous = index.get((current.visit_id, current.redirect_from))
        if previous is None or previous is current:
            break
        current = previous
    return chain[::-1]


def party_evidence(parties: Parties, party: Party, match: FilterMatch | None = None) -> dict[str, Any]:
    """The classification behind a finding, with every source's opinion and the list versions used."""
    c = party.c
    versions = parties.versions
    out: dict[str, Any] = {
        "host": party.host,
        "domain": party.domain,
        "entity": c.entity,
        "parent": c.parent,
        "categories": list(c.categories),
        "country": c.country,
        "broker": c.broker,
        "known": c.known,
        "matched": c.matched,
        "sources": [
            {"source": o.source, "key": o.key, "entity": o.entity, "categories": list(o.categories),
             "broker": o.broker, "registrations": [asdict(r) for r in o.registrations],
             "version": versions.get(o.source)}
            for o in c.opinions
        ],
    }
    if match is not None:
        out["filter"] = {"list": match.list, "filter": match.filter, "version": match.version}
    out["list_versions"] = {s: versions[s] for s in (*c.sources, *(("easyprivacy", "easylist") if match else ()))
                            if s in versions}
    return out


def window(phase: str, before: bool, actions: int | None = None) -> str:
    """The moment of a row: before the phase's first deciding consent action (or in a phase
    without one), or after the last of its actions that came before the row (``actions`` of them;
    None: a store from before that was counted, where phases had one action). A phase whose action
    never happened (no banner, no way to refuse) stays before consent throughout: nothing was
    answered, so nothing was refused either; one whose later action never happened (no way to
    withdraw) stays after its first."""
    return phase_of(phase).moment(before, actions)


def moment_of_row(row: Any) -> str:
    """The moment of an evidence row of :mod:`leakmap.analysis.data`."""
    return window(row.phase, row.before, row.actions)


def violating(phase: str, before: bool, actions: int | None = None) -> bool:
    """Before any consent action, after "reject all", after withdrawing: when nothing may be tracked."""
    return MOMENTS[window(phase, before, actions)].violating

"""Cookie rules: non-essential cookies before consent, after "reject all" or withdrawal, and lifetimes.

A cookie is non-essential when the known-cookie table gives it a tracking category. When the
table does not know it, it is non-essential when the party that wrote it (its ``Set-Cookie``
response host, or the script that wrote it with ``document.cookie``) was tracking at that moment
of that phase -- the same verdict the request rules use (:func:`~leakmap.analysis.rules.common.verdicts`),
so a party with an essential and a tracking listing is judged alike by every rule -- or when a
third-party script not listed as essential wrote an identifier into it. Cookies the table calls
necessary or consent-management, the site's own consent record whoever its platform is (the
places its deciding action wrote the choice in: :mod:`~leakmap.analysis.rules.choice`), and
unknown first-party cookies are never flagged. Writes the
browser refused (a ``Domain`` that is a public suffix or does not cover the page, or a blocked
``Set-Cookie``) and deletions (lifetime <= 0) are not cookies being set.

After "reject all": a non-essential cookie written then (set, re-set, refreshed) is
``cookie-after-reject`` (high); so is one set before the refusal that is sent to a third party
after it (in the ``Cookie`` header to its domain, or its identifier in a request). One set before
and merely left in the jar is an ``info`` advisory (not deleted when the visitor refused): it is
already ``cookie-before-consent``. After consent was withdrawn, the same facts are
``cookie-after-withdrawal`` (high) and ``cookies-not-deleted-on-withdrawal`` (info): a cookie
set while consent was given may stay in the jar, but may no longer be written or sent (those
merely left are one advisory per party, listing its cookies).

Lifetimes are the raw ones the writer asked for (Chromium caps stored expiry at 400 days):
over 13 months (CNIL) is a finding; consent-record cookies over 6 months are advisory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leakmap.analysis.data import CookieWrite, JarEntry, SiteData, memo
from leakmap.analysis.findings import (
    AFTER_REJECT,
    AFTER_WITHDRAWAL,
    BEFORE,
    MOMENTS,
    make,
    moment_of_row,
    party_evidence,
    request_evidence,
    timing,
)
from leakmap.analysis.identifiers import bounded
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.behaviour import (
    IDENTIFIER_TRACKING,
    filter_basis,
    label_basis,
    strict,
    tracking_cookie,
)
from leakmap.analysis.rules.choice import choice_places, cookie_place
from leakmap.analysis.rules.common import Hit, third_party_hits, verdict_of
from leakmap.analysis.rules.idsources import cookie_identifiers
from leakmap.analysis.rules.writes import refused, setter
from leakmap.blocklists import TRACKING_CATEGORIES, CookieInfo
from leakmap.blocklists.domains import registrable_domain
from leakmap.phases import phase as phase_of
from leakmap.records import Finding

__all__ = ["classified_writes", "cookie_after_reject", "cookie_after_withdrawal", "cookie_before_consent",
           "cookies_not_deleted_on_withdrawal", "excessive_cookie_lifetime", "refused", "setter"]

MONTH = 365.25 / 12 * 86400
MAX_LIFETIME = 13 * MONTH
CONSENT_RECORD_LIFETIME = 6 * MONTH


@dataclass(frozen=True, slots=True)
class CookieClass:
    category: str
    basis: str  # why, in words: "known cookie", "set by a tracking third party", "identifier written by a third-party script"
    info: CookieInfo | None
    party: Party  # the setter (or the cookie's domain when the setter is unknown)
    why: dict[str, Any] = field(default_factory=dict)  # the setter's verdict (the request that made it tracking)


def _known(parties: Parties, name: str, domain: str) -> CookieInfo | None:
    return parties.cookie(name, domain)


def classify(site: SiteData, parties: Parties, name: str, domain: str, value: str, party: Party, phase: str,
             moment: str, script: bool = False, url: str | None = None) -> CookieClass | None:
    """Why a cookie is non-essential, or None when it is essential or nothing says otherwise.
    ``party`` wrote it (``script``: with ``document.cookie``; ``url``: the response or script that
    did) in ``phase`` at ``moment``."""
    info = _known(parties, name, domain)
    if info is not None:
        if info.category in TRACKING_CATEGORIES:
            return CookieClass(info.category, "known cookie", info, party)
        return None
    if party.first_party or cookie_place(name, domain) in choice_places(site):
        return None  # the site's own, or where its consent platform keeps the visitor's choice
    hit = verdict_of(site, parties, party, phase, moment)
    if hit is not None:
        return CookieClass(hit.category or "advertising", "set by a tracking third party", None, party,
                           {"request": hit.req.url, "basis": hit.basis})
    if url:  # no request of the party was seen then: the writing response or script itself decides
        category, match = parties.tracking(party, url, None, "Script" if script else "Other")
        if category:
            return CookieClass(category, "set by a tracking third party", None, party,
                               {"request": url, "basis": filter_basis(category, match) if match
                                else label_basis(party, category)})
    if script and not strict(party):
        found = tracking_cookie(site, parties, phase, name, domain, value, known_only=False)
        if found is not None:
            return CookieClass(IDENTIFIER_TRACKING, "identifier written by a third-party script", None, party,
                               {"basis": {"kind": "behaviour", "how": "writes", **found[1],
                                          "text": f"its script writes an identifier into cookie {name}"}})
    return None


def classify_write(site: SiteData, parties: Parties, w: CookieWrite) -> CookieClass | None:
    script = w.origin == "js"
    return classify(site, parties, w.name, w.domain_key, w.value, setter(site, parties, w), w.phase,
                    moment_of_row(w), script=script, url=w.script_url if script else w.url)


def consent_record(parties: Parties, name: str, domain: str) -> CookieInfo | None:
    info = parties.cookie(name, domain)
    return info if info is not None and info.category == "consent-management" else None


def cookie_evidence(site: SiteData, w: CookieWrite) -> dict[str, Any]:
    return {
        "name": w.name, "value": w.value[:300], "origin": w.origin, "raw": w.raw[:2000],
        "url": w.url, "host": w.host, "script_url": w.script_url, "page": site.page(w.visit_id),
        "domain": w.domain, "path": w.path, "expires": w.expires, "max_age": w.max_age,
        "lifetime_days": round(w.lifetime / 86400, 2) if w.lifetime is not None else None,
        "secure": bool(w.secure), "http_only": bool(w.http_only), "same_site": w.same_site, **timing(w),
    }


def jar_evidence(j: JarEntry) -> dict[str, Any]:
    return {"name": j.name, "value": j.value[:300], "domain": j.domain, "moment": j.moment, "time": j.time,
            "stored_expires": j.expires}


def class_evidence(parties: Parties, cls: CookieClass) -> dict[str, Any]:
    out: dict[str, Any] = {"category": cls.category, "basis": cls.basis, "setter": party_evidence(parties, cls.party)}
    if cls.why:
        out["setter_verdict"] = cls.why
    if cls.info:
        i = cls.info
        out["known_cookie"] = {"name": i.name, "platform": i.platform, "category": i.category, "purpose": i.purpose,
                               "lifetime": i.lifetime, "source": i.source,
                               "version": parties.versions.get(i.source)}
    return out


@dataclass(slots=True)
class Classified:
    write: CookieWrite
    cls: CookieClass
    window: str


def classified_writes(site: SiteData, parties: Parties) -> list[Classified]:
    """Every stored (not refused) non-essential cookie write of the site."""
    def compute() -> list[Classified]:
        out = []
        for w in site.cookies:
            if refused(w):
                continue
            cls = classify_write(site, parties, w)
            if cls is not None:
                out.append(Classified(w, cls, moment_of_row(w)))
        return out
    return memo(site, "cookie_writes", compute)


def _finding(site: SiteData, parties: Parties, rule: str, phase: str, name: str, dkey: str, cls: CookieClass,
             title: str, evidence: dict[str, Any], visit_id: int | None, moment: str,
             severity: str = "high") -> Finding:
    return make(site, rule, severity, phase=phase, domain=registrable_domain(dkey) or dkey, key=f"{name}@{dkey}",
                title=title, evidence={**evidence, "classification": class_evidence(parties, cls)},
                party=cls.party, category=cls.category, page=site.page(visit_id), moment=moment)


def cookie_before_consent(site: SiteData, parties: Parties) -> list[Finding]:
    """A non-essential cookie (first or third party) is set before consent."""
    groups: dict[tuple[str, str, str], list[Classified]] = {}
    for c in classified_writes(site, parties):
        if c.window == BEFORE:
            groups.setdefault((c.write.phase, c.write.name, c.write.domain_key), []).append(c)
    out = []
    for (phase, name, dkey), writes in groups.items():
        first = writes[0]
        out.append(_finding(site, parties, "cookie-before-consent", phase, name, dkey, first.cls,
                            f"{first.cls.category} cookie {name} ({dkey}) set before consent",
                            {"cookie": cookie_evidence(site, first.write), "writes": len(writes)},
                            first.write.visit_id, BEFORE))
    return out


def _covers(dkey: str, host: str) -> bool:
    return host == dkey or host.endswith("." + dkey)


def _sent_after(site: SiteData, parties: Parties, phase: str, hits: list[Hit], name: str, dkey: str,
                value: str) -> tuple[Hit, str] | None:
    """The first request to a third party among ``hits`` (after a refusal) that carries the cookie: in its
    ``Cookie`` header (to a host the cookie's domain covers), or an identifier token of its value."""
    ids = cookie_identifiers(site, parties, phase, name, dkey, value)
    for h in hits:
        req = h.req
        if req.cookie_header and _covers(dkey, req.host) and any(
                part.strip().partition("=")[0] == name for part in req.cookie_header.split(";")):
            return h, "cookie header"
        for token in ids:
            for where, text in (("url", req.url), ("post data", req.post_data)):
                if text and token in text and bounded(text, token):
                    return h, f"its value in the {where}"
    return None


@dataclass(frozen=True)
class Refusal:
    """How the cookie rules after a refusal speak of it."""

    moment: str  # the moment it opens
    action: str  # the action's name, in evidence keys: set_before_reject, writes_after_withdraw
    rule: str  # written after it, or set before and sent after (high)
    left_rule: str  # set before and merely left in the browser (info)
    before_text: str  # "set before the refusal"
    left_text: str  # "not deleted when the visitor refused"
    left_per_party: bool = False  # the cookies merely left: one advisory per party listing them (else per cookie)


AFTER_REJECT_ALL = Refusal(AFTER_REJECT, "reject", "cookie-after-reject", "cookie-after-reject",
                           "set before the refusal", "not deleted when the visitor refused")
AFTER_WITHDRAWING = Refusal(AFTER_WITHDRAWAL, "withdraw", "cookie-after-withdrawal", "cookies-not-deleted-on-withdrawal",
                            "set before the withdrawal", "not deleted when the visitor withdrew consent",
                            left_per_party=True)


def _left_by_party(site: SiteData, parties: Parties, refusal: Refusal, phase: str,
                   left: list[tuple[Classified, JarEntry]]) -> list[Finding]:
    """One advisory per party for its cookies set before the refusal and merely left in the jar."""
    groups: dict[str, list[tuple[Classified, JarEntry]]] = {}
    for c, j in left:
        groups.setdefault(c.cls.party.domain, []).append((c, j))
    out = []
    for domain, items in sorted(groups.items()):
        party, first = items[0][0].cls.party, items[0]
        names = [f"{c.write.name} ({c.write.domain_key})" for c, _ in items]
        out.append(make(site, refusal.left_rule, "info", phase=phase, domain=domain, party=party,
                        category=first[0].cls.category, page=site.page(first[1].visit_id), moment=refusal.moment,
                        title=f"{len(items)} cookie{'s' if len(items) > 1 else ''} of {party.label} "
                              f"{refusal.left_text} (kept in the browser, not sent): {', '.join(names)}",
                        evidence={"party": party_evidence(parties, party),
                                  "cookies": [{"name": c.write.name, "domain": c.write.domain_key,
                                               f"set_before_{refusal.action}": cookie_evidence(site, c.write),
                                               "left_in_place": jar_evidence(j),
                                               "classification": class_evidence(parties, c.cls)} for c, j in items]}))
    return out


def _after_refusal(site: SiteData, parties: Parties, refusal: Refusal) -> list[Finding]:
    """In every phase whose action opens the refusal's moment, once that action happened: a
    non-essential cookie written after it (high), or set before it and sent to a third party
    after it (high), or set before it and merely left in the jar (info)."""
    out = []
    moment, label = refusal.moment, MOMENTS[refusal.moment].label
    for phase in site.phases:
        if not any(a.after == moment for a in phase_of(phase).actions) or not site.acted(phase, moment):
            continue  # nothing was refused (no banner, no way to refuse: the earlier moments cover it)
        when = site.action_state(phase, moment).time
        set_after: dict[tuple[str, str], list[Classified]] = {}
        before: dict[tuple[str, str], Classified] = {}
        for c in classified_writes(site, parties):
            if c.write.phase != phase:
                continue
            key = (c.write.name, c.write.domain_key)
            if c.window == moment:
                set_after.setdefault(key, []).append(c)
            elif c.write.time < when:
                before.setdefault(key, c)
        left: dict[tuple[str, str], JarEntry] = {}
        for j in site.jar:
            if j.phase == phase and j.time >= when and (j.expires is None or j.expires >= j.time):
                left.setdefault((j.name, j.domain_key), j)
        after_hits = [h for h in third_party_hits(site, parties) if h.req.phase == phase and h.window == moment]
        set_before = f"set_before_{refusal.action}"
        merely_left: list[tuple[Classified, JarEntry]] = []
        for key in sorted({*set_after, *before}):
            name, dkey = key
            writes = set_after.get(key, [])
            if writes:
                first = writes[0]
                out.append(_finding(site, parties, refusal.rule, phase, name, dkey, first.cls,
                                    f"{first.cls.category} cookie {name} ({dkey}) written {label}",
                                    {"cookie": cookie_evidence(site, first.write),
                                     f"writes_after_{refusal.action}": len(writes),
                                     **({set_before: cookie_evidence(site, before[key].write)} if key in before else {})},
                                    first.write.visit_id, moment))
                continue
            earlier = before[key]
            sent = _sent_after(site, parties, phase, after_hits, name, dkey,
                               left[key].value if key in left else earlier.write.value)
            if sent is not None:
                hit, how = sent
                out.append(_finding(site, parties, refusal.rule, phase, name, dkey, earlier.cls,
                                    f"{earlier.cls.category} cookie {name} ({dkey}), {refusal.before_text}, "
                                    f"sent to {hit.party.label} {label} ({how})",
                                    {set_before: cookie_evidence(site, earlier.write), "sent_in": how,
                                     "request": request_evidence(site, hit.req),
                                     **({"left_in_place": jar_evidence(left[key])} if key in left else {})},
                                    hit.req.visit_id, moment))
            elif key in left and refusal.left_per_party:
                merely_left.append((earlier, left[key]))
            elif key in left:
                out.append(_finding(site, parties, refusal.left_rule, phase, name, dkey, earlier.cls,
                                    f"{earlier.cls.category} cookie {name} ({dkey}) {refusal.left_text} "
                                    "(kept in the browser, not sent)",
                                    {set_before: cookie_evidence(site, earlier.write),
                                     "left_in_place": jar_evidence(left[key])},
                                    left[key].visit_id, moment, severity="info"))
        out.extend(_left_by_party(site, parties, refusal, phase, merely_left))
    return out


def cookie_after_reject(site: SiteData, parties: Parties) -> list[Finding]:
    """After "reject all": a non-essential cookie written (high), or set before and sent to a third
    party (high), or set before and merely left in the jar (info)."""
    return _after_refusal(site, parties, AFTER_REJECT_ALL)


def _withdrawal(site: SiteData, parties: Parties) -> list[Finding]:
    return memo(site, "cookies_after_withdrawal", lambda: _after_refusal(site, parties, AFTER_WITHDRAWING))


def cookie_after_withdrawal(site: SiteData, parties: Parties) -> list[Finding]:
    """After consent was withdrawn: a non-essential cookie written, or a consented one sent to its
    party (high)."""
    return [f for f in _withdrawal(site, parties) if f.rule == AFTER_WITHDRAWING.rule]


def cookies_not_deleted_on_withdrawal(site: SiteData, parties: Parties) -> list[Finding]:
    """After consent was withdrawn: consented cookies left in the browser, not sent (info), one
    finding per party listing its cookies."""
    return [f for f in _withdrawal(site, parties) if f.rule == AFTER_WITHDRAWING.left_rule]


def excessive_cookie_lifetime(site: SiteData, parties: Parties) -> list[Finding]:
    """A non-essential cookie asks for more than 13 months; a consent record over 6 months is advisory."""
    longest: dict[tuple[str, str], CookieWrite] = {}
    phases: dict[tuple[str, str], set[str]] = {}
    writes: dict[tuple[str, str], list[CookieWrite]] = {}
    for w in site.cookies:
        if w.lifetime is None or w.lifetime <= CONSENT_RECORD_LIFETIME or refused(w):
            continue
        key = (w.name, w.domain_key)
        phases.setdefault(key, set()).add(w.phase)
        writes.setdefault(key, []).append(w)
        if key not in longest or w.lifetime > longest[key].lifetime:
            longest[key] = w
    out = []
    for (name, dkey), w in sorted(longest.items()):
        party = setter(site, parties, w)
        # non-essential when any of its writes is judged so (the setter may be tracking in one moment only)
        cls = next(filter(None, (classify_write(site, parties, x) for x in writes[(name, dkey)])), None)
        days = round(w.lifetime / 86400, 1)
        evidence = {"cookie": cookie_evidence(site, w), "lifetime_days": days, "phases": sorted(phases[(name, dkey)])}
        if cls is not None and w.lifetime > MAX_LIFETIME:
            out.append(make(site, "excessive-cookie-lifetime", "medium", phase=None,
                            domain=registrable_domain(dkey) or dkey, key=f"{name}@{dkey}", party=party,
                            category=cls.category, page=site.page(w.visit_id),
                            title=f"{cls.category} cookie {name} ({dkey}) asks to live {days:g} days (over 13 months)",
                            evidence={**evidence, "limit_days": round(MAX_LIFETIME / 86400, 1),
                                      "classification": class_evidence(parties, cls)}))
        elif (info := consent_record(parties, name, dkey)) is not None:
            out.append(make(site, "excessive-cookie-lifetime", "info", phase=None,
                            domain=registrable_domain(dkey) or dkey, key=f"{name}@{dkey}", party=party,
                            category="consent-management", page=site.page(w.visit_id),
                            title=f"consent record {name} ({dkey}) kept {days:g} days (advised: at most 6 months)",
                            evidence={**evidence, "limit_days": round(CONSENT_RECORD_LIFETIME / 86400, 1),
                                      "known_cookie": {"platform": info.platform, "purpose": info.purpose,
                                                       "source": info.source}}))
    return out

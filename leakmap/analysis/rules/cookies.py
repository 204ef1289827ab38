"""Cookie rules: non-essential cookies before consent or after "reject all", and lifetimes.

A cookie is non-essential when the known-cookie table gives it a tracking category, or, when the
table does not know it, when a tracking third party set it (its ``Set-Cookie`` response host, or
the script that wrote it with ``document.cookie``). Cookies the table calls necessary or
consent-management, and cookies set by essential services, are never flagged. Writes the browser
refused (a ``Domain`` that is a public suffix or does not cover the page, or a blocked
``Set-Cookie``) and deletions (lifetime <= 0) are not cookies being set.

Lifetimes are the raw ones the writer asked for (Chromium caps stored expiry at 400 days):
over 13 months (CNIL) is a finding; consent-record cookies over 6 months are advisory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from leakmap.analysis.data import CookieWrite, JarEntry, SiteData
from leakmap.analysis.findings import AFTER_REJECT, BEFORE, make, party_evidence, timing, window
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.common import memo
from leakmap.blocklists import TRACKING_CATEGORIES, CookieInfo
from leakmap.blocklists.domains import is_public_suffix, registrable_domain
from leakmap.records import Finding

MONTH = 365.25 / 12 * 86400
MAX_LIFETIME = 13 * MONTH
CONSENT_RECORD_LIFETIME = 6 * MONTH


@dataclass(frozen=True, slots=True)
class CookieClass:
    category: str
    basis: str  # why: "known cookie" or "set by a tracking third party"
    info: CookieInfo | None
    party: Party  # the setter (or the cookie's domain when the setter is unknown)


@lru_cache(maxsize=65536)
def _public_suffix(name: str) -> bool:
    return is_public_suffix(name)


def refused(w: CookieWrite) -> bool:
    """The browser did not store this write (or it deletes the cookie)."""
    if w.blocked or (w.lifetime is not None and w.lifetime <= 0):
        return True
    d = (w.domain or "").lstrip(".").lower()
    if not d:
        return False
    host = (w.host or "").lower()
    return not (host == d or host.endswith("." + d)) or _public_suffix(d)


def setter(site: SiteData, parties: Parties, w: CookieWrite) -> Party:
    if w.origin == "js" and w.script_url:
        party = parties.of_url(site.id, w.script_url)
        if party is not None:
            return party
    return parties.of(site.id, w.host or w.domain_key)


def classify(parties: Parties, name: str, domain: str, party: Party) -> CookieClass | None:
    """Why a cookie is non-essential, or None when it is essential or nothing says otherwise."""
    info = parties.cookie(name, domain)
    if info is not None:
        if info.category in TRACKING_CATEGORIES:
            return CookieClass(info.category, "known cookie", info, party)
        return None
    if party.first_party or party.essential or not party.tracking:
        return None
    return CookieClass(party.tracking_category or "advertising", "set by a tracking third party", None, party)


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
            cls = classify(parties, w.name, w.domain_key, setter(site, parties, w))
            if cls is not None:
                out.append(Classified(w, cls, window(site, w.phase, w.before, w.visit_id)))
        return out
    return memo(site, "cookie_writes", compute)


def _group_key(c: Classified) -> tuple[str, str, str]:
    return c.write.phase, c.write.name, c.write.domain_key


def _finding(site: SiteData, parties: Parties, rule: str, phase: str, name: str, dkey: str, cls: CookieClass,
             title: str, evidence: dict[str, Any], visit_id: int | None) -> Finding:
    return make(site, rule, "high", phase=phase, domain=registrable_domain(dkey) or dkey, key=f"{name}@{dkey}",
                title=title, evidence={**evidence, "classification": class_evidence(parties, cls)},
                party=cls.party, category=cls.category, page=site.page(visit_id),
                moment=BEFORE if rule == "cookie-before-consent" else AFTER_REJECT)


def cookie_before_consent(site: SiteData, parties: Parties) -> list[Finding]:
    """A non-essential cookie (first or third party) is set before consent."""
    groups: dict[tuple[str, str, str], list[Classified]] = {}
    for c in classified_writes(site, parties):
        if c.window == BEFORE:
            groups.setdefault(_group_key(c), []).append(c)
    out = []
    for (phase, name, dkey), writes in groups.items():
        first = writes[0]
        out.append(_finding(site, parties, "cookie-before-consent", phase, name, dkey, first.cls,
                            f"{first.cls.category} cookie {name} ({dkey}) set before consent",
                            {"cookie": cookie_evidence(site, first.write), "writes": len(writes)},
                            first.write.visit_id))
    return out


def cookie_after_reject(site: SiteData, parties: Parties) -> list[Finding]:
    """A non-essential cookie is set, or left in place, after "reject all"."""
    acted = site.acted("reject")
    if "reject" not in site.phases or not (acted or site.banner_detected()):
        return []  # no banner: nothing could be refused (tracking before consent covers it)
    set_after: dict[tuple[str, str], list[Classified]] = {}
    writers: dict[tuple[str, str], Classified] = {}
    for c in classified_writes(site, parties):
        if c.write.phase != "reject":
            continue
        key = (c.write.name, c.write.domain_key)
        writers.setdefault(key, c)
        if c.window == AFTER_REJECT:
            set_after.setdefault(key, []).append(c)
    left: dict[tuple[str, str], JarEntry] = {}
    moments = ("after-consent", "end") if acted else ("end",)
    for j in site.jar:
        if j.phase != "reject" or j.moment not in moments or (j.expires is not None and j.expires < j.time):
            continue
        if not acted and site.visit_seq.get(j.visit_id, 0) == 0:
            continue  # the click never happened: only the pages browsed after the landing page count
        key = (j.name, j.domain_key)
        if key in left:
            continue
        if key in writers or classify(parties, j.name, j.domain_key, parties.of(site.id, j.domain_key)):
            left[key] = j
    out = []
    for key in sorted({*set_after, *left}):
        name, dkey = key
        writes = set_after.get(key, [])
        cls = writes[0].cls if writes else (writers[key].cls if key in writers else
                                            classify(parties, name, dkey, parties.of(site.id, dkey)))
        evidence: dict[str, Any] = {}
        if writes:
            evidence["cookie"] = cookie_evidence(site, writes[0].write)
            evidence["writes_after_reject"] = len(writes)
        if key in left:
            evidence["left_in_place"] = jar_evidence(left[key])
            if not writes and key in writers:
                evidence["set_before_reject"] = cookie_evidence(site, writers[key].write)
        how = "set" if writes else "left in place"
        visit = writes[0].write.visit_id if writes else left[key].visit_id
        out.append(_finding(site, parties, "cookie-after-reject", "reject", name, dkey, cls,
                            f"{cls.category} cookie {name} ({dkey}) {how} after \"reject all\"", evidence, visit))
    return out


def excessive_cookie_lifetime(site: SiteData, parties: Parties) -> list[Finding]:
    """A non-essential cookie asks for more than 13 months; a consent record over 6 months is advisory."""
    longest: dict[tuple[str, str], CookieWrite] = {}
    phases: dict[tuple[str, str], set[str]] = {}
    for w in site.cookies:
        if w.lifetime is None or w.lifetime <= CONSENT_RECORD_LIFETIME or refused(w):
            continue
        key = (w.name, w.domain_key)
        phases.setdefault(key, set()).add(w.phase)
        if key not in longest or w.lifetime > longest[key].lifetime:
            longest[key] = w
    out = []
    for (name, dkey), w in sorted(longest.items()):
        party = setter(site, parties, w)
        cls = classify(parties, name, dkey, party)
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

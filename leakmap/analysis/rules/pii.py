"""``pii-leak``: a canary value typed into a form (never submitted) leaves in a third-party request.

The forms collector records what it typed where (``form_fills``). Each value is searched, in the
requests of the same phase sent after it was typed, in every encoding trackers use: plain,
URL-encoded, base64, and MD5/SHA-1/SHA-256 hex digests, each of the value as typed and of its
lower-cased, trimmed form (what "hashed e-mail" matching products normalise to); phone numbers
also as digits only and in national format. Values shorter than 5 characters (a first name
alone) are not searched: they would match by chance. The frame that holds the field does not
count as a receiver (a payment form inside the provider's own iframe sends to the provider).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from leakmap.analysis.data import Fill, SiteData, memo
from leakmap.analysis.findings import make, party_evidence, request_evidence
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.common import Hit, third_party_hits
from leakmap.records import Finding

MIN_VALUE = 5
_CLOCK_SLACK = 0.25  # seconds: the browser stamps requests with the same machine clock as the typing


@dataclass(frozen=True, slots=True)
class Needle:
    text: str
    encoding: str
    case_sensitive: bool


def _bases(field: str, value: str) -> list[tuple[str, str]]:
    out = [("", value)]
    norm = value.strip().lower()
    if norm != value:
        out.append(("lower-cased ", norm))
    if field == "phone":
        digits = re.sub(r"\D", "", value)
        out.append(("digits ", digits))
        if value.strip().startswith("+") and len(digits) > 9:
            out.append(("national ", "0" + digits[2:]))
    return out


def needles(field: str, value: str) -> list[Needle]:
    """Every encoding of a typed value to look for."""
    found: dict[str, Needle] = {}

    def add(text: str, encoding: str, case_sensitive: bool = False) -> None:
        key = text if case_sensitive else text.lower()
        if len(text) >= MIN_VALUE and key not in found:
            found[key] = Needle(key, encoding, case_sensitive)

    if len(value.strip()) < MIN_VALUE:
        return []
    for label, base in _bases(field, value):
        add(base, f"{label}plain")
        add(quote(base, safe=""), f"{label}url-encoded")
        add(quote_plus(base), f"{label}url-encoded")
        raw = base.encode()
        for b64, name in ((base64.b64encode(raw).decode(), "base64"), (base64.urlsafe_b64encode(raw).decode(), "base64url")):
            add(b64, f"{label}{name}", True)
            add(b64.rstrip("="), f"{label}{name}", True)
        for algo in ("md5", "sha1", "sha256"):
            add(hashlib.new(algo, raw).hexdigest(), f"{label}{algo}")
    return list(found.values())


@dataclass(slots=True)
class PiiMatch:
    hit: Hit
    fill: Fill
    encoding: str
    where: str

    @property
    def req(self):
        return self.hit.req

    @property
    def party(self) -> Party:
        return self.hit.party


def pii_matches(site: SiteData, parties: Parties) -> list[PiiMatch]:
    return memo(site, "pii_matches", lambda: _matches(site, parties))


def _matches(site: SiteData, parties: Parties) -> list[PiiMatch]:
    if not site.fills:
        return []
    per_phase: dict[str, list[tuple[Fill, list[Needle], Party | None]]] = {}
    seen: set[tuple[str, str, str]] = set()
    for f in site.fills:
        if (f.phase, f.field, f.value) in seen:
            continue
        seen.add((f.phase, f.field, f.value))
        per_phase.setdefault(f.phase, []).append((f, needles(f.field, f.value), parties.of_url(site.id, f.frame_url)))
    out = []
    for hit in third_party_hits(site, parties):
        req = hit.req
        fills = per_phase.get(req.phase)
        if not fills:
            continue
        places = [(w, t) for w, t in (("url", req.url), ("post_data", req.post_data), ("referer", req.referer)) if t]
        lowered = [(w, t, t.lower()) for w, t in places]
        for fill, fill_needles, frame_party in fills:
            if req.time < fill.time - _CLOCK_SLACK or (frame_party is not None and frame_party.domain == hit.party.domain):
                continue
            match = next(((n, w) for n in fill_needles for w, t, low in lowered
                          if n.text in (t if n.case_sensitive else low)), None)
            if match:
                out.append(PiiMatch(hit, fill, match[0].encoding, match[1]))
    return out


def pii_leak(site: SiteData, parties: Parties) -> list[Finding]:
    groups: dict[tuple[str, str, str, str, str], list[PiiMatch]] = {}
    for m in pii_matches(site, parties):
        groups.setdefault((m.req.phase, m.hit.window, m.party.domain, m.fill.field, m.encoding), []).append(m)
    out = []
    for (phase, _moment, domain, field, encoding), matches in groups.items():
        first = matches[0]
        f = first.fill
        out.append(make(
            site, "pii-leak", "high", phase=phase, domain=domain, key=f"{field}:{encoding}", party=first.party,
            category=first.hit.category, page=f.page_url or site.page(f.visit_id), moment=first.hit.window,
            title=f"typed {field} sent to {first.party.label_with(encoding)} before the form was submitted",
            evidence={"field": {"kind": f.field, "value": f.value, "selector": f.selector, "name": f.input_name,
                                "frame_url": f.frame_url, "typed_at": f.time, "t_consent": f.t_consent},
                      "encoding": encoding, "found_in": first.where, "requests": len(matches),
                      "request": request_evidence(site, first.req),
                      "classification": party_evidence(parties, first.party, first.hit.match)}))
    return out

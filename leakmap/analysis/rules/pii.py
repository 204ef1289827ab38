"""``pii-leak``: a canary value typed into a form (never submitted) leaves in a third-party request.

The forms collector records what it typed where (``form_fills``). Each value is searched, in the
requests of the same phase sent after it was typed, in every encoding trackers use: plain,
URL-encoded, base64, and MD5/SHA-1/SHA-256 hex digests, each of the value as typed and of its
lower-cased, trimmed form (what "hashed e-mail" matching products normalise to); phone numbers
also as digits only and in national format. Values shorter than 5 characters (a first name
alone) are not searched: they would match by chance. The frame that holds the field does not
count as a receiver (a payment form inside the provider's own iframe sends to the provider).

What is searched is what the field held after the typing (read back) and the keys typed, and
the *beginnings* of both (:func:`prefix_lengths`): a key-logger batches keystrokes and may send
the value a few characters short (the page closed, or the typing was cut on a busy machine), and
its request is still the typed value leaving. A beginning found counts under the same encoding
as the whole value (a finding does not change with how many characters a batch carried); the
evidence says how many of the value's characters were found.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from leakmap.analysis.data import Fill, SiteData, memo
from leakmap.analysis.findings import make, party_evidence, request_evidence
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.common import Hit, third_party_hits
from leakmap.records import Finding

MIN_VALUE = 5
MIN_PREFIX = 12
PREFIX_SHARE = 0.75
_CLOCK_SLACK = 0.25  # seconds: the browser stamps requests with the same machine clock as the typing


@dataclass(frozen=True, slots=True)
class Needle:
    text: str
    encoding: str
    case_sensitive: bool
    length: int = 0  # characters of the value it stands for (fewer than ``whole``: a beginning)
    whole: int = 0


def prefix_lengths(value: str) -> range:
    """The lengths of the beginnings of ``value`` searched besides the whole value, longest first:
    at least ``MIN_PREFIX`` (12) characters and at least ``PREFIX_SHARE`` (three quarters) of the
    value.

    Why these bounds: a beginning must still say that *this* value left, not a common string it
    starts with. The longest common heads of what leakmap types are a phone range shared by every
    canary (``+447700900``, 10 characters; ``07700900`` nationally), country and area codes, first
    names and e-mail local parts many people share (``contact@``, ``jean.dupont``, 11), and digit
    runs that turn up in any URL (timestamps, ids: 8 digits match a random 12-digit id about once
    in 10^7 positions, 12 digits once in 10^12). Twelve characters is longer than all of them, and
    for the generated canary (``leakmap.`` then 8 random hex digits) it already holds 4 random
    digits. Three quarters of the value keeps most of it: what a key-logger cut a few keys short
    sent, not the shared beginning of another value (``jean.dupont.paris@`` and
    ``jean.dupont.lyon@``)."""
    shortest = max(MIN_PREFIX, math.ceil(PREFIX_SHARE * len(value)))
    return range(len(value) - 1, shortest - 1, -1)


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
    """Every encoding of a typed value to look for, and of its beginnings (:func:`prefix_lengths`):
    the whole value first, then ever shorter beginnings, so the first needle found is the longest."""
    found: dict[str, Needle] = {}

    def add(text: str, encoding: str, length: int, whole: int, case_sensitive: bool = False) -> None:
        key = text if case_sensitive else text.lower()
        if len(text) >= MIN_VALUE and key not in found:
            found[key] = Needle(key, encoding, case_sensitive, length, whole)

    if len(value.strip()) < MIN_VALUE:
        return []
    bases = _bases(field, value)
    pieces = [(len(base) - n, label, base[:n], len(base)) for label, base in bases
              for n in (len(base), *prefix_lengths(base))]
    for _dropped, label, piece, whole in sorted(pieces, key=lambda p: p[0]):
        n = len(piece)
        add(piece, f"{label}plain", n, whole)
        add(quote(piece, safe=""), f"{label}url-encoded", n, whole)
        add(quote_plus(piece), f"{label}url-encoded", n, whole)
        raw = piece.encode()
        for b64, name in ((base64.b64encode(raw).decode(), "base64"), (base64.urlsafe_b64encode(raw).decode(), "base64url")):
            add(b64, f"{label}{name}", n, whole, True)
            add(b64.rstrip("="), f"{label}{name}", n, whole, True)
        for algo in ("md5", "sha1", "sha256"):
            add(hashlib.new(algo, raw).hexdigest(), f"{label}{algo}", n, whole)
    return list(found.values())


def fill_needles(fill: Fill) -> list[Needle]:
    """What the field held and, when it differs (the page rewrote it), the keys typed."""
    out = needles(fill.field, fill.value)
    if fill.typed and fill.typed != fill.value:
        seen = {n.text for n in out}
        out += [n for n in needles(fill.field, fill.typed) if n.text not in seen]
    return out


@dataclass(slots=True)
class PiiMatch:
    hit: Hit
    fill: Fill
    needle: Needle
    where: str

    @property
    def encoding(self) -> str:
        return self.needle.encoding

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
    seen: set[tuple[str, str, str, str]] = set()
    for f in site.fills:
        if (f.phase, f.field, f.value, f.typed) in seen:
            continue
        seen.add((f.phase, f.field, f.value, f.typed))
        per_phase.setdefault(f.phase, []).append((f, fill_needles(f), parties.of_url(site.id, f.frame_url)))
    out = []
    for hit in third_party_hits(site, parties):
        req = hit.req
        fills = per_phase.get(req.phase)
        if not fills:
            continue
        places = [(w, t) for w, t in (("url", req.url), ("post_data", req.post_data), ("referer", req.referer)) if t]
        lowered = [(w, t, t.lower()) for w, t in places]
        for fill, searched, frame_party in fills:
            if req.time < fill.time - _CLOCK_SLACK or (frame_party is not None and frame_party.domain == hit.party.domain):
                continue
            match = next(((n, w) for n in searched for w, t, low in lowered
                          if n.text in (t if n.case_sensitive else low)), None)
            if match:
                out.append(PiiMatch(hit, fill, match[0], match[1]))
    return out


def pii_leak(site: SiteData, parties: Parties) -> list[Finding]:
    groups: dict[tuple[str, str, str, str, str], list[PiiMatch]] = {}
    for m in pii_matches(site, parties):
        groups.setdefault((m.req.phase, m.hit.window, m.party.domain, m.fill.field, m.encoding), []).append(m)
    out = []
    for (phase, _moment, domain, field, encoding), matches in groups.items():
        first = max(matches, key=lambda m: m.needle.length)  # the request that carried the most of it
        f = first.fill
        partial = {"characters": first.needle.length, "of": first.needle.whole} \
            if first.needle.length < first.needle.whole else None
        out.append(make(
            site, "pii-leak", "high", phase=phase, domain=domain, key=f"{field}:{encoding}", party=first.party,
            category=first.hit.category, page=f.page_url or site.page(f.visit_id), moment=first.hit.window,
            title=f"typed {field} sent to {first.party.label_with(encoding)} before the form was submitted",
            evidence={"field": {"kind": f.field, "value": f.value, "typed": f.typed or None, "selector": f.selector,
                                "name": f.input_name, "frame_url": f.frame_url, "typed_at": f.time,
                                "t_consent": f.t_consent},
                      "encoding": encoding, "found_in": first.where, "requests": len(matches), "partial": partial,
                      "request": request_evidence(site, first.req),
                      "classification": party_evidence(parties, first.party, first.hit.match)}))
    return out

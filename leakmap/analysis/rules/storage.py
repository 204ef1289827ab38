"""``storage-before-consent``: a tracking script writes an identifier to local/session storage
before consent. The writer is the innermost script of the write's stack that is a third party;
a tracking one makes the finding when the value holds an identifier token (the one test of
:mod:`leakmap.analysis.identifiers`): compared with what the same key holds on the same page in
the other phases' fresh profiles, those at the same moment of the choice first (a token that is
the same elsewhere is a constant; lengths may differ by a quarter), else judged by its looks.
The site's consent record (:mod:`~leakmap.analysis.rules.choice`) holds none. Tracking means the
verdict every rule uses: the party was tracking at that moment of that phase (its listing, a
filter, or what its requests did), else the script's own URL judged by listing and filters.
:func:`judge_storage` is that verdict on one write, which the cookie declaration shares."""

from __future__ import annotations

from dataclasses import dataclass

from leakmap.analysis.data import SiteData, StorageWrite, memo
from leakmap.analysis.findings import BEFORE, make, moment_of_row, party_evidence, timing
from leakmap.analysis.identifiers import identifier_tokens, peers
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.behaviour import filter_basis, label_basis
from leakmap.analysis.rules.choice import choice_places, storage_place
from leakmap.analysis.rules.common import verdict_of
from leakmap.blocklists import FilterMatch
from leakmap.records import Finding


def _tracking_writer(site: SiteData, parties: Parties, w: StorageWrite,
                     moment: str) -> tuple[str, Party, str, FilterMatch | None, dict | None] | None:
    for url in dict.fromkeys([*(w.stack or []), *([w.script_url] if w.script_url else [])]):
        party = parties.of_url(site.id, url)
        if party is None or party.first_party:
            continue
        hit = verdict_of(site, parties, party, w.phase, moment)
        if hit is not None:
            return url, party, hit.category or "advertising", hit.match, hit.basis
        category, match = parties.tracking(party, url, site.page(w.visit_id), "Script")
        if category:
            return url, party, category, match, filter_basis(category, match) if match else label_basis(party, category)
    return None


def _same_place(site: SiteData) -> dict[tuple[str, str | None, str | None], dict[str, list[tuple[str, str]]]]:
    """(kind, key, page) -> phase -> the (value, moment) written there: the same key on the same page
    in the other fresh profiles, to tell an identifier (differs) from a constant (a video id, a setting)."""
    def compute() -> dict[tuple[str, str | None, str | None], dict[str, list[tuple[str, str]]]]:
        out: dict[tuple[str, str | None, str | None], dict[str, list[tuple[str, str]]]] = {}
        for w in site.storage:
            if w.value:
                out.setdefault((w.kind, w.key, site.page(w.visit_id)), {}).setdefault(w.phase, []).append(
                    (w.value, moment_of_row(w)))
        return out
    return memo(site, "storage_places", compute)


@dataclass(frozen=True, slots=True)
class StorageVerdict:
    """A storage write judged tracking: a tracking script wrote an identifier."""

    script: str
    party: Party
    category: str
    match: FilterMatch | None
    basis: dict | None
    identifier: str
    compared: bool  # told from the same key in other profiles (else by its looks)


def judge_storage(site: SiteData, parties: Parties, w: StorageWrite) -> StorageVerdict | None:
    """The verdict on one storage write at its own moment (None: no identifier, the site's consent
    record, or no tracking writer)."""
    if not w.value or storage_place(w.kind, w.key, w.origin) in choice_places(site):
        return None
    moment = moment_of_row(w)
    ids, compared = identifier_tokens(w.value, peers(_same_place(site)[(w.kind, w.key, site.page(w.visit_id))],
                                                     w.phase, moment), site.scan_time)
    if not ids:
        return None
    writer = _tracking_writer(site, parties, w, moment)
    return StorageVerdict(*writer, ids[0], compared) if writer is not None else None


def storage_before_consent(site: SiteData, parties: Parties) -> list[Finding]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for w in site.storage:
        if moment_of_row(w) != BEFORE:
            continue
        verdict = judge_storage(site, parties, w)
        if verdict is None:
            continue
        party, category = verdict.party, verdict.category
        key = (w.phase, party.domain, w.kind, w.key or "")
        if key in seen:
            continue
        seen.add(key)
        out.append(make(site, "storage-before-consent", "high", phase=w.phase, domain=party.domain, moment=BEFORE,
                        key=f"{w.kind}:{w.key}", party=party, category=category, page=site.page(w.visit_id),
                        title=f"{party.label_with(category)} stored an identifier in {w.kind}Storage "
                              f"key {w.key!r} before consent",
                        evidence={"storage": {"kind": w.kind, "origin": w.origin, "frame_url": w.frame_url,
                                              "key": w.key, "value": w.value[:300], "identifier": verdict.identifier,
                                              "compared_across_profiles": verdict.compared,
                                              "script_url": verdict.script, "stack": w.stack, **timing(w)},
                                  "classification": {**party_evidence(parties, party, verdict.match),
                                                     "basis": verdict.basis}}))
    return out

"""Identifier tokens of long-lived cookies, per phase (each phase is its own fresh profile).

Each token belongs to the party that set the cookie (its ``Set-Cookie`` response host, or the
script that wrote it); whether it is an identifier is decided by comparing the same cookie across
the phases' fresh profiles (:mod:`leakmap.analysis.identifiers`). ``id-sync`` looks for these
tokens in other parties' requests; the tracking judgement (:mod:`leakmap.analysis.rules.behaviour`)
looks for them in any third party's requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from leakmap.analysis.data import SiteData, memo
from leakmap.analysis.identifiers import LONG_LIVED, candidates, confirmed, tokens
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.writes import refused, setter


@dataclass(slots=True)
class IdSource:
    """A candidate identifier token of a cookie in one profile."""

    name: str
    domain_key: str
    owner: Party
    token: str
    value: str
    lifetime: float | None
    confirmed: bool  # compared across fresh profiles (False: judged by its looks, one profile only)
    profiles: tuple[str, ...]
    theirs: tuple[str, ...]  # the other profiles' tokens at the same place
    _verdict: bool | None = None

    def is_identifier(self) -> bool:
        """The similarity test, run only for tokens found in a request (it is the costly part)."""
        if self._verdict is None:
            self._verdict = confirmed(self.token, self.theirs)
        return self._verdict


def id_sources(site: SiteData, parties: Parties) -> dict[str, dict[str, list[IdSource]]]:
    """phase -> token -> the cookies holding it."""
    return memo(site, "id_sources", lambda: _sources(site, parties))


def _sources(site: SiteData, parties: Parties) -> dict[str, dict[str, list[IdSource]]]:
    # (name, domain) -> phase -> (value, lifetime, owner)
    values: dict[tuple[str, str], dict[str, tuple[str, float | None, Party]]] = {}
    for w in site.cookies:
        if w.lifetime is None or w.lifetime < LONG_LIVED or refused(w) or not tokens(w.value):
            continue
        values.setdefault((w.name, w.domain_key), {})[w.phase] = (w.value, w.lifetime, setter(site, parties, w))
    for j in site.jar:
        if j.expires is None or j.expires - j.time < LONG_LIVED or not tokens(j.value):
            continue
        per_phase = values.setdefault((j.name, j.domain_key), {})
        if j.phase not in per_phase:
            per_phase[j.phase] = (j.value, j.expires - j.time, parties.of(site.id, j.domain_key))
    out: dict[str, dict[str, list[IdSource]]] = {}
    for (name, dkey), per_phase in values.items():
        for phase, (value, lifetime, owner) in per_phase.items():
            others = [v for p, (v, _, _) in per_phase.items() if p != phase]
            found, compared = candidates(value, others, site.scan_time)
            for token, theirs in found:
                out.setdefault(phase, {}).setdefault(token, []).append(
                    IdSource(name, dkey, owner, token, value, lifetime, compared, tuple(sorted(per_phase)), theirs))
    return out

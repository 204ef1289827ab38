"""Identifier tokens of long-lived cookies, per phase (each phase is its own fresh profile).

Each token belongs to the party that set the cookie (its ``Set-Cookie`` response host, or the
script that wrote it); whether it is an identifier is decided by comparing the same cookie across
the phases' fresh profiles, those at the same moment of the choice first
(:mod:`leakmap.analysis.identifiers`). The site's consent record (:mod:`~leakmap.analysis.rules.choice`)
is consent state and holds none. ``id-sync`` looks for these tokens in other parties' requests;
the tracking judgement (:mod:`leakmap.analysis.rules.behaviour`) looks for them in any third
party's requests; the cookie rules in what is sent after a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from leakmap.analysis.data import SiteData, memo
from leakmap.analysis.findings import moment_of_row, window
from leakmap.analysis.identifiers import LONG_LIVED, candidates, confirmed, identifier_tokens, peers, tokens
from leakmap.analysis.parties import Parties, Party
from leakmap.analysis.rules.choice import choice_places, cookie_place
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
    around: float  # the scan's time, to tell timestamps
    _verdict: bool | None = None

    def is_identifier(self) -> bool:
        """The similarity test, run only for tokens found in a request (it is the costly part)."""
        if self._verdict is None:
            self._verdict = confirmed(self.token, self.theirs, self.around)
        return self._verdict


def id_sources(site: SiteData, parties: Parties) -> dict[str, dict[str, list[IdSource]]]:
    """phase -> token -> the cookies holding it."""
    return memo(site, "id_sources", lambda: _sources(site, parties))


def cookie_identifiers(site: SiteData, parties: Parties, phase: str, name: str, domain_key: str, value: str) -> list[str]:
    """The identifier tokens of one cookie in one profile: those the cross-profile test confirmed for
    a long-lived cookie, else (a session cookie, one profile) those that look random in ``value``."""
    def index() -> dict[tuple[str, str, str], list[IdSource]]:
        out: dict[tuple[str, str, str], list[IdSource]] = {}
        for p, by_token in id_sources(site, parties).items():
            for holders in by_token.values():
                for s in holders:
                    out.setdefault((p, s.name, s.domain_key), []).append(s)
        return out
    known = memo(site, "id_sources_by_cookie", index).get((phase, name, domain_key))
    if known is not None:
        return [s.token for s in known if s.is_identifier()]
    if cookie_place(name, domain_key) in choice_places(site):
        return []
    return identifier_tokens(value, [], site.scan_time)[0]


def _moment(site: SiteData, phase: str, time: float) -> str:
    done = site.actions_at(phase, time)
    return window(phase, done == 0, done)


def _sources(site: SiteData, parties: Parties) -> dict[str, dict[str, list[IdSource]]]:
    record = choice_places(site)
    # (name, domain) -> phase -> moment -> (value, lifetime, owner): the last write at each moment
    values: dict[tuple[str, str], dict[str, dict[str, tuple[str, float | None, Party]]]] = {}
    for w in site.cookies:
        if w.lifetime is None or w.lifetime < LONG_LIVED or refused(w) or not tokens(w.value):
            continue
        values.setdefault((w.name, w.domain_key), {}).setdefault(w.phase, {})[moment_of_row(w)] = (
            w.value, w.lifetime, setter(site, parties, w))
    for j in site.jar:
        if j.expires is None or j.expires - j.time < LONG_LIVED or not tokens(j.value):
            continue
        per_moment = values.setdefault((j.name, j.domain_key), {}).setdefault(j.phase, {})
        per_moment.setdefault(_moment(site, j.phase, j.time), (j.value, j.expires - j.time,
                                                               parties.of(site.id, j.domain_key)))
    out: dict[str, dict[str, list[IdSource]]] = {}
    for (name, dkey), per_phase in values.items():
        if cookie_place(name, dkey) in record:
            continue
        seen = {p: [(v, m) for m, (v, _, _) in moments.items()] for p, moments in per_phase.items()}
        profiles = tuple(sorted(per_phase))
        for phase, moments in per_phase.items():
            for moment, (value, lifetime, owner) in moments.items():
                found, compared = candidates(value, peers(seen, phase, moment), site.scan_time)
                for token, theirs in found:
                    holders = out.setdefault(phase, {}).setdefault(token, [])
                    if not any(s.name == name and s.domain_key == dkey for s in holders):
                        holders.append(IdSource(name, dkey, owner, token, value, lifetime, compared, profiles, theirs,
                                                site.scan_time))
    return out

"""Which stored values are identifiers (Acar et al. 2014, "The Web Never Forgets", §5; Englehardt
et al. 2015, "Cookies that give you away", §4.3). One judgement for every rule: cookies, web
storage, request parameters (ID syncing, what an analytics party sends).

A value is split into tokens on every character outside ``[A-Za-z0-9_-]`` (``GA1.1.712..`` ->
``712..``; a UUID stays whole). A token is an identifier when

- it is 6-100 characters long and its place is long-lived (a cookie asked to live at least a
  month, as Acar et al. require: the callers' part);
- it is not a timestamp (a Unix time within ten years of the scan and, when other profiles hold
  the same place, within a day of a time they hold there: the visits of one scan are hours
  apart, while random numbers that merely fall in the decade -- about 30 % of Google
  Analytics' 31-bit client ids -- are years apart) and it looks generated: once words (``accept``, ``optOut``) and runs of
  one or two characters (``v2``) are set aside, at least 4 characters of at least 3 kinds are
  left, so a choice (``necessary``), a setting (``dark-theme``) or a small enumeration
  (``111000``) never is one;
- and -- the phases being fresh browser profiles -- the same place in another profile (the same
  cookie, storage key or request parameter, the token at the same position of its value) holds
  a token whose length is within 25 % of its own (profiles whose token there is of another
  length are left out of the comparison; the same value in any profile rules it out) (Englehardt et al.: generated ids need not
  have one length; ``<uuid>-tuct<hex>`` with an unpadded counter is 45 characters long in one
  profile and 46 in another), with a different value that is not similar to it (Ratcliff/
  Obershelp ratio below 0.66, difflib's measure, which rules out counters and timestamps that
  differ in a few digits), and what differs between the two looks generated too:
  ``v2_accept`` / ``v2_reject`` differ by a word, because the visitors chose differently, not
  because the profiles are different people.

The profiles compared with are those that made the same choice when there are such
(:func:`peers`: the same moment, before consent, after "accept all", ...): the accept and the
reject profile store different choices by design. A place seen in one profile only cannot be
compared; its tokens count when they look random (mixed character classes and high character
entropy), and the finding says the comparison was not possible.

Tokens use only URL-unreserved characters, so they appear verbatim in URLs even after
percent-encoding: a plain substring test finds them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from difflib import SequenceMatcher

from leakmap.phases import AFTER_REJECT, AFTER_WITHDRAWAL

MIN_LEN, MAX_LEN = 6, 100
LONG_LIVED = 30 * 86400  # seconds: "expires at least a month after being set"
SIMILAR = 0.66
LENGTH_SLACK = 0.25  # Englehardt et al.: lengths within 25 % of each other
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
_PART = re.compile(r"[A-Za-z]+|[0-9]+")  # a token's runs of letters and of digits
_WORD = re.compile(r"(?:[A-Z]?[a-z]+)+|[A-Z]+")  # lower case, Capitalised, camelCase, UPPER
_DAY = 86400
_CHOICE = {AFTER_REJECT: "refused", AFTER_WITHDRAWAL: "refused"}  # moments after the same choice


def tokens(value: str | None) -> list[str]:
    """The candidate identifier tokens of a value, in order."""
    if not value:
        return []
    return [t for t in _TOKEN.findall(value) if MIN_LEN <= len(t) <= MAX_LEN]


def is_timestamp(token: str, around: float) -> bool:
    """A Unix time in seconds or milliseconds within ten years of ``around``."""
    if not token.isdigit() or len(token) not in (10, 13):
        return False
    seconds = int(token) / (1000 if len(token) == 13 else 1)
    return abs(seconds - around) < 3650 * _DAY


def entropy(token: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(token)
    return -sum(c / n * math.log2(c / n) for c in Counter(token).values())


def _word(part: str) -> bool:
    return len(part) >= 3 and part.isalpha() and _WORD.fullmatch(part) is not None


def _seconds(token: str) -> float:
    return int(token) / (1000 if len(token) == 13 else 1)


def clock(values: Iterable[str], around: float) -> tuple[float, ...]:
    """The times other profiles hold (in seconds): what a number must be near to be a time too."""
    return tuple(_seconds(p) for v in values for p in _PART.findall(v) if is_timestamp(p, around))


def _time(part: str, around: float, times: tuple[float, ...] | None) -> bool:
    """``part`` is a time: a timestamp near the scan and, when other profiles were compared
    (``times`` not None), within a day of one of their times at that place."""
    if not is_timestamp(part, around):
        return False
    return times is None or any(abs(_seconds(part) - t) < _DAY for t in times)


def _made(parts: Iterable[str], around: float, times: tuple[float, ...] | None = None) -> bool:
    """What is left of these runs once words and timestamps are set aside is long and varied enough
    to be generated."""
    rest = "".join(p for p in parts if not _word(p) and not _time(p, around, times))
    return len(rest) >= 4 and len(set(rest)) >= 3


def generated(token: str, around: float, times: tuple[float, ...] | None = None) -> bool:
    """The token was made by a program, not written by a person: not a timestamp (``v3-1790000000312``
    is a version and a time), not a word or words, not a small enumeration (``1``/``0``, ``111000``).
    ``times``: the times other profiles hold at the same place (:func:`clock`), None when none was
    compared."""
    return _made(_PART.findall(token), around, times)


def looks_random(token: str, around: float) -> bool:
    """A single-profile stand-in for the cross-profile test: long enough, generated, and made like
    generated ids are (digits with letters, long digit runs, or mixed-case letters) with enough
    distinct characters."""
    if len(token) < 8 or not generated(token, around):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    if has_digit and has_alpha:
        return entropy(token) >= 3.0
    if has_digit:
        return len(token) >= 10 and entropy(token) >= 2.5
    mixed = any(c.isupper() for c in token) and any(c.islower() for c in token)
    return mixed and len(token) >= 12 and entropy(token) >= 3.5


def similar_length(a: str, b: str) -> bool:
    """Lengths within 25 % of each other (of the longer)."""
    return abs(len(a) - len(b)) <= LENGTH_SLACK * max(len(a), len(b))


def _varies_like_an_id(a: str, b: str, around: float) -> bool:
    """What differs between two values of one place looks generated (not a word, an enumeration or a time)."""
    pa, pb = _PART.findall(a), _PART.findall(b)
    if len(pa) == len(pb):
        pairs = [(x, y) for x, y in zip(pa, pb, strict=True) if x != y]
        pa, pb = [x for x, _ in pairs], [y for _, y in pairs]
    return _made(pa, around, clock([b], around)) or _made(pb, around, clock([a], around))


def differs(a: str, b: str, around: float) -> bool:
    """Two profiles' tokens at the same place: lengths within 25 %, different and dissimilar values,
    and what differs looks generated (``around``: the scan's time, to tell timestamps)."""
    return (a != b and similar_length(a, b) and _varies_like_an_id(a, b, around)
            and SequenceMatcher(None, a, b, autojunk=False).ratio() < SIMILAR)


def _places(value: str, others: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """``value``'s tokens and those of the ``others`` that can be set beside them position by
    position: every run of token characters when the counts agree, else the tokens of identifier
    length (values with a varying number of short fields)."""
    mine = _TOKEN.findall(value)
    comparable = [o for o in (_TOKEN.findall(x) for x in others) if len(o) == len(mine)]
    if not comparable:
        mine = tokens(value)
        comparable = [o for o in map(tokens, others) if len(o) == len(mine)]
    return mine, comparable


def candidates(value: str, others: Sequence[str], around: float) -> tuple[list[tuple[str, tuple[str, ...]]], bool]:
    """The tokens of ``value`` that may be identifiers, each with the tokens at the same place in
    the other profiles' values (to confirm with :func:`confirmed`), and whether any other profile
    was comparable. Cheap: the costly similarity test is left for the tokens that matter."""
    mine, comparable = _places(value, others) if others else ([], [])
    if not comparable:
        return [(t, ()) for t in tokens(value) if looks_random(t, around)], False
    out = []
    for i, t in enumerate(mine):
        theirs = tuple(o[i] for o in comparable)
        # compared with the profiles whose token there is of its kind (length within 25 %): an
        # unpadded random number a thousand times smaller in one profile compares with none
        alike = tuple(x for x in theirs if similar_length(x, t))
        if not alike or t in theirs or not MIN_LEN <= len(t) <= MAX_LEN \
                or not generated(t, around, clock(alike, around)):
            continue
        out.append((t, alike))
    return out, True


def confirmed(token: str, theirs: tuple[str, ...], around: float) -> bool:
    """The cross-profile test of a candidate (no other profile: it passed on its looks already)."""
    return all(differs(token, x, around) for x in theirs)


def identifier_tokens(value: str, others: Sequence[str], around: float) -> tuple[list[str], bool]:
    """The identifier tokens of ``value`` given what the same place holds in other fresh profiles
    (:func:`peers`), and whether they were confirmed by comparison (False: judged by looks alone)."""
    found, compared = candidates(value, others, around)
    return [t for t, theirs in found if confirmed(t, theirs, around)], compared


def peers(seen: Mapping[str, Iterable[tuple[str, str]]], phase: str, moment: str) -> list[str]:
    """The values of one place to compare ``phase``'s with: ``seen`` maps each phase (a fresh
    profile) to the (value, moment) it held there. Other profiles' values after the same choice
    (none yet, accepted, refused: after "reject all" and after a withdrawal alike) when there are
    such, else every other profile's."""
    others = [(v, m) for p, rows in seen.items() if p != phase for v, m in rows]
    choice = _CHOICE.get(moment, moment)
    same = [v for v, m in others if _CHOICE.get(m, m) == choice]
    return list(dict.fromkeys(same or [v for v, _ in others]))


def _wordy(token: str) -> bool:
    """Words, with short fields beside them (``all``, ``v2_accept``, ``true``), nothing generated:
    numbers alone (``0``, ``60``: counters, session fields) do not say a choice."""
    parts = [p for p in re.split(r"[-_]", token) if p]
    return any(c.isalpha() for c in token) and all(_word(p) or len(p) <= 3 for p in parts)


def choice_difference(a: str, b: str) -> bool:
    """Two values of one place differ in their words (``accept``/``reject``, ``{"ads":true}``/
    ``{"ads":false}``, ``all``/``necessary``): what a stored choice looks like. A tracker's value
    that differs in its numbers (``GS1.1.1790000000.1.0`` / ``GS1.1.1790000100.1.1``) does not."""
    return Counter(t for t in _TOKEN.findall(a) if _wordy(t)) != Counter(t for t in _TOKEN.findall(b) if _wordy(t))


def bounded(text: str, token: str) -> bool:
    """``token`` occurs in ``text`` as a whole token (not inside a longer run of token characters)."""
    start = text.find(token)
    while start >= 0:
        end = start + len(token)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (before and _TOKEN.fullmatch(before)) and not (after and _TOKEN.fullmatch(after)):
            return True
        start = text.find(token, start + 1)
    return False

"""Which stored values are identifiers (Acar et al. 2014, "The Web Never Forgets", §5).

A cookie value is split into tokens on every character outside ``[A-Za-z0-9_-]`` (``GA1.1.712..``
-> ``712..``; a UUID stays whole). A token is an identifier when it is 6-100 characters long,
comes from a long-lived cookie (asked to live at least a month, as Acar et al. require), is not a
timestamp, and -- the three phases being three fresh browser profiles -- the same cookie in
another profile holds a token of the same length with a different value that is not similar to
it (Ratcliff/Obershelp ratio below 0.66, difflib's measure, which rules out counters and
timestamps that differ in a few digits). A cookie seen in one profile only cannot be compared;
its tokens count when they look random (mixed character classes and high character entropy),
and the finding says the comparison was not possible.

Tokens use only URL-unreserved characters, so they appear verbatim in URLs even after
percent-encoding: a plain substring test finds them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from difflib import SequenceMatcher

MIN_LEN, MAX_LEN = 6, 100
LONG_LIVED = 30 * 86400  # seconds: "expires at least a month after being set"
SIMILAR = 0.66
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
_DAY = 86400


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


def looks_random(token: str, around: float) -> bool:
    """A single-profile stand-in for the cross-profile test: long enough, no timestamp, and made
    like generated ids are (digits with letters, long digit runs, or mixed-case letters) with
    enough distinct characters."""
    if len(token) < 8 or is_timestamp(token, around):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    if has_digit and has_alpha:
        return entropy(token) >= 3.0
    if has_digit:
        return len(token) >= 10 and entropy(token) >= 2.5
    mixed = any(c.isupper() for c in token) and any(c.islower() for c in token)
    return mixed and len(token) >= 12 and entropy(token) >= 3.5


def differs(a: str, b: str) -> bool:
    """Two profiles' tokens at the same place: same length, different and dissimilar values."""
    return len(a) == len(b) and a != b and SequenceMatcher(None, a, b, autojunk=False).ratio() < SIMILAR


def candidates(value: str, others: list[str], around: float) -> tuple[list[tuple[str, tuple[str, ...]]], bool]:
    """The tokens of ``value`` that may be identifiers, each with the tokens at the same place in
    the other profiles' values (to confirm with :func:`confirmed`), and whether any other profile
    was comparable. Cheap: the costly similarity test is left for the tokens that matter."""
    full = tokens(value)
    mine = [(i, t) for i, t in enumerate(full) if not is_timestamp(t, around)]
    comparable = [o for o in map(tokens, others) if len(o) == len(full)]
    if not comparable:
        return [(t, ()) for _, t in mine if looks_random(t, around)], False
    out = []
    for i, t in mine:
        theirs = tuple(o[i] for o in comparable)
        if all(len(x) == len(t) and x != t for x in theirs):
            out.append((t, theirs))
    return out, True


def confirmed(token: str, theirs: tuple[str, ...]) -> bool:
    """The cross-profile test of a candidate (no other profile: it passed on its looks already)."""
    return all(differs(token, x) for x in theirs)


def identifier_tokens(value: str, others: list[str], around: float) -> tuple[list[str], bool]:
    """The identifier tokens of ``value`` given the same cookie's values in other fresh profiles,
    and whether they were confirmed by comparison (False: judged by looks alone)."""
    found, compared = candidates(value, others, around)
    return [t for t, theirs in found if confirmed(t, theirs)], compared


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

"""Page texts as leakmap matches them, and the generated vocabulary of consent and declaration wording.

The vocabulary (``crawler/consent/data/vocabulary.json``, built by
``python -m leakmap.crawler.consent.vocabulary_build``) is read here without importing the crawler,
so analysis (``leakmap.declaration``) reads the same words the crawler does: every text in it is
written as :func:`normalise` leaves it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

VOCABULARY = Path(__file__).parent / "crawler" / "consent" / "data" / "vocabulary.json"

_SPACES = re.compile(r"\s+")
_EDGES = re.compile(r"^[\s\"'«»›>→✓✔×✕]+|[\s\"'«»›>→✓✔×✕.!]+\Z")


def normalise(text: str) -> str:
    """Lower case, single spaces, no quotes, arrows, ticks or crosses at the edges, no final . or !"""
    return _EDGES.sub("", _SPACES.sub(" ", text).strip().lower())


@cache
def languages(path: Path = VOCABULARY) -> dict[str, dict[str, dict[str, list[str]]]]:
    """language -> role -> text -> its sources, as the data file holds them (read once)."""
    return json.loads(path.read_text(encoding="utf-8"))["languages"]


def texts(role: str) -> tuple[str, ...]:
    """Every text of a role, each once, in the file's order (curated texts of a language first)."""
    return tuple(dict.fromkeys(t for roles in languages().values() for t in roles.get(role, {})))


def label(role: str, language: str) -> str | None:
    """The first text of a role in a language (leakmap's own choice leads), as a label: None when the
    vocabulary has none in that language."""
    found = next(iter(languages().get(language.split("-")[0].lower(), {}).get(role, {})), None)
    return found[:1].upper() + found[1:] if found else None

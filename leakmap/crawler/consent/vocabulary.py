"""The button texts the consent heuristic recognises, in every language the data file holds.

``data/vocabulary.json`` is generated (``python -m leakmap.crawler.consent.vocabulary_build``)
from leakmap's curated list (``texts.py``) and the consent platforms' own language packs
(``packs.py``); each text records where it came from. A button is recognised when its whole
visible text, normalised as ``normalise`` does (and as the page-side ``NORMALISE_JS`` of
``heuristic.py`` does, the same steps), is one of the texts of a role.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "vocabulary.json"
ROLES = ("accept", "reject", "settings", "save", "close")

_SPACES = re.compile(r"\s+")
_EDGES = re.compile(r"^[\s\"'«»›>→✓✔×✕]+|[\s\"'«»›>→✓✔×✕.!]+\Z")


def normalise(text: str) -> str:
    """Lower case, single spaces, no quotes, arrows, ticks or crosses at the edges, no final . or !"""
    return _EDGES.sub("", _SPACES.sub(" ", text).strip().lower())


@dataclass(frozen=True)
class Vocabulary:
    """Per role, every text once, in the order the heuristic prefers them (earlier wins a tie):
    language by language as the data file lists them, leakmap's curated texts first in each."""
    accept: tuple[str, ...]
    reject: tuple[str, ...]
    settings: tuple[str, ...]
    save: tuple[str, ...]
    close: tuple[str, ...]  # the close control of a pop-up covering the banner

    @classmethod
    def load(cls, path: Path = DATA) -> Vocabulary:
        languages = json.loads(path.read_text(encoding="utf-8"))["languages"]
        return cls(**{role: tuple(dict.fromkeys(text for roles in languages.values() for text in roles.get(role, {})))
                      for role in ROLES})


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary (read once)."""
    return Vocabulary.load()

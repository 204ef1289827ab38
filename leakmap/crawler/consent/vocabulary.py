"""The button texts the consent heuristic recognises, in every language the data file holds.

``data/vocabulary.json`` is generated (``python -m leakmap.crawler.consent.vocabulary_build``)
from leakmap's curated list (``texts.py``) and the consent platforms' own language packs
(``packs.py``); each text records where it came from. A button is recognised when its whole
visible text, normalised as ``normalise`` does (and as the page-side ``NORMALISE_JS`` of
``heuristic.py`` does, the same steps), is one of the texts of a role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from leakmap.wording import VOCABULARY as DATA
from leakmap.wording import normalise

__all__ = ["DATA", "DECLARATION_ROLES", "ROLES", "Vocabulary", "normalise", "vocabulary"]

ROLES = ("accept", "reject", "settings", "save", "close")  # the heuristic's buttons, and a pop-up's close control
# what sites publish about their cookies: cookie-table headers, policy links, purposes (leakmap.declaration)
DECLARATION_ROLES = ("column-name", "column-purpose", "column-lifetime", "column-provider", "column-type",
                     "column-category", "policy-link", "purpose-necessary", "purpose-functional", "purpose-analytics",
                     "purpose-advertising", "purpose-social")


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

"""The severities of findings: one table (order, words, colours) every part reads.

Rules grade findings with these names, facts keep the most severe occurrence, the policy's
``fail_on`` and overrides compare them by rank, and each renderer shows them its way (terminal
style, HTML colour, SARIF level) from the same row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Severity:
    name: str
    meaning: str  # what the grade says, for the docs and the HTML legend
    terminal: str  # rich style
    colour: str  # HTML/CSS colour
    sarif: str  # SARIF result level


SEVERITY_TABLE: tuple[Severity, ...] = (  # most severe first
    Severity("high", "direct evidence of tracking or storage without valid consent", "bold red", "#b3261e", "error"),
    Severity("medium", "a likely problem that needs a closer look", "yellow", "#b26a00", "warning"),
    Severity("info", "an advisory: worth knowing, no violation on its own", "dim", "#5f6368", "note"),
)
SEVERITY: dict[str, Severity] = {s.name: s for s in SEVERITY_TABLE}
SEVERITIES: tuple[str, ...] = tuple(s.name for s in SEVERITY_TABLE)


def rank(name: str) -> int:
    """0 for the most severe; an unknown name (a store from a newer leakmap) after every known one."""
    return SEVERITIES.index(name) if name in SEVERITIES else len(SEVERITIES)


def at_least(name: str, threshold: str) -> bool:
    """``name`` is as severe as ``threshold`` or more."""
    return rank(name) <= rank(threshold)

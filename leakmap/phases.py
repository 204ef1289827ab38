"""The phases of an audit and the moments of a visitor's choice: one table each.

A phase is a fresh browser profile that visits the site's page list with one consent behaviour
(touch nothing, accept all, reject all, ...). A moment is where a piece of evidence stands with
respect to the visitor's choice in its phase (before any choice, after "accept all", ...); the
rules judge moments, so one fact seen in several phases (a tracker contacted before consent in
the baseline and before the click of the accept and reject phases) is one finding.

Adding a phase is one row here (plus what its browser set-up or consent step needs in the
crawler); the CLI, the policy, the reports and the rules read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

BEFORE, AFTER_ACCEPT, AFTER_REJECT = "before-consent", "after-accept", "after-reject"


@dataclass(frozen=True)
class Moment:
    """A situation of the visitor's choice that evidence is judged in."""

    name: str
    label: str  # how a sentence says it: "before consent"
    violating: bool  # nothing may be tracked in it (no consent given)


MOMENT_TABLE: tuple[Moment, ...] = (
    Moment(BEFORE, "before consent", True),
    Moment(AFTER_REJECT, 'after "reject all"', True),
    Moment(AFTER_ACCEPT, 'after "accept all"', False),
)
MOMENTS: dict[str, Moment] = {m.name: m for m in MOMENT_TABLE}


@dataclass(frozen=True)
class Phase:
    """One row of the phase table."""

    name: str
    summary: str  # what the phase does, for --help and the docs
    action: str | None  # consent action taken on the landing page: "accept", "reject", or None
    after: str | None  # the moment of evidence after that action (None: the phase takes no action)
    means: str  # what evidence of the phase shows, for the reports
    default: bool = True  # run unless --phases names the phases
    gpc: bool = False  # its browser sends the Global Privacy Control signal (leakmap.crawler.gpc)

    def moment(self, before: bool) -> str:
        """The moment of a row of this phase (``before``: stored before the phase's consent action)."""
        return BEFORE if before or self.after is None else self.after

    @property
    def verifiable(self) -> bool:
        """The phase acts on the banner, and the action is verified by its effect."""
        return self.action is not None


PHASE_TABLE: tuple[Phase, ...] = (
    Phase("baseline", "no answer: the pages are loaded, scrolled and left; the banner is never touched",
          None, None, "what the site does before the visitor answers the banner"),
    Phase("accept", 'the landing page is loaded, the banner answered "accept all", then the pages visited',
          "accept", AFTER_ACCEPT, 'what the site does once the visitor accepted all (before the click: before consent)'),
    Phase("reject", 'the landing page is loaded, the banner answered "reject all", then the pages visited',
          "reject", AFTER_REJECT, 'what the site does once the visitor refused (before the click: before consent)'),
    Phase("gpc", "like the baseline (banner left unanswered), but the browser sends the Global Privacy Control "
          "signal (Sec-GPC: 1, navigator.globalPrivacyControl); the site's own opt-out signals are read",
          None, None, "whether the site honours the visitor's opt-out of sale and sharing (US state laws)",
          default=False, gpc=True),
)
PHASE_OF: dict[str, Phase] = {p.name: p for p in PHASE_TABLE}
PHASES: tuple[str, ...] = tuple(p.name for p in PHASE_TABLE)  # every phase, in table order
DEFAULT_PHASES: tuple[str, ...] = tuple(p.name for p in PHASE_TABLE if p.default)
ACTION_PHASES: tuple[str, ...] = tuple(p.name for p in PHASE_TABLE if p.verifiable)


def phase(name: str) -> Phase:
    """The row of a phase; an unknown name (a store from a newer leakmap) acts like the baseline."""
    return PHASE_OF.get(name) or Phase(name, name, None, None, name)


def ordered(names) -> tuple[str, ...]:
    """Phase names in table order (unknown names last, as given)."""
    names = list(dict.fromkeys(names))
    return tuple(sorted(names, key=lambda n: PHASES.index(n) if n in PHASES else len(PHASES) + names.index(n)))

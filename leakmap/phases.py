"""The phases of an audit and the moments of a visitor's choice: one table each.

A phase is a fresh browser profile that visits the site's page list with one consent behaviour
(touch nothing, accept all, reject all, ...). A moment is where a piece of evidence stands with
respect to the visitor's choice in its phase (before any choice, after "accept all", ...); the
rules judge moments, so one fact seen in several phases (a tracker contacted before consent in
the baseline and before the click of the accept and reject phases) is one finding.

A phase takes its consent actions in order (``accept``; or ``accept`` then ``withdraw``), each
on a page of the list and each opening the moment of the evidence that follows it, so a row
of evidence is placed by how many of its phase's actions came before it
(:meth:`Phase.moment`).

Adding a phase is one row here (plus what its browser set-up or consent step needs in the
crawler); the CLI, the policy, the reports and the rules read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

BEFORE, AFTER_ACCEPT, AFTER_REJECT = "before-consent", "after-accept", "after-reject"
AFTER_WITHDRAWAL = "after-withdrawal"


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
    Moment(AFTER_WITHDRAWAL, "after consent was withdrawn", True),
)
MOMENTS: dict[str, Moment] = {m.name: m for m in MOMENT_TABLE}


@dataclass(frozen=True)
class Action:
    """A consent action of a phase: what it does, the moment of the evidence after it, and on
    which page of the phase's list it is taken."""

    name: str  # accept, reject (the banner answered), withdraw (the choice reopened and refused)
    after: str  # the moment it opens
    page: str = "landing"  # "landing": the first page; "middle": the page at index pages // 2

    def seq(self, pages: int) -> int:
        """The index of the page the action is taken on, in a list of ``pages`` pages (``--pages 1``:
        every action on the landing page, in order)."""
        return 0 if self.page == "landing" else max(0, pages // 2)


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
    later: tuple[Action, ...] = ()  # actions taken after the first, in order, on later pages

    @property
    def actions(self) -> tuple[Action, ...]:
        """Every consent action of the phase, in order."""
        first = (Action(self.action, self.after or BEFORE),) if self.action else ()
        return (*first, *self.later)

    def later_on(self, seq: int, pages: int) -> tuple[str, ...]:
        """The later actions taken on page ``seq`` of a list of ``pages`` pages, in order."""
        return tuple(a.name for a in self.later if a.seq(pages) == seq)

    def moment(self, before: bool, actions: int | None = None) -> str:
        """The moment of a row of this phase: ``before``, stored before the phase's first consent
        action; ``actions``, how many of the phase's actions came before it (None: a store from
        before that was recorded, where only the first action existed)."""
        taken = self.actions
        if before or not taken:
            return BEFORE
        n = min(max(1, actions or 1), len(taken))
        return taken[n - 1].after

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
    Phase("withdraw", 'the landing page is loaded, the banner answered "accept all", the first pages visited; on the '
          'middle page the choice is reopened through the site\'s own interface (its cookie-settings link or '
          'button, else the consent platform\'s API) and refused ("reject all"), then the other pages visited',
          "accept", AFTER_ACCEPT, "whether tracking stops once the visitor withdraws consent, and whether withdrawing "
          "was as easy as accepting (before the accept click: before consent; between the two: accepted)",
          default=False, later=(Action("withdraw", AFTER_WITHDRAWAL, page="middle"),)),
)
PHASE_OF: dict[str, Phase] = {p.name: p for p in PHASE_TABLE}
PHASES: tuple[str, ...] = tuple(p.name for p in PHASE_TABLE)  # every phase, in table order
DEFAULT_PHASES: tuple[str, ...] = tuple(p.name for p in PHASE_TABLE if p.default)
ACTION_PHASES: tuple[str, ...] = tuple(p.name for p in PHASE_TABLE if p.verifiable)
LATER_ACTIONS: frozenset[str] = frozenset(a.name for p in PHASE_TABLE for a in p.later)  # withdraw


def moments_of(phases) -> tuple[str, ...]:
    """The moments the evidence of these phases can stand in, in table order."""
    names = {BEFORE} | {a.after for p in phases for a in phase(p).actions}
    return tuple(m.name for m in MOMENT_TABLE if m.name in names)


def phase(name: str) -> Phase:
    """The row of a phase; an unknown name (a store from a newer leakmap) acts like the baseline."""
    return PHASE_OF.get(name) or Phase(name, name, None, None, name)


def ordered(names) -> tuple[str, ...]:
    """Phase names in table order (unknown names last, as given)."""
    names = list(dict.fromkeys(names))
    return tuple(sorted(names, key=lambda n: PHASES.index(n) if n in PHASES else len(PHASES) + names.index(n)))

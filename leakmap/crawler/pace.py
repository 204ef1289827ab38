"""How fast a visit may go: the machine's measured slowness, and the visit's own time budget.

Most waits end on an event (a response, a quiet network, a message from the consent engine);
the few that need a fixed cap (typing a value, a banner's exit animation, the page budget
itself) would cut work short on a busy machine and make two scans of one site differ. Those
caps are *stretched* by the slowness measured when the visit starts: the wall time a short
CPU-bound loop takes over the CPU time it gets (1.0 when a core is free at once, 2.0 when each
runnable task waits as long as it runs), clamped to ``MAX_SLOWNESS`` so a wedged page still
ends. The measure is per visit (a context variable of the visit's task), smoothed across visits.

A visit's :class:`Budget` is its page timeout, stretched the same way; optional waits (network
silence, late timers) take at most a share of what is left, so the steps after them (the
consent click, the reload, reading the page) always keep time.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field

MAX_SLOWNESS = 3.0
_PROBE = 0.02  # seconds of CPU time the probe runs for
_slowness: ContextVar[float] = ContextVar("leakmap_slowness", default=1.0)
_smoothed = [1.0]


def measure() -> float:
    """Slowness now: wall time over the thread's CPU time for a short busy loop, smoothed with
    the previous measures (one sample is at the scheduler's mercy), within [1, MAX_SLOWNESS]."""
    wall, cpu = time.perf_counter(), time.thread_time()
    while time.thread_time() - cpu < _PROBE:
        pass
    sample = (time.perf_counter() - wall) / max(time.thread_time() - cpu, 1e-6)
    _smoothed[0] = 0.5 * _smoothed[0] + 0.5 * min(MAX_SLOWNESS, max(1.0, sample))
    return _smoothed[0]


def begin_visit() -> float:
    """Measure the slowness for the visit running in this task (and the tasks it starts)."""
    value = measure()
    _slowness.set(value)
    return value


def slowness() -> float:
    return _slowness.get()


def stretched(factor: float) -> str:
    """How an error message says a cap was stretched (nothing when it was not)."""
    return f", stretched {factor:.1f}x for the machine's load" if factor > 1.05 else ""


def stretch(seconds: float) -> float:
    """A cap meant for an idle machine, for this one now."""
    return seconds * _slowness.get()


@dataclass
class Budget:
    """One visit's time, from now: ``seconds`` (already stretched)."""

    seconds: float
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def share(self, cap: float, part: float = 0.5) -> float:
        """An optional wait: at most ``cap``, and at most ``part`` of what is left."""
        return max(0.0, min(cap, self.left() * part))

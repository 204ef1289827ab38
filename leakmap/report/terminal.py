"""The end-of-scan summary in the terminal: per site, third parties per phase, consent, errors."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table

from leakmap.phases import LATER_ACTIONS, PHASES
from leakmap.report.model import ConsentView, Report, counted_moments
from leakmap.severity import SEVERITY, SEVERITY_TABLE

_UNBOUNDED = 1_000_000


def print_table(console: Console, table: Table) -> None:
    """Print ``table``; piped (no terminal to fit), as wide as its content, so that a host, cookie or
    company name is never cut in the middle to fit a width nobody is looking at."""
    if console.is_terminal:
        console.print(table)
        return
    wide = console.measure(table, options=console.options.update_width(_UNBOUNDED)).maximum
    width = console.width
    console.width = max(width, wide)
    try:
        console.print(table)
    finally:
        console.width = width


def _later_line(view: ConsentView) -> str:
    """A later consent action (withdraw): how the choice was reopened, and how it went."""
    reopen = view.reopen or {}
    if reopen.get("found"):
        how = f"reopened by the {str(reopen.get('means')).replace('-', ' ')} \u201c{reopen.get('text')}\u201d"
    elif reopen.get("means") == "api":
        how = f"no visible way to reopen the choice (leakmap used {reopen.get('call')})"
    else:
        how = "no way to reopen the choice found"
    if view.verified:
        return f"then {view.action}: {how}, {view.method}, verified ({view.steps} click(s))"
    return f"then {view.action}: {how}" + (f"; NOT verified: {view.error}" if view.error else "")


def consent_line(view: ConsentView) -> str:
    if view.action in LATER_ACTIONS:
        return _later_line(view)
    cmp = f" ({view.cmp})" if view.cmp else ""
    if not (view.banner_found or view.cmp):
        return "no consent banner seen" + (f" ({view.action} not attempted)" if view.action != "none" else "")
    if view.action == "none":
        return f"banner shown{cmp}, left unanswered"
    if view.verified:
        return f"{view.action} via {view.method}{cmp}, verified ({view.steps} click(s))"
    return f"{view.action} NOT verified{cmp}: {view.error}"


def print_summary(report: Report, store_path: Path, console: Console | None = None, max_errors: int = 20) -> None:
    """Per site: its consent steps, the requests each third party received per phase, its errors."""
    console = console or Console()
    phases = [p for p in PHASES if any(p in site.phases for site in report.sites)]
    for site in report.sites:
        visits = sum(view.visits for view in site.phases.values())
        console.rule(f"[bold]{rich_escape(site.start_url)}[/] ({site.status}, {visits} page visits)")
        for phase, view in site.consent.items():
            for step in (view, *view.later) if view.recorded else ():
                console.print(f"  {phase}: {consent_line(step)}", markup=False)
        requests: dict[str, dict[str, int]] = defaultdict(dict)
        info: dict[str, tuple[str, str]] = {}
        for phase, view in site.phases.items():
            for tp in view.third_parties:
                requests[tp.domain][phase] = tp.requests
                info[tp.domain] = (tp.entity or "", ", ".join(tp.categories))
        if requests:
            table = Table("third party", "owner", "categories", *phases, title="requests to third parties per phase")
            for domain in sorted(requests, key=lambda d: -sum(requests[d].values())):
                table.add_row(domain, *info[domain], *[str(requests[domain].get(p, "")) for p in phases])
            print_table(console, table)
        else:
            console.print("  no third-party requests")
        for e in site.errors[:max_errors]:
            console.print(f"  error ({e.phase or 'site'}) {e.kind}: {e.message} {e.url or ''}", markup=False, style="red")
    console.print(f"store: {store_path}")


_GATE = {0: ("clean", "bold green"), 1: ("findings fail the policy", "bold red"), 2: ("the audit could not run", "bold red")}


def print_findings(report: Report, console: Console | None = None, gate: bool = False, limit: int = 8) -> None:
    """Per site: findings by severity, high ones before consent and after a refusal, the top failing ones;
    with ``gate``, the policy's verdict and why the audit could not run."""
    console = console or Console()
    moments = counted_moments(report.scan.get("phases") or ())
    for site in report.sites:
        console.print(f"[bold]{rich_escape(site.start_url)}[/]: " if len(report.sites) > 1 else "findings: ", end="",
                      highlight=False)
        counts = ", ".join(f"[{s.terminal}]{site.count(s.name)} {s.name}[/]" for s in SEVERITY_TABLE)
        high = ", ".join(f"{site.count('high', m)} {label}" for m, label in moments)
        console.print(f"{counts} (high: {rich_escape(high)})", highlight=False)
        if (g := site.gpc()) is not None:
            who = f": ignored by {', '.join(g['ignored_by'])}" if g["ignored_by"] else ""
            said = f"; says no opt-out: {', '.join(g['mismatched_signals'])}" if g["mismatched_signals"] else ""
            console.print(f"  Global Privacy Control {g['verdict']}{who}{said}", markup=False, highlight=False)
        shown = [f for f in site.findings if f.gate == "fail"] if gate else [f for f in site.findings
                                                                            if f.severity == "high"]
        for f in shown[:limit]:
            console.print(f"  [{SEVERITY[f.severity].terminal}]{f.severity:<6}[/] {f.rule:<26} {','.join(p[0] for p in f.phases) or '-':<5} ", end="",
                          highlight=False)
            console.print(f.title, markup=False, highlight=False)
        if len(shown) > limit:
            console.print(f"  … and {len(shown) - limit} more in the report", highlight=False)
    if gate:
        g = report.gate
        text, style = _GATE[g["exit_code"]]
        console.print(f"[{style}]leakmap check: {text}[/] (exit {g['exit_code']}: {g['failing']} finding(s) at or "
                      f"above {g['fail_on']}; {g['statuses']['baselined']} baselined, {g['statuses']['allowed']} "
                      f"allowed, {g['statuses']['ignored']} ignored)", highlight=False)
        for problem in g["problems"]:
            console.print(f"  cannot run: {problem}", markup=False, style="red", highlight=False)

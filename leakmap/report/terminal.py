"""The end-of-scan summary in the terminal: per site, third parties per phase, consent, errors."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table

from leakmap.analysis.third_parties import from_store
from leakmap.blocklists import Knowledge
from leakmap.phases import LATER_ACTIONS, PHASES
from leakmap.store import Store

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


def _later_line(row: dict) -> str:
    """A later consent action (withdraw): how the choice was reopened, and how it went."""
    reopen = json.loads(row["details"] or "{}").get("reopen") or {}
    if reopen.get("found"):
        how = f"reopened by the {str(reopen.get('means')).replace('-', ' ')} \u201c{reopen.get('text')}\u201d"
    elif reopen.get("means") == "api":
        how = f"no visible way to reopen the choice (leakmap used {reopen.get('call')})"
    else:
        how = "no way to reopen the choice found"
    if row["verified"]:
        return f"then {row['action']}: {how}, {row['method']}, verified ({row['steps']} click(s))"
    return f"then {row['action']}: {how}" + (f"; NOT verified: {row['error']}" if row["error"] else "")


def consent_line(row: dict) -> str:
    if row["action"] in LATER_ACTIONS:
        return _later_line(row)
    cmp = f" ({row['cmp']})" if row["cmp"] else ""
    if not (row["banner_found"] or row["cmp"]):
        return "no consent banner seen" + (f" ({row['action']} not attempted)" if row["action"] != "none" else "")
    if row["action"] == "none":
        return f"banner shown{cmp}, left unanswered"
    if row["verified"]:
        return f"{row['action']} via {row['method']}{cmp}, verified ({row['steps']} click(s))"
    return f"{row['action']} NOT verified{cmp}: {row['error']}"


def print_summary(store_path: Path, scan_id: int, console: Console | None = None, kb: Knowledge | None = None) -> None:
    console = console or Console()
    store = Store(store_path)
    db = store.db
    kb = kb or Knowledge.load()
    parties = from_store(db, scan_id, kb)
    by_site: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    info: dict[tuple[int, str], tuple] = {}
    for tp in parties:
        by_site[tp.site_id][tp.domain][tp.phase] = tp.requests
        info[(tp.site_id, tp.domain)] = (tp.entity or "", ", ".join(tp.categories))
    phases = [p for p in PHASES if db.execute(
        "select 1 from visits v join sites s on s.id = v.site_id where s.scan_id = ? and v.phase = ? limit 1",
        [scan_id, p]).fetchone()]
    for site in db.query("select * from sites where scan_id = ? order by id", [scan_id]):
        visits = db.execute("select count(*) from visits where site_id = ?", [site["id"]]).fetchone()[0]
        console.rule(f"[bold]{site['start_url']}[/] ({site['status']}, {visits} page visits)")
        for consent in db.query("select * from consent where site_id = ? order by id", [site["id"]]):
            console.print(f"  {consent['phase']}: {consent_line(consent)}", markup=False)
        domains = by_site.get(site["id"], {})
        if domains:
            table = Table("third party", "owner", "categories", *phases, title="requests to third parties per phase")
            for domain in sorted(domains, key=lambda d: -sum(domains[d].values())):
                entity, cats = info[(site["id"], domain)]
                table.add_row(domain, entity, cats, *[str(domains[domain].get(p, "")) for p in phases])
            print_table(console, table)
        else:
            console.print("  no third-party requests")
        errors = list(db.query("select kind, message, url, phase from errors where site_id = ? and kind != 'script-error' "
                               "order by id limit 20", [site["id"]]))
        for e in errors:
            console.print(f"  error ({e['phase'] or 'site'}) {e['kind']}: {e['message']} {e['url'] or ''}",
                          markup=False, style="red")
    console.print(f"store: {store_path}")
    store.close()


_STYLE = {"high": "bold red", "medium": "yellow", "info": "dim"}
_GATE = {0: ("clean", "bold green"), 1: ("findings fail the policy", "bold red"), 2: ("the audit could not run", "bold red")}


def print_findings(report, console: Console | None = None, gate: bool = False, limit: int = 8) -> None:
    """Per site: findings by severity, high ones before consent and after a refusal, the top failing ones;
    with ``gate``, the policy's verdict and why the audit could not run."""
    from leakmap.report.model import counted_moments

    console = console or Console()
    moments = counted_moments(report.scan.get("phases") or ())
    for site in report.sites:
        console.print(f"[bold]{rich_escape(site.start_url)}[/]: " if len(report.sites) > 1 else "findings: ", end="",
                      highlight=False)
        counts = ", ".join(f"[{_STYLE[s]}]{site.count(s)} {s}[/]" for s in ("high", "medium", "info"))
        high = ", ".join(f"{site.count('high', m)} {label}" for m, label in moments)
        console.print(f"{counts} (high: {rich_escape(high)})", highlight=False)
        if (g := site.gpc()) is not None:
            who = f": ignored by {', '.join(g['ignored_by'])}" if g["ignored_by"] else ""
            said = f"; says no opt-out: {', '.join(g['mismatched_signals'])}" if g["mismatched_signals"] else ""
            console.print(f"  Global Privacy Control {g['verdict']}{who}{said}", markup=False, highlight=False)
        shown = [f for f in site.findings if f.gate == "fail"] if gate else [f for f in site.findings
                                                                            if f.severity == "high"]
        for f in shown[:limit]:
            console.print(f"  [{_STYLE[f.severity]}]{f.severity:<6}[/] {f.rule:<26} {','.join(p[0] for p in f.phases) or '-':<5} ", end="",
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

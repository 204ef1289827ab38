"""``leakmap analyze DB``: re-classify and re-judge a stored scan with the current lists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from leakmap.analysis import RULES, AnalysisError, AnalysisResult, reanalyze
from leakmap.cli.options import jurisdiction_option
from leakmap.cli.running import fail
from leakmap.report.terminal import print_table
from leakmap.severity import SEVERITIES
from leakmap.store import Store

_STYLE = {"high": "bold red", "medium": "yellow", "info": "dim"}


@click.command()
@click.argument("db", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scan", "scan_id", type=int, help="Scan id in the store (default: the latest).")
@click.option("--limit", type=click.IntRange(0, 10_000), default=15, show_default=True,
              help="Findings listed per site (high first); 0 lists none.")
@jurisdiction_option
def analyze(db: Path, scan_id: int | None, limit: int, jurisdiction: tuple[str, ...] | None) -> None:
    """Re-run classification and every rule on DB (a leakmap.db) and replace the scan's findings.
    Running it twice gives the same findings. With --jurisdiction, the scan is judged under that
    law from now on (it is stored with the scan); without it, under the law it was scanned for."""
    if not db.is_file():
        fail(f"{db}: no such store")
    store = Store(db)
    try:
        result = reanalyze(store, scan_id, jurisdiction=jurisdiction)
    except AnalysisError as exc:
        fail(str(exc))
    print_result(store, result, Console(), limit)
    store.close()


def print_result(store: Store, result: AnalysisResult, console: Console, limit: int = 15) -> None:
    by_site: dict[int, list] = {}
    for f in result.findings:
        by_site.setdefault(f.site_id, []).append(f)
    sites = store.db.execute("select id, start_url from sites where scan_id = ? order by id", [result.scan_id]).fetchall()
    for site_id, start_url in sites:
        findings = by_site.get(site_id, [])
        counts = Counter((f.rule, f.severity) for f in findings)
        console.rule(f"[bold]{start_url}[/] — {len(findings)} finding(s)")
        if not findings:
            console.print("  no findings")
            continue
        table = Table("rule", *SEVERITIES, title="findings per rule")
        for rule in RULES:
            row = [counts.get((rule, s), 0) for s in SEVERITIES]
            if any(row):
                table.add_row(rule, *(str(n) if n else "" for n in row))
        print_table(console, table)
        for f in findings[:limit]:
            mark = " [magenta](unverified)[/]" if f.unverified else ""
            console.print(f"  [{_STYLE[f.severity]}]{f.severity:<6}[/] {f.rule:<26} {f.phase or '-':<8} ", end="")
            console.print(f.title, markup=False, end="")
            console.print(mark)
        if len(findings) > limit:
            console.print(f"  … and {len(findings) - limit} more (leakmap report, or the findings table)")
    for failure in result.failures:
        console.print(f"[red]rule failed[/] {failure}", markup=True)
    versions = ", ".join(f"{k} {v}" for k, v in sorted(result.versions.items()))
    console.print(f"scan {result.scan_id}: {len(result.findings)} finding(s) over {result.sites} site(s) "
                  f"in {result.seconds:.1f} s; lists: {versions}", markup=False)

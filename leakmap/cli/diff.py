"""``leakmap diff OLD NEW``: third parties and findings that appeared or disappeared between two scans."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from leakmap.blocklists import Knowledge
from leakmap.cli.running import fail
from leakmap.report import diff as changes
from leakmap.workflow import report


def _print(sites: list[changes.SiteDiff], console: Console, phases: list[str]) -> None:
    console.print(f"phases compared: {', '.join(phases) or 'none'}", highlight=False)
    changed = [s for s in sites if s.changed]
    if not changed:
        console.print("no change: same third parties and findings", highlight=False)
    for s in changed:
        console.rule(s.start_url + {"both": "", "new": " (only in NEW)", "gone": " (only in OLD)"}[s.status],
                     characters="-")
        for sign, style, parties in (("+", "red", s.new_third_parties), ("-", "green", s.gone_third_parties)):
            for p in parties:
                console.print(f"[{style}]{sign} third party[/] {p.phase:<8} ", end="", highlight=False)
                console.print(f"{p.domain} ({p.entity or 'unknown'}; {', '.join(p.categories) or 'unknown'}; "
                              f"{p.requests} requests)", markup=False, highlight=False)
        for sign, style, findings in (("+", "red", s.new_findings), ("-", "green", s.gone_findings)):
            for f in findings:
                console.print(f"[{style}]{sign} finding[/]     {f.severity:<6} {f.rule:<26} ", end="", highlight=False)
                console.print(f"{f.title} [{f.id}]", markup=False, highlight=False)


@click.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff(old: Path, new: Path, as_json: bool) -> None:
    """New and gone third parties and findings between OLD and NEW (two leakmap.db, latest scan of
    each; sites matched by start URL, findings by their stable id; only the phases both scans ran)."""
    for db in (old, new):
        if not db.is_file():
            fail(f"{db}: no such store")
    kb = Knowledge.load()
    try:
        a, _ = report(old, kb=kb)
        b, _ = report(new, kb=kb)
    except LookupError as exc:
        fail(str(exc))
    sites = changes.diff(a, b)
    if as_json:
        click.echo(json.dumps(changes.to_dict(a, b, sites), indent=2, ensure_ascii=False))
    else:
        _print(sites, Console(), changes.compared_phases(a, b))


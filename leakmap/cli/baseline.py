"""``leakmap baseline DB -o FILE``: accept a scan's findings, so ``check --baseline`` fails only on new ones."""

from __future__ import annotations

from pathlib import Path

import click

from leakmap.cli.running import fail
from leakmap.report.baseline import write
from leakmap.workflow import report


@click.command()
@click.argument("db", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("leakmap-baseline.json"), show_default=True, help="Baseline file to write.")
@click.option("--scan", "scan_id", type=int, help="Scan id in the store (default: the latest).")
def baseline(db: Path, output: Path, scan_id: int | None) -> None:
    """Write the findings of DB (a leakmap.db) to a baseline file: their stable ids are accepted by
    `leakmap check --baseline FILE`, which then fails only on findings not in it."""
    if not db.is_file():
        fail(f"{db}: no such store")
    try:
        built, _ = report(db, scan_id)
    except LookupError as exc:
        fail(str(exc))
    n = write(built, output)
    click.echo(f"{output}: {n} finding(s) accepted")

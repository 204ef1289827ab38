"""``leakmap report DB``: write the reports of a stored scan (HTML, JSON, Markdown, JUnit, SARIF)."""

from __future__ import annotations

from pathlib import Path

import click

from leakmap.cli.options import browser_option, formats_option
from leakmap.cli.running import fail
from leakmap.report import FILE_NAMES, FORMATS, save
from leakmap.report.baseline import BaselineError
from leakmap.report.baseline import load as load_baseline
from leakmap.report.har import write_hars
from leakmap.report.policy import PolicyError
from leakmap.report.policy import load as load_policy
from leakmap.workflow import report as report_of

PRINTED = ("pdf",)  # printed by Chromium from the HTML report (leakmap.report.pdf)


def print_pdf(report, path: Path, browser: str | None) -> Path:
    """``report.pdf`` through Chromium; a missing or broken browser is exit 2 with what to do."""
    from leakmap.crawler.browser import BrowserNotFound
    from leakmap.report.pdf import write_pdf

    try:
        return write_pdf(report, path, browser)
    except BrowserNotFound as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - Playwright's errors: the browser could not print
        fail(f"the report could not be printed to {path}: {exc}".splitlines()[0])


@click.command()
@click.argument("db", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the reports (default: the store's directory).")
@formats_option(FORMATS + PRINTED, FORMATS,
                "Formats to write, comma-separated (pdf too: the HTML report printed by Chromium).")
@click.option("--show-values", is_flag=True, help="Include cookie, storage and identifier values (masked by default).")
@click.option("--scan", "scan_id", type=int, help="Scan id in the store (default: the latest).")
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path),
              help="Policy (leakmap.toml or pyproject.toml) deciding which findings fail in JUnit/SARIF/Markdown.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), help="Accepted findings (leakmap baseline).")
@click.option("--har", is_flag=True, help="Also write one HAR 1.2 file per site and phase (har/).")
@browser_option
def report(db: Path, output_dir: Path | None, formats: tuple[str, ...], show_values: bool, scan_id: int | None,
           policy: Path | None, baseline: Path | None, har: bool, browser: str | None) -> None:
    """Write the reports of DB (a leakmap.db): report.html, report.json, report.md, report.junit.xml,
    report.sarif, and report.pdf (the HTML report printed by Chromium; asked for by --format pdf).
    Findings are the stored ones (leakmap analyze), else computed now."""
    if not db.is_file():
        fail(f"{db}: no such store")
    try:
        rules = load_policy(policy) if policy else None
        accepted = load_baseline(baseline) if baseline else None
        built, _ = report_of(db, scan_id, show_values=show_values, policy=rules, baseline=accepted,
                             baseline_source=str(baseline) if baseline else None)
    except (PolicyError, BaselineError, LookupError) as exc:
        fail(str(exc))
    out = output_dir or db.parent
    for path in save(built, {fmt: out / FILE_NAMES[fmt] for fmt in formats if fmt not in PRINTED}).values():
        click.echo(str(path))
    if "pdf" in formats:
        click.echo(str(print_pdf(built, out / "report.pdf", browser)))
    if har:
        for path in write_hars(db, built.scan["id"], out):
            click.echo(str(path))

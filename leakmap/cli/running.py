"""Running a scan from a command: progress bar, and input/browser problems as exit code 2."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leakmap.crawler.browser import BrowserLaunchError, BrowserNotFound
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.runner import BadInput, ScanResult, run_scan

EXIT_CANNOT_RUN = 2
err = Console(stderr=True)


def fail(message: str) -> None:
    """One clear line on stderr, exit code 2 (the audit could not run)."""
    click.echo(f"leakmap: error: {message}", err=True)
    sys.exit(EXIT_CANNOT_RUN)


def execute(urls: list[str], config: ScanConfig, command: str = "scan", resume: bool = False) -> ScanResult:
    with Progress(TextColumn("[bold]auditing"), BarColumn(), MofNCompleteColumn(), TextColumn("page visits"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("visits", total=None)

        def on_progress(kind: str, value: int, _: int) -> None:
            if kind == "total":
                progress.update(task, total=value)
            else:
                progress.advance(task, value)

        try:
            return run_scan(urls, config, on_progress=on_progress, command=command, resume=resume)
        except BadInput as exc:
            fail(str(exc))
        except (BrowserNotFound, BrowserLaunchError) as exc:
            fail(str(exc))
    raise AssertionError("unreachable")

"""Running a scan from a command: progress bar, and input/browser problems as exit code 2."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leakmap.crawler.browser import BrowserLaunchError, BrowserNotFound
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.distributed import QueueError, push_sites
from leakmap.crawler.runner import BadInput, ScanResult, check_url, run_scan, run_worker

EXIT_CANNOT_RUN = 2
EXIT_INCOMPLETE = 3
err = Console(stderr=True)


def fail(message: str) -> None:
    """One clear line on stderr, exit code 2 (the audit could not run)."""
    click.echo(f"leakmap: error: {message}", err=True)
    sys.exit(EXIT_CANNOT_RUN)


def execute(urls: list[str], config: ScanConfig, command: str = "scan", resume: bool = False,
            worker_queue: str | None = None, max_idle: int = 30) -> ScanResult:
    """Run a scan (or a queue worker) under a progress bar; input and browser problems exit 2."""
    with Progress(TextColumn("[bold]auditing"), BarColumn(), MofNCompleteColumn(), TextColumn("page visits"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("visits", total=None)

        def on_progress(kind: str, value: int, _: int) -> None:
            if kind == "total":
                progress.update(task, total=value or None)
            else:
                progress.advance(task, value)

        try:
            if worker_queue:
                return run_worker(worker_queue, config, max_idle, on_progress=on_progress)
            return run_scan(urls, config, on_progress=on_progress, command=command, resume=resume)
        except (BadInput, QueueError, BrowserNotFound, BrowserLaunchError) as exc:
            fail(str(exc))
    raise AssertionError("unreachable")


def exit_if_incomplete(result: ScanResult) -> None:
    """Exit 3 when the audit is not whole (interrupted, or phases that could not be finished):
    what was stored is kept and ``scan --resume`` finishes it."""
    if result.complete:
        return
    reason = "the scan was interrupted" if result.interrupted else (
        f"{len(result.incomplete)} phase(s) could not be finished: " + "; ".join(result.incomplete[:5]))
    click.echo(f"leakmap: audit incomplete: {reason} (see the errors above; `leakmap scan --resume` finishes it)",
               err=True)
    sys.exit(EXIT_INCOMPLETE)


def enqueue(queue: str, urls: list[str], config: ScanConfig) -> None:
    """``scan --queue``: check the URLs here, then hand them to the workers."""
    try:
        sites = [check_url(u) for u in urls]
        if not sites:
            raise BadInput("give at least one URL (or --sites-file) to queue")
        run = push_sites(queue, sites, config)
    except (BadInput, QueueError) as exc:
        fail(str(exc))
    click.echo(f"queued {len(sites)} site(s) for run {run} on {queue}: start `leakmap worker --queue {queue}` "
               "on each machine, then `leakmap merge` their stores")

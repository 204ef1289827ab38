"""``leakmap worker``: take sites from a Redis queue and audit them into this machine's store."""

from __future__ import annotations

from pathlib import Path

import click

from leakmap.cli.options import browser_option, concurrency_option
from leakmap.cli.running import execute
from leakmap.crawler.config import ScanConfig
from leakmap.workflow import summary


@click.command()
@click.option("--queue", required=True, metavar="REDIS_URL", help="The queue `leakmap scan --queue` filled.")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("leakmap-worker"), show_default=True, help="Directory for this worker's leakmap.db.")
@concurrency_option
@click.option("--max-idle", type=click.IntRange(0), default=30, show_default=True,
              help="Stop after the queue has been empty this many seconds (0: never stop).")
@browser_option
def worker(queue: str, output_dir: Path, concurrency: int, max_idle: int, browser: str | None) -> None:
    """Audit sites from the queue with the run's settings (pages, phases, host rules...), one
    site at a time per free slot, until the queue stays empty."""
    config = ScanConfig(output_dir=output_dir, concurrency=concurrency, browser=browser)
    result = execute([], config, worker_queue=queue, max_idle=max_idle)
    summary(result.store_path, result.scan_id)

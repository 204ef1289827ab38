"""``leakmap scan``: audit sites in three phases and store the evidence."""

from __future__ import annotations

from pathlib import Path

import click

from leakmap.cli.options import browsing_options, config_from
from leakmap.cli.running import enqueue, execute, exit_if_incomplete, fail
from leakmap.crawler.runner import read_sites_file
from leakmap.workflow import after_scan


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--sites-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file with one URL per line (# comments allowed).")
@click.option("--resume", is_flag=True,
              help="Finish the interrupted scan in OUTPUT (its URLs and settings); finished sites and phases are kept.")
@click.option("--queue", metavar="REDIS_URL",
              help="Do not scan here: put the sites (and these settings) in a Redis queue for `leakmap worker`s.")
@browsing_options
def scan(urls: tuple[str, ...], sites_file: Path | None, resume: bool, queue: str | None, **kwargs) -> None:
    """Audit URL(s): load each site without answering the banner, after "accept all" and after
    "reject all", and record every request, cookie and storage write in OUTPUT/leakmap.db."""
    config = config_from(kwargs)
    targets = list(urls) + (read_sites_file(sites_file) if sites_file else [])
    if queue:
        enqueue(queue, targets, config)
        return
    if resume and targets:
        fail("--resume continues the scan recorded in the output directory: give no URL with it")
    if not targets and not resume:
        fail("give at least one URL (or --sites-file)")
    result = execute(targets, config, resume=resume)
    after_scan(result.store_path, result.scan_id, config.output_dir)
    exit_if_incomplete(result)

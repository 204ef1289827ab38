"""``leakmap merge``: combine the stores of several workers (or scans) into one, without duplicates."""

from __future__ import annotations

from pathlib import Path

import click

from leakmap.merge import merge as merge_store
from leakmap.store import Store


@click.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def merge(target: Path, sources: tuple[Path, ...]) -> None:
    """Copy every scan of SOURCES into TARGET (created if missing). A scan or site TARGET already
    holds is not copied again; run `leakmap analyze TARGET` afterwards."""
    store = Store(target)
    try:
        for source in sources:
            result = merge_store(store, source)
            click.echo(f"{source}: {result.sites} site(s), {result.visits} visit(s) added, "
                       f"{result.skipped_sites} already present")
    finally:
        store.close()

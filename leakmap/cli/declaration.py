"""``leakmap declaration DB``: the cookie table a site's policy needs, and its own declaration against it."""

from __future__ import annotations

from pathlib import Path

import click

from leakmap.cli.options import formats_option
from leakmap.cli.running import fail
from leakmap.declaration.document import for_scan
from leakmap.declaration.render import FILE_NAMES, FORMATS, render
from leakmap.store import Store


@click.command()
@click.argument("db", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write declaration.html, .md, .csv, .json (default: the store's directory).")
@formats_option(FORMATS, FORMATS, "Formats to write, comma-separated.")
@click.option("--site", help="Only this site (its start URL or registrable domain).")
@click.option("--scan", "scan_id", type=int, help="Scan id in the store (default: the latest).")
def declaration(db: Path, output_dir: Path | None, formats: tuple[str, ...], site: str | None,
                scan_id: int | None) -> None:
    """Write the cookie declaration of DB (a leakmap.db): per site, every cookie and storage key any phase
    saw (type, party, provider, purpose, lifetime, moments, setter), paste-ready for a cookie policy and
    joined with what the site declares (its consent platform's cookie list, its policy page's cookie
    table). Values never appear."""
    if not db.is_file():
        fail(f"{db}: no such store")
    store = Store(db)
    try:
        doc = for_scan(store.db.conn, scan_id, site=site)
    except LookupError as exc:
        fail(f"{db}: {exc}")
    finally:
        store.close()
    out = output_dir or db.parent
    out.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        path = out / FILE_NAMES[fmt]
        path.write_text(render(doc, fmt), encoding="utf-8")
        click.echo(str(path))
    for view in doc.sites:
        d, counts = view.declaration, view.declaration.counts()
        click.echo(f"{d.start_url}: declaration {d.status}; {counts['observed']} observed, {counts['declared']} declared, "
                   f"{counts['undeclared_non_essential']} non-essential undeclared, {counts['declared_not_observed']} "
                   f"declared but not observed; {len(view.findings)} finding(s)", err=True)

"""``leakmap lists``: download, show and explain the knowledge behind every classification."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from leakmap.blocklists import Knowledge
from leakmap.blocklists.sources import SOURCES, noncommercial_notice, status, update


@click.group()
def lists() -> None:
    """Tracker, broker and cookie lists: what is bundled, what is downloaded, and why a host is classified."""


@lists.command("update")
@click.option("--source", "sources", multiple=True, type=click.Choice(list(SOURCES)),
              help="Only this source (repeatable). Default: all.")
@click.option("--mirror", envvar="LEAKMAP_LISTS_MIRROR", default=None,
              help="Fetch every file as MIRROR/<filename> instead of upstream (env LEAKMAP_LISTS_MIRROR).")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds per download.")
def update_cmd(sources: tuple[str, ...], mirror: str | None, timeout: float) -> None:
    """Download the public lists into the user cache (a failed download keeps the previous copy)."""
    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)  # one line per message

    def progress(src) -> None:
        notice = noncommercial_notice(src)
        if notice:
            err.print(f"[yellow]note:[/] {notice}", highlight=False)

    results = update(list(sources) or None, mirror=mirror, timeout=timeout, progress=progress)
    for res in results:
        if res.ok:
            out.print(f"[green]updated[/] {res.message}", highlight=False)
        else:
            err.print(f"[red]failed[/]  {res.message}", highlight=False)
    if results and not any(r.ok for r in results):
        sys.exit(1)


@lists.command("show")
def show_cmd() -> None:
    """Sources, versions and counts, bundled and downloaded."""
    kb = Knowledge.load()
    console = Console()
    bundled = Table(title="Bundled knowledge (leakmap, Apache-2.0)")
    for col in ("domains", "entities", "brokers", "CA-registered", "cookies", "version"):
        bundled.add_column(col)
    s = kb.stats
    bundled.add_row(str(s["domains"]), str(s["entities"]), str(s["brokers"]), str(s["ca_registered"]),
                    str(s["cookies"]), kb.versions()["leakmap"])
    console.print(bundled)
    table = Table(title="Filter lists and downloaded sources")
    for col in ("source", "license", "version", "fetched / from", "entries"):
        table.add_column(col)
    versions = kb.filters.versions()
    for fl in kb.filters.lists:
        table.add_row(fl.name, SOURCES[fl.name].license, versions[fl.name], fl.origin, "filter list")
    for row in status():
        if row["source"] in versions:
            continue
        entries = "-" if not row["cached"] else f"{row['domains'] or 0} domains, {row['cookies'] or 0} cookies"
        license_ = row["license"] + (" (non-commercial)" if row["noncommercial"] else "")
        table.add_row(row["source"], license_, row["version"] or "not downloaded", row["fetched_at"] or "-", entries)
    console.print(table)


@lists.command("explain")
@click.argument("query")
def explain_cmd(query: str) -> None:
    """Every fact about a HOST, URL or COOKIE_NAME, with its source and version."""
    facts = Knowledge.load().explain(query)
    console = Console()
    if not facts:
        console.print(f"nothing known about {query!r}", highlight=False)
        return
    table = Table(title=f"What leakmap knows about {query}")
    for col in ("subject", "fact", "source", "version"):
        table.add_column(col, overflow="fold")
    for fact in facts:
        table.add_row(fact.subject, fact.what, fact.source, fact.version)
    console.print(table)

"""``leakmap lists``: download, show and explain the knowledge behind every classification.

``show`` and ``explain`` print a table for people and, with ``--json``, the same facts as one JSON
document for scripts and CI.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click
from rich.console import Console
from rich.table import Table

from leakmap import notices
from leakmap.blocklists import Knowledge
from leakmap.blocklists.facts import REGISTRIES
from leakmap.blocklists.sources import SOURCES, noncommercial_notice, status, update
from leakmap.report.terminal import print_table

_JSON = click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON (for scripts and CI).")


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


def _sources(kb: Knowledge) -> list[dict]:
    """Filter lists in use, then every downloadable source, cached or not."""
    versions = kb.filters.versions()
    rows = [{"source": fl.name, "title": SOURCES[fl.name].title, "license": SOURCES[fl.name].license,
             "noncommercial": False, "kind": "filters", "version": versions[fl.name], "from": fl.origin}
            for fl in kb.filters.lists]
    for row in status():
        if row["source"] not in versions:
            rows.append({**row, "kind": "facts"})
    return rows


@lists.command("show")
@_JSON
def show_cmd(as_json: bool) -> None:
    """Sources, versions and counts, bundled and downloaded."""
    kb = Knowledge.load()
    s, version = kb.stats, kb.versions()["leakmap"]
    sources = _sources(kb)
    if as_json:
        click.echo(json.dumps({"bundled": {**s, "version": version, "license": "Apache-2.0"}, "sources": sources,
                               "notices": notices.as_json()}, indent=1))
        return
    console = Console()
    bundled = Table(title="Bundled knowledge (leakmap, Apache-2.0)")
    registered = [f"{r.upper()}-registered" for r in REGISTRIES]
    for col in ("domains", "entities", "brokers", *registered, "cookies", "version"):
        bundled.add_column(col)
    bundled.add_row(str(s["domains"]), str(s["entities"]), str(s["brokers"]),
                    *(str(s[f"{r}_registered"]) for r in REGISTRIES), str(s["cookies"]), version)
    print_table(console, bundled)
    table = Table(title="Filter lists and downloaded sources")
    for col in ("source", "license", "version", "fetched / from", "entries"):
        table.add_column(col)
    for row in sources:
        license_ = row["license"] + (" (non-commercial)" if row["noncommercial"] else "")
        if row["kind"] == "filters":
            table.add_row(row["source"], license_, row["version"], row["from"], "filter list")
            continue
        entries = "-" if not row["cached"] else f"{row['domains'] or 0} domains, {row['cookies'] or 0} cookies"
        table.add_row(row["source"], license_, row["version"] or "not downloaded", row["fetched_at"] or "-", entries)
    print_table(console, table)


@lists.command("explain")
@click.argument("query")
@_JSON
def explain_cmd(query: str, as_json: bool) -> None:
    """Every fact about a HOST, URL or COOKIE_NAME, with its source and version."""
    facts = Knowledge.load().explain(query)
    if as_json:
        click.echo(json.dumps({"query": query, "facts": [asdict(f) for f in facts]}, indent=1))
        return
    console = Console()
    if not facts:
        console.print(f"nothing known about {query!r}", highlight=False)
        return
    table = Table(title=f"What leakmap knows about {query}")
    for col in ("subject", "fact", "source", "version"):
        table.add_column(col, overflow="fold")
    for fact in facts:
        table.add_row(fact.subject, fact.what, fact.source, fact.version)
    print_table(console, table)

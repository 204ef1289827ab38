"""``leakmap graph DB --format graphml|gexf|json``: who loads whom, for Gephi or scripts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leakmap.analysis.graph import FORMATS, brokers_reachable, build_graph, export
from leakmap.cli.running import fail
from leakmap.store import Store


@click.command()
@click.argument("db", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="graphml", show_default=True,
              help="GraphML and GEXF open in Gephi; json is networkx node-link data.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option("--scan", "scan_id", type=int, help="Scan id in the store (default: the latest).")
def graph(db: Path, fmt: str, output: Path | None, scan_id: int | None) -> None:
    """Write the graph of a scan: sites, pages, hosts, domains and owners, with "loaded" and
    "synced-id-with" edges and per-phase request counts."""
    if not db.is_file():
        fail(f"{db}: no such store")
    store = Store(db)
    if scan_id is None and store.latest_scan_id() is None:
        fail(f"{db}: the store holds no scan")
    g = build_graph(store, scan_id)
    store.close()
    if output is None:
        sys.stdout.write(export(g, fmt))
        return
    export(g, fmt, output)
    sites = [n for n, d in g.nodes(data=True) if d.get("kind") == "site"]
    click.echo(f"{output}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, {len(sites)} site(s)", err=True)
    for site in sites:
        for path in brokers_reachable(g, site):
            click.echo(f"  broker {path.broker} reached from {' -> '.join(path.chain)}", err=True)

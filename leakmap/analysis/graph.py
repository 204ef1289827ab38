"""Who loads whom: a networkx graph of a scan (or a batch of sites, or several scans merged).

Nodes (``kind`` attribute; ids are prefixed): ``site:<start URL>``, ``page:<URL>``,
``host:<host>``, ``domain:<registrable domain>``, ``entity:<owner>``. Edges (a multigraph keyed
by the edge ``kind``):

- ``has-page``: site -> page;
- ``loaded``: page -> host (the document requested it) and host -> host (a script or document of
  the first host caused the request: the innermost script of the DevTools initiator; a redirect
  hop counts as loaded by the previous hop's host), one edge per site (key ``loaded@<site id>``,
  attribute ``site_id``) with per-phase request counts (``baseline``, ``accept``, ``reject``),
  ``before_consent`` and ``redirects``;
- ``part-of``: host -> domain; ``owned-by``: domain -> entity;
- ``synced-id-with``: domain -> domain, per site, from the scan's ``id-sync`` findings (the owner
  of the identifier -> the party that received it), with per-phase counts.

Built from SQL aggregates (one row per distinct page/initiator/host/phase), so a million-request
scan becomes a graph of a few thousand nodes. Questions: :func:`brokers_reachable` (which data
brokers a site's traffic reaches, and through which chain of domains) and :func:`vendors_by_site`
/ :func:`sites_by_vendor` (who sits on which site across a batch).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from leakmap.analysis.engine import run
from leakmap.analysis.parties import Parties
from leakmap.blocklists import Knowledge
from leakmap.blocklists.domains import host_of
from leakmap.phases import PHASES
from leakmap.store import Store

FORMATS = ("graphml", "gexf", "json")
_AGG_SQL = """select r.visit_id, r.phase, r.host, r.initiator_url, r.redirect_from, r.before_consent, count(*)
from requests r where r.site_id = ? group by r.visit_id, r.phase, r.host, r.initiator_url, r.redirect_from,
  r.before_consent"""


def site_node(start_url: str) -> str:
    return f"site:{start_url}"


def _add_loaded(g: nx.MultiDiGraph, site_id: int, src: str, dst: str, phase: str, n: int, before: bool,
                redirect: bool) -> None:
    key = f"loaded@{site_id}"
    if not g.has_edge(src, dst, key=key):
        g.add_edge(src, dst, key=key, kind="loaded", site_id=site_id, requests=0, before_consent=0, redirects=0,
                   **{p: 0 for p in PHASES})
    data = g.edges[src, dst, key]
    data["requests"] += n
    data[phase] = data.get(phase, 0) + n
    data["before_consent"] += n if before else 0
    data["redirects"] += n if redirect else 0


def _add_host(g: nx.MultiDiGraph, parties: Parties, site_id: int, host: str) -> str:
    node = f"host:{host}"
    party = parties.of(site_id, host)
    if node not in g:
        g.add_node(node, kind="host", label=host, domain=party.domain)
        dnode = f"domain:{party.domain}"
        if dnode not in g:
            c = party.c
            g.add_node(dnode, kind="domain", label=party.domain, entity=c.entity, categories=list(c.categories),
                       country=c.country, broker=c.broker, known=c.known, first_party_of=[])
            if c.entity:
                enode = f"entity:{c.entity}"
                if enode not in g:
                    g.add_node(enode, kind="entity", label=c.entity, parent=c.parent, country=c.country)
                g.add_edge(dnode, enode, key="owned-by", kind="owned-by")
        g.add_edge(node, dnode, key="part-of", kind="part-of")
    if party.first_party:
        owners = g.nodes[f"domain:{party.domain}"]["first_party_of"]
        if site_id not in owners:
            owners.append(site_id)
    return node


def build_graph(store: Store, scan_id: int | None = None, kb: Knowledge | None = None,
                id_syncs: Iterable[dict[str, Any]] | None = None) -> nx.MultiDiGraph:
    """The graph of one scan's sites (default: the latest scan). ``id_syncs``: id-sync findings
    (rows or dicts with ``domain`` and ``evidence``); by default the stored ones, else computed."""
    kb = kb or Knowledge.load()
    scan_id = scan_id if scan_id is not None else store.latest_scan_id()
    parties = Parties(kb)
    conn = store.db.conn
    g = nx.MultiDiGraph(scan_id=scan_id, store=str(store.path))
    config = json.loads((conn.execute("select config from scans where id = ?", [scan_id]).fetchone() or ["{}"])[0] or "{}")
    aliases = tuple(config.get("first_party") or ())
    sites = conn.execute("select id, start_url, domain from sites where scan_id = ? order by id", [scan_id]).fetchall()
    for site_id, start_url, domain in sites:
        parties.register(site_id, domain or "", aliases)
        snode = site_node(start_url)
        g.add_node(snode, kind="site", label=start_url, domain=domain, site_id=site_id, scan_id=scan_id)
        pages = {vid: url for vid, url in conn.execute("select id, url from visits where site_id = ?", [site_id])}
        for url in dict.fromkeys(pages.values()):
            g.add_node(f"page:{url}", kind="page", label=url)
            g.add_edge(snode, f"page:{url}", key="has-page", kind="has-page")
        for visit_id, phase, host, initiator, redirect_from, before, n in conn.execute(_AGG_SQL, [site_id]):
            if not host:
                continue
            dst = _add_host(g, parties, site_id, host)
            page = pages.get(visit_id)
            source_url = redirect_from or initiator
            source_host = host_of(source_url) if source_url and "://" in source_url else ""
            if source_url and source_url != page and source_host:
                src = _add_host(g, parties, site_id, source_host)
            elif page:
                src = f"page:{page}"
            else:
                continue
            if src != dst:
                _add_loaded(g, site_id, src, dst, phase, n, bool(before), bool(redirect_from))
    syncs = list(id_syncs) if id_syncs is not None else _stored_syncs(store, scan_id, kb)
    for f in syncs:
        evidence = f["evidence"] if isinstance(f["evidence"], dict) else json.loads(f["evidence"])
        owner = (evidence.get("identifier") or {}).get("owner") or (evidence.get("sender") or {}).get("domain")
        if not owner or f["domain"] is None:
            continue
        src, dst = f"domain:{owner}", f"domain:{f['domain']}"
        for node in (src, dst):
            if node not in g:
                g.add_node(node, kind="domain", label=node.split(":", 1)[1], first_party_of=[])
        key = f"synced-id-with@{f['site_id']}"
        if not g.has_edge(src, dst, key=key):
            g.add_edge(src, dst, key=key, kind="synced-id-with", site_id=f["site_id"], **{p: 0 for p in PHASES})
        if f.get("phase") in PHASES:
            g.edges[src, dst, key][f["phase"]] += 1
    return g


def _stored_syncs(store: Store, scan_id: int, kb: Knowledge) -> list[dict[str, Any]]:
    rows = [dict(zip(("site_id", "domain", "phase", "evidence"), r, strict=True)) for r in store.db.execute(
        "select site_id, domain, phase, evidence from findings where scan_id = ? and rule = 'id-sync'", [scan_id])]
    analysed = store.db.execute("select 1 from findings where scan_id = ? limit 1", [scan_id]).fetchone()
    if rows or analysed:
        return rows
    return [{"site_id": f.site_id, "domain": f.domain, "phase": f.phase, "evidence": f.evidence}
            for f in run(store, scan_id, kb, rules=["id-sync"]).findings]


# -- questions -----------------------------------------------------------------------------------


def _sites(g: nx.MultiDiGraph) -> list[str]:
    return [n for n, d in g.nodes(data=True) if d.get("kind") == "site"]


def domain_graph(g: nx.MultiDiGraph, site: str) -> nx.DiGraph:
    """One site's traffic at the level of registrable domains: the site (its pages and its own
    domains folded into it) -> third-party domains, along its ``loaded`` and ``synced-id-with``
    edges."""
    site_id = g.nodes[site].get("site_id")

    def fold(node: str) -> str:
        data = g.nodes[node]
        if data.get("kind") == "page":
            return site
        domain = f"domain:{data['domain']}" if data.get("kind") == "host" else node
        return site if site_id in g.nodes[domain].get("first_party_of", []) else domain

    d = nx.DiGraph()
    d.add_node(site)
    for u, v, data in g.edges(data=True):
        if data.get("site_id") == site_id and data.get("kind") in ("loaded", "synced-id-with"):
            a, b = fold(u), fold(v)
            if a != b:
                kinds = d.edges[a, b]["kinds"] if d.has_edge(a, b) else set()
                d.add_edge(a, b, kinds=kinds | {data["kind"]})
    for _, _, data in d.edges(data=True):
        data["kind"] = "+".join(sorted(data.pop("kinds")))
    return d


@dataclass
class BrokerPath:
    broker: str  # registrable domain
    entity: str | None
    chain: list[str]  # site start URL, then domains, ending with the broker
    edges: list[str]  # the kind of each hop: loaded, synced-id-with, or loaded+synced-id-with


def brokers_reachable(g: nx.MultiDiGraph, site: str) -> list[BrokerPath]:
    """Data brokers the site's traffic reaches, each with the shortest chain that reaches it."""
    d = domain_graph(g, site)
    paths = nx.single_source_shortest_path(d, site)
    out = []
    for node, path in paths.items():
        data = g.nodes.get(node, {})
        if data.get("kind") != "domain" or not data.get("broker"):
            continue
        chain = [g.nodes[site]["label"], *(g.nodes[n]["label"] for n in path[1:])]
        hops = [d.edges[a, b]["kind"] for a, b in zip(path, path[1:], strict=False)]
        out.append(BrokerPath(data["label"], data.get("entity"), chain, hops))
    return sorted(out, key=lambda p: (len(p.chain), p.broker))


def vendors_by_site(g: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """For each site: the third-party domains it loads, with owner, categories, broker flag and
    per-phase request counts (summed over the hosts of the domain)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for site in _sites(g):
        site_id = g.nodes[site].get("site_id")
        counts: dict[str, dict[str, int]] = {}
        for _, v, data in g.edges(data=True):
            if data.get("kind") != "loaded" or data.get("site_id") != site_id:
                continue
            dnode = f"domain:{g.nodes[v]['domain']}"
            if site_id in g.nodes[dnode].get("first_party_of", []):
                continue
            c = counts.setdefault(dnode, {p: 0 for p in PHASES})
            for p in PHASES:
                c[p] += data.get(p, 0)
        out[g.nodes[site]["label"]] = [
            {"domain": g.nodes[n]["label"], "entity": g.nodes[n].get("entity"),
             "categories": list(g.nodes[n].get("categories") or []), "broker": bool(g.nodes[n].get("broker")),
             "requests": counts[n]}
            for n in sorted(counts, key=lambda n: (-sum(counts[n].values()), n))
        ]
    return out


def sites_by_vendor(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """For each third-party domain: the sites of the batch it sits on."""
    out: dict[str, list[str]] = {}
    for site, vendors in vendors_by_site(g).items():
        for v in vendors:
            out.setdefault(v["domain"], []).append(site)
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def merge(graphs: Iterable[nx.MultiDiGraph]) -> nx.MultiDiGraph:
    """Several scans (or stores) as one batch graph."""
    return nx.compose_all(list(graphs))


# -- export --------------------------------------------------------------------------------------


def _flat(attrs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple, set)):
            v = ",".join(str(x) for x in v)
        elif not isinstance(v, (str, int, float, bool)):
            v = str(v)
        out[k] = v
    return out


def exportable(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes GraphML and GEXF can hold (lists joined with commas, no None)."""
    h = nx.MultiDiGraph(**_flat(g.graph))
    h.add_nodes_from((n, _flat(d)) for n, d in g.nodes(data=True))
    h.add_edges_from((u, v, k, _flat(d)) for u, v, k, d in g.edges(keys=True, data=True))
    return h


def export(g: nx.MultiDiGraph, fmt: str, path: Path | None = None) -> str | None:
    """Write the graph as GraphML, GEXF (Gephi) or node-link JSON; return the text when no path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose among {', '.join(FORMATS)})")
    if fmt == "json":
        try:
            data = nx.node_link_data(g, edges="links")
        except TypeError:  # networkx < 3.4 names the key "links" and has no parameter for it
            data = nx.node_link_data(g)
        text = json.dumps(data, indent=1, default=str)
    else:
        flat = exportable(g)
        lines = nx.generate_graphml(flat) if fmt == "graphml" else nx.generate_gexf(flat)
        text = "\n".join(lines) + "\n"
    if path is None:
        return text
    Path(path).write_text(text, encoding="utf-8")
    return None

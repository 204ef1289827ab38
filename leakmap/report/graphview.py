"""The who-loads-whom graph of a site as inline SVG, laid out in Python.

Why inline SVG rather than a JavaScript graph library bundled from npm: the report must open
offline under a strict Content-Security-Policy (no script but leakmap's own few lines, allowed
by hash), stay byte-for-byte reproducible, and be testable from Python; the graphs are small
(a site and its third-party domains, usually under a hundred nodes) and read best as layers
(site -> tag manager -> ad exchange -> broker), which a breadth-first layout gives directly.
Interaction: hover titles on every node and edge, a phase filter in CSS, and neighbour
highlighting by the report's own script through numeric ``data-`` attributes (no crawled text
ever reaches a script). All text is escaped with markupsafe.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from markupsafe import Markup, escape

from leakmap.analysis.graph import domain_graph, site_node
from leakmap.phases import PHASES

COL, ROW, NODE_W, NODE_H, PAD = 230, 34, 190, 24, 16
CATEGORY_CLASS = {
    "data-broker": "broker", "advertising": "ads", "analytics": "analytics", "social": "social",
    "session-replay": "replay", "fingerprinting": "replay", "tag-manager": "tags",
}


@dataclass
class Node:
    key: str
    label: str
    layer: int
    css: str
    title: str
    phases: tuple[str, ...]
    x: int = 0
    y: int = 0


def _category_class(categories: list[str], broker: bool) -> str:
    if broker:
        return "broker"
    for cat in categories:
        if cat in CATEGORY_CLASS:
            return CATEGORY_CLASS[cat]
    return "other"


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nodes(g: nx.MultiDiGraph, d: nx.DiGraph, site: str, requests: dict[str, dict[str, int]],
           ran: tuple[str, ...]) -> list[Node]:
    depth = nx.single_source_shortest_path_length(d, site)
    last = max(depth.values(), default=0) + 1
    nodes = []
    for key in d.nodes:
        data = g.nodes[key]
        if key == site:
            nodes.append(Node(key, _short(data["label"], 32), 0, "site", f"audited site {data['label']}", ran))
            continue
        label = data.get("label", key)
        cats = list(data.get("categories") or [])
        counts = requests.get(label, {})
        per_phase = ", ".join(f"{p} {counts.get(p, 0)}" for p in ran)
        title = "\n".join(x for x in (
            label, f"owner: {data.get('entity') or 'unknown'}", f"categories: {', '.join(cats) or 'unknown'}",
            "data broker" if data.get("broker") else "", f"requests: {per_phase}") if x)
        phases = tuple(p for p in ran if counts.get(p, 0)) or ran  # id-sync-only nodes show in every phase
        nodes.append(Node(key, _short(label), depth.get(key, last), _category_class(cats, bool(data.get("broker"))),
                          title, phases))
    by_layer: dict[int, list[Node]] = {}
    for n in sorted(nodes, key=lambda n: (n.layer, n.css, n.label)):
        by_layer.setdefault(n.layer, []).append(n)
    for layer, members in by_layer.items():
        for i, n in enumerate(members):
            n.x, n.y = PAD + layer * COL, PAD + i * ROW
    return nodes


def _edge_path(a: Node, b: Node) -> str:
    x1, y1 = a.x + NODE_W, a.y + NODE_H // 2
    x2, y2 = b.x, b.y + NODE_H // 2
    if b.layer > a.layer:
        mid = (x1 + x2) // 2
        return f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    # same or earlier layer: loop out to the right and come back in from the left
    return f"M{x1},{y1} C{x1 + 60},{y1} {x2 - 60},{y2 - 40} {x2},{y2}"


def site_svg(g: nx.MultiDiGraph, start_url: str, requests: dict[str, dict[str, int]],
             ran: tuple[str, ...] = PHASES) -> Markup:
    """The SVG of one site's domain-level graph. ``requests``: domain -> phase -> request count;
    ``ran``: the phases the site was visited in."""
    site = site_node(start_url)
    if site not in g:
        return Markup("")
    d = domain_graph(g, site)
    nodes = _nodes(g, d, site, requests, ran)
    index = {n.key: i for i, n in enumerate(nodes)}
    width = PAD * 2 + (max(n.layer for n in nodes) + 1) * COL
    height = PAD * 2 + max(n.y for n in nodes) + NODE_H
    parts = [f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for u, v, data in sorted(d.edges(data=True), key=lambda e: (index[e[0]], index[e[1]])):
        a, b = nodes[index[u]], nodes[index[v]]
        kind = data.get("kind", "loaded")
        css = "edge synced" if "synced-id-with" in kind else "edge"
        verb = {"loaded": "loaded", "synced-id-with": "passed an identifier to",
                "loaded+synced-id-with": "loaded and passed an identifier to"}.get(kind, kind)
        phases = " ".join(f"p-{p}" for p in b.phases)
        parts.append(f'<path class="{css} {phases}" data-s="{index[u]}" data-t="{index[v]}" '
                     f'd="{_edge_path(a, b)}" marker-end="url(#arrow)"><title>{escape(a.label)} {verb} '
                     f'{escape(b.label)}</title></path>')
    for i, n in enumerate(nodes):
        phases = " ".join(f"p-{p}" for p in n.phases)
        parts.append(f'<g class="node {n.css} {phases}" data-n="{i}" tabindex="0" transform="translate({n.x},{n.y})">'
                     f'<title>{escape(n.title)}</title><rect width="{NODE_W}" height="{NODE_H}" rx="5"/>'
                     f'<text x="8" y="16">{escape(n.label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))

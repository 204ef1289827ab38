"""The who-loads-whom graph: chains to data brokers, vendors across a batch, exports read back
with networkx; and the ``graph`` / ``analyze`` commands."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from leakmap import records as r
from leakmap.analysis.graph import (
    brokers_reachable,
    build_graph,
    export,
    site_node,
    sites_by_vendor,
    vendors_by_site,
)
from leakmap.blocklists import registrable_domain
from leakmap.cli import main
from tests.analysis_store import DAY, T0, StoreBuilder, cookie, knowledge, request

SHOP = "https://www.maison-exemple.fr/"
BLOG = "https://blog.autre-exemple.de/"
GTM = "https://www.googletagmanager.com/gtm.js?id=GTM-AB12"
CRITEO = "https://static.criteo.net/js/ld/publishertag.js"
SYNC = "https://gum.criteo.com/sync?c=1"
UID = "7c0e2b9a-52f1-4d7e-9a4b-3f1e8d2c6b5a"
RLID = "Qm9vZ2xlUmxBczNJZDAx"
RL = f"https://idsync.rlcdn.com/711187.gif?partner_uid={UID}"


@pytest.fixture
def store(tmp_path):
    b = StoreBuilder(tmp_path / "leakmap.db", SHOP)
    b.visit("baseline", [
        request(SHOP, 0.0, resource_type="Document"),
        request(SHOP + "js/site.js", 0.1, initiator_url=SHOP),
        request(GTM, 0.2, initiator_url=SHOP + "js/site.js"),
        request(CRITEO, 0.3, initiator_url=GTM),
        request(SYNC, 0.4, resource_type="Image", initiator_url=CRITEO),
        cookie("uid", UID, 0.4, host="gum.criteo.com", domain=".criteo.com", lifetime=730 * DAY),
        request(RL, 0.5, resource_type="Image", redirect_from=SYNC),
        cookie("rlas3", RLID, 0.5, host="idsync.rlcdn.com", domain=".rlcdn.com", lifetime=730 * DAY),
        request(f"https://dpm.demdex.net/ibs:dpid=2340&dpuuid={RLID}", 0.6, resource_type="Image", redirect_from=RL),
        request("https://fonts.googleapis.com/css2?family=Inter", 0.2, resource_type="Stylesheet", initiator_url=SHOP),
    ])
    b.visit("baseline", [request(SHOP + "panier.html", 0.0, resource_type="Document"),
                         request(GTM, 0.2, initiator_url=SHOP + "panier.html")], seq=1, url=SHOP + "panier.html")
    # a second site of the same batch
    blog = b.store.add_site(r.Site(scan_id=b.scan_id, start_url=BLOG, domain=registrable_domain(BLOG)))
    fb = request("https://www.facebook.com/tr/?id=1&ev=PageView", T0 + 1, resource_type="Image", initiator_url=BLOG,
                 phase="baseline")
    gtm = request(GTM, T0 + 1, initiator_url=BLOG, phase="baseline")
    for rec in (fb, gtm):
        rec.stamp(None)
    b.store.save_visit(r.Visit(site_id=blog, phase="baseline", url=BLOG), [fb, gtm])
    yield b
    b.store.close()


def test_broker_chain_from_the_site(store):
    g = build_graph(store.store, store.scan_id, knowledge())
    paths = {p.broker: p for p in brokers_reachable(g, site_node(SHOP))}
    assert set(paths) == {"rlcdn.com", "demdex.net"}
    assert paths["rlcdn.com"].chain == [SHOP, "googletagmanager.com", "criteo.net", "criteo.com", "rlcdn.com"]
    assert paths["rlcdn.com"].entity == "LiveRamp, Inc."
    assert paths["rlcdn.com"].edges[-1] == "loaded+synced-id-with"  # redirected to, and handed the Criteo id
    assert paths["demdex.net"].chain[-2:] == ["rlcdn.com", "demdex.net"]
    assert brokers_reachable(g, site_node(BLOG)) == []


def test_nodes_edges_and_counts(store):
    g = build_graph(store.store, store.scan_id, knowledge())
    assert g.nodes["domain:rlcdn.com"]["broker"] and g.nodes["domain:rlcdn.com"]["entity"] == "LiveRamp, Inc."
    assert g.has_edge("domain:criteo.com", "entity:Criteo SA", key="owned-by")
    assert g.has_edge("host:idsync.rlcdn.com", "domain:rlcdn.com", key="part-of")
    shop_id = g.nodes[site_node(SHOP)]["site_id"]
    edge = g.edges["host:static.criteo.net", "host:gum.criteo.com", f"loaded@{shop_id}"]
    assert (edge["baseline"], edge["accept"], edge["before_consent"]) == (1, 0, 1)
    assert g.edges["host:gum.criteo.com", "host:idsync.rlcdn.com", f"loaded@{shop_id}"]["redirects"] == 1
    # the tag manager was loaded by the first-party script on the landing page, by the cart page itself
    assert g.has_edge("host:www.maison-exemple.fr", "host:www.googletagmanager.com", key=f"loaded@{shop_id}")
    assert g.has_edge(f"page:{SHOP}panier.html", "host:www.googletagmanager.com", key=f"loaded@{shop_id}")
    assert g.has_edge("domain:criteo.com", "domain:rlcdn.com", key=f"synced-id-with@{shop_id}")


def test_vendors_across_the_batch(store):
    g = build_graph(store.store, store.scan_id, knowledge())
    vendors = {site: [v["domain"] for v in vs] for site, vs in vendors_by_site(g).items()}
    assert set(vendors[BLOG]) == {"facebook.com", "googletagmanager.com"}
    assert {"googletagmanager.com", "criteo.net", "criteo.com", "rlcdn.com", "demdex.net", "fonts.googleapis.com"} \
        == set(vendors[SHOP])
    shop = {v["domain"]: v for v in vendors_by_site(g)[SHOP]}
    assert shop["googletagmanager.com"]["requests"]["baseline"] == 2  # both pages, not the blog's
    assert shop["rlcdn.com"]["broker"] and not shop["criteo.net"]["broker"]
    assert sites_by_vendor(g)["googletagmanager.com"] == [SHOP, BLOG]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exports_read_back(store, tmp_path, fmt):
    g = build_graph(store.store, store.scan_id, knowledge())
    path = tmp_path / f"g.{fmt}"
    export(g, fmt, path)
    h = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert h.number_of_nodes() == g.number_of_nodes() and h.number_of_edges() == g.number_of_edges()
    node = h.nodes["domain:rlcdn.com"]
    assert node["kind"] == "domain" and node["broker"] in (True, "true") and "data-broker" in node["categories"]
    loaded = [d for u, v, d in h.edges(data=True) if u == "host:static.criteo.net" and v == "host:gum.criteo.com"]
    assert loaded and int(loaded[0]["baseline"]) == 1


def test_json_export_is_node_link(store):
    g = build_graph(store.store, store.scan_id, knowledge())
    data = json.loads(export(g, "json"))
    h = nx.node_link_graph(data, edges="links")
    assert h.number_of_edges() == g.number_of_edges() and data["graph"]["scan_id"] == store.scan_id


def test_graph_command(store, tmp_path):
    out = tmp_path / "scan.gexf"
    result = CliRunner().invoke(main, ["graph", str(store.path), "--format", "gexf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(out).number_of_nodes() == build_graph(store.store, store.scan_id, knowledge()).number_of_nodes() == 26
    assert "broker rlcdn.com reached from" in result.output
    bad = CliRunner().invoke(main, ["graph", str(tmp_path / "missing.db")])
    assert bad.exit_code == 2


def test_analyze_command_replaces_findings(store):
    runner = CliRunner()
    first = runner.invoke(main, ["analyze", str(store.path)])
    assert first.exit_code == 0, first.output
    rows = list(store.store.db.execute("select * from findings order by id"))
    second = runner.invoke(main, ["analyze", str(store.path), "--limit", "0"])
    assert second.exit_code == 0 and list(store.store.db.execute("select * from findings order by id")) == rows
    assert "id-sync" in first.output and "www.maison-exemple.fr" in first.output
    # the scenario: a Criteo -> LiveRamp -> Adobe sync chain with two-year ids before any answer, Meta on the
    # blog, US recipients everywhere
    assert {r[3] for r in rows} == {"id-sync", "tracking-before-consent", "cookie-before-consent", "broker-exposure",
                                    "excessive-cookie-lifetime", "third-country-transfer"}

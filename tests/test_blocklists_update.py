"""``lists update`` against a local HTTP server serving the test data (real permissive files, trimmed;
synthetic samples of the non-commercial formats; the Ghostery package), loaders on those files, and
a clear error when offline. Merged facts keep every source's view (owner of crwdcntrl.net)."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import shutil
import socket
import threading
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from leakmap.blocklists import Knowledge, loaders
from leakmap.blocklists.sources import SOURCES, read_meta, update
from leakmap.cli import main

MIRROR_FILES = {  # cache file name -> file in tests/data
    "open-cookie-database.csv": "open-cookie-database.csv",
    "open-cookie-database.LICENSE": "open-cookie-database.LICENSE",
    "ca-data-broker-registry.csv": "ca-data-broker-registry-2025.csv",
    "ca-data-broker-registry.LICENSE": "ca-data-broker-registry-2025.LICENSE",
    "ddg-tds.json": "ddg-tds.synthetic.json",
    "disconnect-services.json": "disconnect-services.synthetic.json",
    "disconnect-entities.json": "disconnect-entities.synthetic.json",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, test_data, trackerdb_json):
    """A local HTTP server with the test data under the names `lists update` asks for."""
    root = tmp_path_factory.mktemp("mirror")
    for name, src in MIRROR_FILES.items():
        shutil.copy(test_data / src, root / name)
    shutil.copy(trackerdb_json, root / "trackerdb.json")
    shutil.copy(trackerdb_json.parent.parent / "LICENSE", root / "ghostery.LICENSE")
    for name in ("easylist", "easyprivacy"):  # the copies in the braveblock wheel
        (root / f"{name}.txt").write_bytes(gzip.decompress((resources.files("braveblock") / f"{name}.txt.gz").read_bytes()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


@pytest.fixture(scope="module")
def updated(mirror, tmp_path_factory):
    """A cache filled by `leakmap lists update --mirror` (the CLI, as a user runs it)."""
    url, _ = mirror
    cache = tmp_path_factory.mktemp("cache")
    result = CliRunner().invoke(main, ["lists", "update", "--mirror", url], env={"LEAKMAP_CACHE": str(cache)})
    return cache, result


def test_update_downloads_every_source_with_license_and_version(updated):
    cache, result = updated
    assert result.exit_code == 0, result.output
    for sid, src in SOURCES.items():
        meta = read_meta(sid, cache)
        assert meta and meta["version"] and meta["fetched_at"] and meta["sha256"], sid
        folder = cache / "lists" / sid
        assert (folder / "LICENSE").read_text().startswith(src.title)
        for remote in src.files:
            assert (folder / remote.filename).stat().st_size > 0
    assert "Apache License" in (cache / "lists/ocd/LICENSE").read_text()
    assert read_meta("easylist", cache)["version"] == "202205241325"  # from the list's own header
    # non-commercial licenses are announced at download
    for sid in ("ddg", "disconnect", "ghostery"):
        assert f"{SOURCES[sid].title} is licensed CC BY-NC-SA 4.0" in result.output
        assert "Non-commercial use only" in (cache / "lists" / sid / "LICENSE").read_text()


def test_loaders_on_the_test_data(test_data, trackerdb_json):
    ocd = loaders.parse_ocd((test_data / "open-cookie-database.csv").read_text(encoding="utf-8"))
    assert len(ocd.cookies) == 124
    assert any(c.name == "_ga_*" and c.pattern and c.platform == "Google Analytics" for c in ocd.cookies)
    reg = loaders.parse_ca_registry((test_data / "ca-data-broker-registry-2025.csv").read_text(encoding="utf-8"))
    by_domain = {o.key: o for o in reg.opinions}
    liveramp = by_domain["liveramp.com"]
    assert liveramp.broker and [(r.registry, r.name) for r in liveramp.registrations] == [("ca", "LiveRamp, Inc.")]
    assert liveramp.registrations[0].id.isdigit()
    # opt-out pages hosted by privacy vendors do not make the vendor a broker
    assert "onetrust.com" not in by_domain and "trustarc.eu" not in by_domain
    ddg = {o.key: o for o in loaders.parse_ddg((test_data / "ddg-tds.synthetic.json").read_text(encoding="utf-8")).opinions}
    assert (ddg["doubleclick.net"].entity, ddg["doubleclick.net"].parent, ddg["doubleclick.net"].categories) == \
        ("Google Ads", "Google LLC", ("advertising",))
    assert ddg["tracker.example"].categories == ("analytics", "session-replay")
    assert ddg["tracker-cdn.example"].entity == "Example Tracking Co." and not ddg["tracker-cdn.example"].categories
    disc = {o.key: o for o in loaders.parse_disconnect(
        (test_data / "disconnect-services.synthetic.json").read_text(encoding="utf-8"),
        (test_data / "disconnect-entities.synthetic.json").read_text(encoding="utf-8")).opinions}
    assert disc["cookielaw.org"].categories == ("consent-management",)
    assert set(disc["ads.example"].categories) == {"advertising"} and disc["fp.ads.example"].categories == ("fingerprinting",)
    assert disc["static.publisher.example"].entity == "Example Publisher" and not disc["static.publisher.example"].categories
    gh = loaders.parse_ghostery(trackerdb_json.read_text(encoding="utf-8"))
    assert len(gh.opinions) > 3000
    crwd = {o.key: o for o in gh.opinions}["crwdcntrl.net"]
    assert crwd.entity == "Lotame" and crwd.categories == ("advertising",)


def test_merged_lookup_keeps_every_source_and_precedence(updated):
    cache, _ = updated
    kb = Knowledge.load(root=cache)
    assert {"leakmap", "ocd", "ca-registry", "ddg", "disconnect", "ghostery", "easylist", "easyprivacy"} <= set(kb.versions())
    c = kb.classify("bcp.crwdcntrl.net")
    # precedence: the curated map answers (Lotame, owned by Publicis)...
    assert (c.entity, c.parent, c.owner) == ("Lotame Solutions, Inc.", "Publicis Groupe S.A.", "Publicis Groupe S.A.")
    # ...and the other sources' owners are kept, not merged away
    views = {o.source: o for o in c.opinions}
    assert views["ddg"].entity == "Lotame Solutions, Inc." and views["ddg"].parent is None
    assert views["ghostery"].entity == "Lotame"
    assert "ca-registry" not in views  # the registry names Lotame's own web site, not its tracking domain
    assert kb.classify("www.lotame.com").opinions[-1].registrations[0].name == "Lotame Solutions, Inc."
    assert c.sources[0] == "leakmap" and {"ddg", "ghostery"} <= set(c.sources)
    explained = kb.explain("crwdcntrl.net")
    assert {"leakmap", "ddg", "ghostery"} <= {f.source for f in explained}
    assert any("Publicis" in f.what for f in explained) and any(f.source == "ddg" and "Lotame" in f.what for f in explained)
    # a different owner name per source is a real disagreement, kept
    fb = {o.source: o.entity for o in kb.classify("connect.facebook.net").opinions}
    assert fb["leakmap"] == "Meta Platforms, Inc." and fb["ddg"] == "Facebook, Inc."


def test_downloaded_sources_extend_the_bundled_map(updated):
    cache, _ = updated
    kb = Knowledge.load(root=cache)
    only_ghostery = kb.classify("mmtro.com")  # not in the curated map
    assert only_ghostery.known and only_ghostery.sources == ("ghostery",) and only_ghostery.country == "FR"
    broker = kb.classify("www.dtn.com")  # a registered company the bundled map leaves unlinked
    assert broker.broker and broker.sources == ("ca-registry",) and broker.entity == "DTN, LLC"
    ocd_only = kb.cookie("cookiePreferences")
    assert ocd_only and ocd_only.source == "ocd"
    assert kb.cookie("_ga").source == "leakmap"  # curated cookie facts come first
    assert {f.source for f in kb.explain("_ga")} >= {"leakmap", "ocd"}


def test_load_reads_what_update_compiled_not_the_downloads(updated, tmp_path):
    """Loading stays quick with every source cached because `update` compiles each list once:
    without the downloaded files, the knowledge loaded is the same (bench/classify.py times it)."""
    cache, _ = updated
    before = Knowledge.load(root=cache)
    shutil.copytree(cache, tmp_path / "cache")
    downloads = [tmp_path / "cache" / "lists" / sid / remote.filename
                 for sid, src in SOURCES.items() if src.kind == "facts" for remote in src.files]
    assert len(downloads) >= 5
    for path in downloads:
        path.unlink()
    after = Knowledge.load(root=tmp_path / "cache")
    assert after.versions() == before.versions() and after.stats == before.stats
    for host in ("www.dtn.com", "connect.facebook.net", "www.google-analytics.com", "unknown.example"):
        assert after.classify(host) == before.classify(host)
    assert after.cookie("cookiePreferences") == before.cookie("cookiePreferences")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_update_fails_clearly_and_keeps_the_previous_cache(mirror, tmp_path):
    url, _ = mirror
    first = update(["ocd"], root=tmp_path, mirror=url)
    assert first[0].ok
    before = read_meta("ocd", tmp_path)
    dead = f"http://127.0.0.1:{_closed_port()}"
    runner = CliRunner()
    result = runner.invoke(main, ["lists", "update", "--source", "ocd", "--source", "ddg", "--mirror", dead],
                           env={"LEAKMAP_CACHE": str(tmp_path)})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("failed")]
    assert len(lines) == 2
    assert any("ocd:" in line and "refused" in line.lower() and "kept the previous download" in line for line in lines)
    assert read_meta("ocd", tmp_path) == before
    assert Knowledge.load(root=tmp_path).cookie("cookiePreferences").source == "ocd"


def test_partial_failure_exits_zero_and_bad_files_are_rejected(mirror, tmp_path):
    url, root = mirror
    results = update(["ocd", "ddg"], root=tmp_path, mirror=url + "/missing")
    assert not any(r.ok for r in results) and all("HTTP 404" in r.message for r in results)
    (root / "broken").mkdir(exist_ok=True)
    (root / "broken" / "ddg-tds.json").write_text("<html>captive portal</html>")
    shutil.copy(root / "open-cookie-database.csv", root / "broken" / "open-cookie-database.csv")
    result = CliRunner().invoke(main, ["lists", "update", "--source", "ocd", "--source", "ddg", "--mirror",
                                       url + "/broken"], env={"LEAKMAP_CACHE": str(tmp_path)})
    assert result.exit_code == 0, result.output  # one of two sources updated
    assert "not a valid DuckDuckGo Tracker Data Set file" in result.output
    assert read_meta("ddg", tmp_path) is None and read_meta("ocd", tmp_path)


def test_compiled_cache_round_trips(updated):
    cache, _ = updated
    compiled = json.loads((cache / "lists/ghostery/compiled.json").read_text())
    assert compiled["opinions"] and all(set(o) >= {"source", "key", "entity"} for o in compiled["opinions"][:5])
    assert not (Path(cache) / "lists" / ".ghostery.old").exists()


def test_npm_package_path_extracts_trackerdb(trackerdb_json, tmp_path, monkeypatch):
    """Without a mirror, Ghostery comes from `npm pack`; packing the installed package runs offline."""
    from dataclasses import replace

    from leakmap.blocklists import sources

    assert shutil.which("npm"), "npm not on PATH (`make test` needs it for the test-only packages)"
    local = replace(SOURCES["ghostery"], npm_package=str(trackerdb_json.parent.parent))
    monkeypatch.delenv("LEAKMAP_LISTS_MIRROR", raising=False)
    res = sources.update_source(local, root=tmp_path, timeout=120)
    assert res.ok, res.message
    meta = read_meta("ghostery", tmp_path)
    installed = json.loads((trackerdb_json.parent.parent / "package.json").read_text())["version"]
    assert meta["version"] == installed and meta["opinions"] > 3000
    license_text = (tmp_path / "lists/ghostery/LICENSE").read_text()
    assert "Non-commercial use only" in license_text and "Ghostery GmbH" in license_text  # notice + upstream text


def test_a_cache_compiled_before_registrations_had_ids_still_loads(tmp_path):
    """Caches compiled by an older leakmap name the California registration only (``ca_registry``)."""
    folder = tmp_path / "lists" / "ca-registry"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps({"version": "old", "fetched_at": "2026-01-01"}))
    old = {"source": "ca-registry", "key": "example-broker.com", "entity": "Example Broker, LLC", "parent": None,
           "categories": ["data-broker"], "country": None, "broker": True, "ca_registry": "Example Broker, LLC",
           "reference": "row 7"}
    (folder / "compiled.json").write_text(json.dumps({"opinions": [old], "cookies": []}))
    c = Knowledge.load(root=tmp_path).classify("www.example-broker.com")
    assert c.broker and c.sources == ("ca-registry",)
    assert [(r.registry, r.name) for r in c.opinions[0].registrations] == [("ca", "Example Broker, LLC")]

"""HAR export: one HAR 1.2 file per site and phase, valid against the har-schema package's schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft6Validator
from referencing import Registry, Resource

from leakmap import records as r
from leakmap.report.har import write_hars
from leakmap.store import Store

SCHEMAS = Path(__file__).parent / "npm" / "node_modules" / "har-schema" / "lib"


@pytest.fixture(scope="module")
def validator() -> Draft6Validator:
    assert SCHEMAS.is_dir(), f"{SCHEMAS} missing: `make test` installs tests/npm"
    schemas = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources((name, Resource.from_contents(s)) for name, s in schemas.items())
    # formats checked: the schema tells an IPv4 from an IPv6 address by format only
    return Draft6Validator(schemas["har.json"], registry=registry, format_checker=Draft6Validator.FORMAT_CHECKER)


def test_one_valid_har_per_phase(tmp_path, validator):
    store = Store(tmp_path / "leakmap.db")
    scan_id = store.begin_scan(r.Scan(browser_version="Chromium 156.0.8078.108"))
    site_id = store.add_site(r.Site(scan_id=scan_id, start_url="https://www.maison-lumiere.fr/", domain="maison-lumiere.fr"))
    beacon = r.RequestRecord(url="https://www.facebook.com/tr/?id=1&ev=PageView", host="www.facebook.com", method="POST",
                             resource_type="Ping", status=200, request_headers={"cookie": "fr=abc", "content-type": "text/plain"},
                             response_headers={"content-type": "image/gif"}, post_data="ev=PageView", post_data_size=11,
                             initiator_type="script", initiator_url="https://connect.facebook.net/en_US/fbevents.js",
                             initiator_stack=["https://connect.facebook.net/en_US/fbevents.js"])
    beacon.time, beacon.phase = 1_800_000_001.5, "accept"
    beacon.stamp(1_800_000_003.0)
    hop = r.RequestRecord(url="https://idsync.rlcdn.com/709?uid=42", host="idsync.rlcdn.com", status=302,
                          response_headers={"location": "https://dpm.demdex.net/ibs?x=1"}, remote_ip="127.0.0.1")
    hop.time, hop.phase = 1_800_000_002.0, "accept"
    hop.stamp(1_800_000_003.0)
    store.save_visit(r.Visit(site_id=site_id, phase="accept", url="https://www.maison-lumiere.fr/", started_at=1_800_000_000.0),
                     [beacon, hop])
    store.save_visit(r.Visit(site_id=site_id, phase="baseline", url="https://www.maison-lumiere.fr/", started_at=1_800_000_000.0),
                     [])
    store.close()

    paths = write_hars(tmp_path / "leakmap.db", scan_id, tmp_path)
    assert sorted(p.name for p in paths) == ["1-www.maison-lumiere.fr-accept.har", "1-www.maison-lumiere.fr-baseline.har"]
    for path in paths:
        validator.validate(json.loads(path.read_text()))
    accept = json.loads(next(p for p in paths if p.name.endswith("-accept.har")).read_text())["log"]
    assert accept["browser"]["version"] == "156.0.8078.108"
    first, second = accept["entries"]
    assert first["request"]["method"] == "POST" and first["request"]["postData"]["text"] == "ev=PageView"
    assert {"name": "cookie", "value": "fr=abc"} in first["request"]["headers"]
    assert {"name": "ev", "value": "PageView"} in first["request"]["queryString"]
    assert first["_before_consent"] is True and first["_t_consent"] == -1.5 and first["_phase"] == "accept"
    assert first["_initiator"]["stack"] == ["https://connect.facebook.net/en_US/fbevents.js"]
    assert second["serverIPAddress"] == "127.0.0.1" and "serverIPAddress" not in first
    assert second["response"]["status"] == 302 and second["response"]["redirectURL"] == "https://dpm.demdex.net/ibs?x=1"
    assert first["pageref"] == accept["pages"][0]["id"]

"""The store is the contract: its tables follow the record dataclasses, visits are stored whole or not at all."""

import dataclasses
import json

import pytest

from leakmap import records as r
from leakmap.store import TABLES, Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "leakmap.db")
    yield s
    s.close()


def test_every_record_field_is_a_column(store):
    for table, (cls, _, _) in TABLES.items():
        columns = set(store.db[table].columns_dict)
        assert {f.name for f in dataclasses.fields(cls)} <= columns, table


def test_wal_and_foreign_keys(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    fks = {(fk.column, fk.other_table) for fk in store.db["requests"].foreign_keys}
    assert ("visit_id", "visits") in fks and ("site_id", "sites") in fks


def test_visit_with_evidence_round_trip(store):
    scan_id = store.begin_scan(r.Scan(config={"pages": 5}))
    site_id = store.add_site(r.Site(scan_id=scan_id, start_url="https://www.maison-lumiere.fr/", domain="maison-lumiere.fr"))
    request = r.RequestRecord(url="https://www.google-analytics.com/g/collect", host="www.google-analytics.com",
                              request_headers={"cookie": "a=b"}, initiator_stack=["https://www.googletagmanager.com/gtag/js"])
    request.time = 100.0
    request.stamp(consent_time=103.5)
    visit_id = store.save_visit(r.Visit(site_id=site_id, phase="accept", url="https://www.maison-lumiere.fr/"),
                                [request, r.CookieRecord(name="_ga", value="GA1", lifetime=63072000.0)])
    row = next(store.rows("requests"))
    assert isinstance(visit_id, int) and store.db["visits"].get(visit_id)["phase"] == "accept"
    assert row["visit_id"] == visit_id and row["site_id"] == site_id
    assert row["before_consent"] == 1 and row["t_consent"] == -3.5
    assert json.loads(row["request_headers"]) == {"cookie": "a=b"}
    assert json.loads(row["initiator_stack"]) == ["https://www.googletagmanager.com/gtag/js"]
    assert next(store.rows("cookies"))["lifetime"] == 63072000.0


def test_a_visit_is_stored_whole_or_not_at_all(store):
    scan_id = store.begin_scan(r.Scan())
    site_id = store.add_site(r.Site(scan_id=scan_id, start_url="https://x.fr/"))
    broken = r.RequestRecord(url="https://x.fr/")
    broken.request_headers = {"bad": object()}  # not serialisable: the insert fails
    with pytest.raises(TypeError):
        store.save_visit(r.Visit(site_id=site_id, phase="baseline", url="https://x.fr/"), [r.RequestRecord(), broken])
    assert store.db["visits"].count == 0 and store.db["requests"].count == 0


def test_stamp_without_consent_is_before_consent():
    e = r.RequestRecord()
    e.time = 5.0
    e.stamp(None)
    assert e.before_consent and e.t_consent is None
    e.stamp(4.0)
    assert not e.before_consent and e.t_consent == 1.0


def test_two_scans_of_a_site_keep_their_findings_with_the_same_ids(store):
    """A second scan into the same directory (or a merged store) holds findings with ids the first
    scan has too: findings are keyed per scan, and read back whole (their moment included)."""
    from leakmap.analysis import save_findings
    from leakmap.analysis.audit import stored_findings

    def finding(scan_id: int, site_id: int) -> r.Finding:
        return r.Finding(id="tracking-before-consent:abc", scan_id=scan_id, site_id=site_id,
                         rule="tracking-before-consent", severity="high", phase="baseline", domain="facebook.net",
                         title="t", evidence={"n": scan_id}, moment="before-consent")

    scans = [store.begin_scan(r.Scan()) for _ in range(2)]
    sites = [store.add_site(r.Site(scan_id=s, start_url="https://www.example.fr/")) for s in scans]
    for scan_id, site_id in zip(scans, sites, strict=True):
        save_findings(store, scan_id, [finding(scan_id, site_id)])
    save_findings(store, scans[0], [finding(scans[0], sites[0])])  # re-analysis replaces, never duplicates
    assert store.db["findings"].count == 2
    for scan_id, site_id in zip(scans, sites, strict=True):
        assert stored_findings(store, scan_id) == [finding(scan_id, site_id)]


def test_an_older_store_merged_twice_is_merged_once(tmp_path):
    """Stores from before scans had a key get one when opened, so merging one again adds nothing."""
    from leakmap.merge import merge

    old = Store(tmp_path / "old" / "leakmap.db")
    scan_id = old.begin_scan(r.Scan())
    site_id = old.add_site(r.Site(scan_id=scan_id, start_url="https://www.example.fr/"))
    old.save_visit(r.Visit(site_id=site_id, phase="baseline", url="https://www.example.fr/"), [])
    old.db["scans"].transform(drop={"key"})  # as an older leakmap wrote it
    old.close()
    target = Store(tmp_path / "merged.db")
    first, second = merge(target, tmp_path / "old" / "leakmap.db"), merge(target, tmp_path / "old" / "leakmap.db")
    assert (first.scans, first.sites, first.visits) == (1, 1, 1)
    assert (second.scans, second.sites, second.visits) == (0, 0, 0) and second.skipped_sites == 1
    assert target.db["visits"].count == 1

"""The capture comparison the end-to-end tests and the benchmark rely on (``tests/web/capture.py``):
counts per method and URL, within the visit that was running, stamped no later than the server
received it."""

from __future__ import annotations

from leakmap.records import RequestRecord, Scan, Site, Visit
from leakmap.store import Store
from tests.web.capture import compare
from tests.web.server import LogEntry

BEACON = "https://k.clarity.ms/collect"
T0 = 1_800_000_000.0


def _served(at: float, url: str = BEACON, method: str = "POST") -> LogEntry:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return LogEntry(at, scheme, method, host, "/" + path, {"user-agent": "Chrome"}, 10, 204)


def _store(tmp_path, phase: str, consent_time: float | None, rows: list[tuple[float, str]]) -> Store:
    """One visit from T0 to T0 + 10 s whose requests (time, method) to BEACON are stamped as the crawler does."""
    store = Store(tmp_path / "leakmap.db")
    scan_id = store.begin_scan(Scan())
    site_id = store.add_site(Site(scan_id=scan_id, start_url="https://www.example-shop.co.uk/"))
    requests = []
    for at, method in rows:
        record = RequestRecord(time=at, url=BEACON, host="k.clarity.ms", method=method, phase=phase)
        record.stamp(consent_time)
        requests.append(record)
    store.save_visit(Visit(site_id=site_id, phase=phase, url="https://www.example-shop.co.uk/", started_at=T0,
                           ended_at=T0 + 10, consent_time=consent_time), requests)
    return store


def test_a_request_sent_twice_must_be_stored_twice(tmp_path):
    store = _store(tmp_path, "baseline", None, [(T0 + 1, "POST")])
    capture = compare(store.path, [_served(T0 + 1.01), _served(T0 + 5)])
    assert capture.total == 2 and capture.missing == [BEACON] and capture.ratio == 0.5


def test_method_and_url_together_identify_a_request(tmp_path):
    store = _store(tmp_path, "baseline", None, [(T0 + 1, "GET"), (T0 + 2, "POST")])
    assert compare(store.path, [_served(T0 + 1.01, method="GET"), _served(T0 + 2.01)]).ratio == 1.0
    # two POSTs received, one stored: the GET does not stand in for the other
    assert compare(store.path, [_served(T0 + 2.01), _served(T0 + 2.02)]).missing == [BEACON]


def test_only_a_visit_running_when_the_server_got_it_counts(tmp_path):
    store = _store(tmp_path, "baseline", None, [(T0 + 1, "POST")])
    assert compare(store.path, [_served(T0 + 30)]).missing == [BEACON]


def test_a_request_stamped_after_the_server_got_it_is_misplaced(tmp_path):
    """Its time decides which side of the consent click it is on: stored "after consent" when the
    server had it before the click, it would clear the site of tracking before any answer."""
    click = T0 + 4
    right = _store(tmp_path / "right", "accept", click, [(T0 + 1, "POST"), (click + 0.05, "POST")])
    assert compare(right.path, [_served(T0 + 1.01), _served(click + 0.06)]).ratio == 1.0
    wrong = _store(tmp_path / "wrong", "accept", click, [(T0 + 1, "POST"), (click + 0.05, "POST")])
    capture = compare(wrong.path, [_served(T0 + 1.01), _served(click - 1)])
    assert capture.misplaced == [BEACON] and not capture.missing and capture.ratio == 0.5

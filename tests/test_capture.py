"""The capture comparison the end-to-end tests and the benchmark rely on (``tests/web/capture.py``):
counts per method and URL, within the visit that was running, stamped no later than the server
received it; and that comparison over a site whose service worker sends on every page it serves."""

from __future__ import annotations

import asyncio
import time

from leakmap.crawler.browser import find_browser
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import VisitJob
from leakmap.records import ErrorRecord, RequestRecord, Scan, Site, Visit
from leakmap.store import Store
from tests.web.capture import audited, compare
from tests.web.server import LogEntry, expectations

BEACON = "https://k.clarity.ms/collect"
T0 = 1_800_000_000.0


def _served(at: float, url: str = BEACON, method: str = "POST", **headers: str) -> LogEntry:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return LogEntry(at, scheme, method, host, "/" + path, {"user-agent": "Chrome", **headers}, 10, 204)


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


SW_SCRIPT = "https://www.example-shop.co.uk/sw.js"


def test_a_service_worker_update_check_is_named_not_counted(tmp_path):
    """Chromium reports a service worker script's fetch at install, never its later update checks
    (crbug.com/40767578): a script fetched again after its install was stored is named, not missing."""
    store = Store(tmp_path / "leakmap.db")
    scan_id = store.begin_scan(Scan())
    site_id = store.add_site(Site(scan_id=scan_id, start_url="https://www.example-shop.co.uk/"))
    install = RequestRecord(time=T0 + 1, url=SW_SCRIPT, host="www.example-shop.co.uk", method="GET", phase="baseline")
    install.stamp(None)
    store.save_visit(Visit(site_id=site_id, phase="baseline", url="https://www.example-shop.co.uk/", started_at=T0,
                           ended_at=T0 + 10), [install])
    checks = [_served(T0 + 1.01, SW_SCRIPT, "GET", **{"service-worker": "script"}),
              _served(T0 + 6, SW_SCRIPT, "GET", **{"service-worker": "script"})]
    capture = compare(store.path, checks)
    assert (capture.total, capture.ratio, capture.unobservable) == (1, 1.0, [SW_SCRIPT])
    # near miss: a worker script whose install was never stored is missing, whatever its header
    other = "https://www.example-shop.co.uk/other-sw.js"
    capture = compare(store.path, [_served(T0 + 6, other, "GET", **{"service-worker": "script"})])
    assert capture.missing == [other] and not capture.unobservable


WINDOW_DOC = "https://www.example-shop.co.uk/sponsor.html"


def test_a_request_the_scan_named_as_not_recorded_is_declared_once(tmp_path):
    """A window's first request that Chromium reported to no session: the visit stores a
    ``capture-gap`` error with its URL, and that one request is declared, out of the count."""
    store = Store(tmp_path / "leakmap.db")
    scan_id = store.begin_scan(Scan())
    site_id = store.add_site(Site(scan_id=scan_id, start_url="https://www.example-shop.co.uk/"))
    seen = RequestRecord(time=T0 + 1, url=WINDOW_DOC, host="www.example-shop.co.uk", method="GET", phase="baseline")
    seen.stamp(None)
    gap = ErrorRecord(time=T0 + 2, kind="capture-gap", url=WINDOW_DOC, message="not reported")
    store.save_visit(Visit(site_id=site_id, phase="baseline", url="https://www.example-shop.co.uk/", started_at=T0,
                           ended_at=T0 + 10), [seen, gap])
    two = [_served(T0 + 1.01, WINDOW_DOC, "GET"), _served(T0 + 2, WINDOW_DOC, "GET")]
    capture = compare(store.path, two)
    assert (capture.total, capture.ratio, capture.declared, capture.missing) == (1, 1.0, [WINDOW_DOC], [])
    # near misses: one error names one request only; and only while its visit ran
    capture = compare(store.path, [*two, _served(T0 + 3, WINDOW_DOC, "GET")])
    assert (capture.declared, capture.missing) == ([WINDOW_DOC], [WINDOW_DOC])
    capture = compare(store.path, [two[0], _served(T0 + 30, WINDOW_DOC, "GET")])
    assert (capture.declared, capture.missing) == ([], [WINDOW_DOC])


SW_SITE = "www.fjordlys-bakeri.no"


def test_a_service_worker_that_sends_on_every_page_is_captured_on_every_page(testweb, tmp_path):
    """The fixture site's service worker, installed on the landing page, sends a page view to Google
    Analytics for every later page it serves: each one the server received is stored, by the visit
    of the page it served, as the worker's request."""
    expect = expectations([SW_SITE])[SW_SITE]
    store = Store(tmp_path / "leakmap.db")
    scan_id = store.begin_scan(Scan(started_at=time.time()))
    site_id = store.add_site(Site(scan_id=scan_id, start_url=expect["start"], domain="fjordlys-bakeri.no"))
    config = ScanConfig(output_dir=tmp_path, host_rules=testweb.host_rules, ignore_https_errors=True, screenshots=False)
    pages = expect["pages"]
    began = len(testweb.log)

    async def visit_all() -> None:
        session = BrowserSession(config, find_browser())
        try:
            for seq, path in enumerate(pages):
                job = VisitJob(site_id, "baseline", seq, expect["start"].rstrip("/") + path, last=seq == len(pages) - 1)
                outcome = await session.visit(job)
                store.save_visit(outcome.visit, outcome.evidence)
        finally:
            await session.close()

    asyncio.run(visit_all())
    served = [e for e in audited(testweb.log[began:]) if e.host == SW_SITE or e.host.endswith("google-analytics.com")]
    hits = [e for e in served if e.host.endswith("google-analytics.com")]
    assert len(hits) == len(pages) - 1  # every page but the one that installed the worker
    capture = compare(store.path, served)
    assert capture.ratio == 1.0, (capture.missing, capture.misplaced)
    assert set(capture.unobservable) <= {f"https://{SW_SITE}/sw.js"}
    rows = list(store.db.query("select v.seq, r.target_type from requests r join visits v on v.id = r.visit_id "
                               "where r.host = 'www.google-analytics.com'"))
    assert sorted(r["seq"] for r in rows) == list(range(1, len(pages)))
    assert {r["target_type"] for r in rows} == {"service_worker"}
    store.close()

"""Hostile and broken sites never break the audit: everything is recorded and the scan finishes.

(Dialogs, popups, downloads, pages that never finish loading, HTTP 500 and TLS failures are
covered with the bad-input tests.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from leakmap.crawler.browser import find_browser
from leakmap.crawler.collectors.base import Collector
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import EXTRA_COLLECTORS, VisitJob
from leakmap.records import ErrorRecord, RequestRecord
from leakmap.store import Store
from tests.scan_checks import assert_phases_whole, children, run_leakmap, wait_for_visits
from tests.web.server import Response, TestWeb

HOSTILE_TITLE = "<script>document.title='pwned'</script>\"quoted' & <b>bold</b>"
PAGES = {
    "www.long-poll.fr/index.html": """<!doctype html><title>Long poll</title><p>chat</p>
        <script>fetch('/poll?wait=forever')</script>""",
    "www.heavy-page.fr/index.html": "<!doctype html><title>Heavy</title><img src='/huge.bin'><p>heavy</p>",
    "www.busy-loop.fr/index.html": """<!doctype html><title>Busy</title><p>busy</p>
        <script>for (;;) {}</script>""",
    "www.moved-away.fr/_redirects": "/ https://www.new-owner.de/welcome.html 301\n",
    "www.new-owner.de/welcome.html": "<!doctype html><title>Welcome</title><p>new owner</p>",
    "www.hostile-text.fr/index.html": f"""<!doctype html><title>{HOSTILE_TITLE.replace('<', '&lt;')}</title>
        <script>document.cookie = 'x<script>alert(1)<\\/script>="v\\'al<u>"; path=/';</script><p>text</p>""",
    "www.hostile-text.fr/_headers": """/
          Set-Cookie: q"uote=<img src=x onerror=alert(2)>; Path=/
        """,
}


@pytest.fixture(scope="module")
def hostile_web(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-web")
    for path, body in PAGES.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(body))
    (root / "www.heavy-page.fr" / "huge.bin").write_bytes(os.urandom(1024) * 20 * 1024)  # 20 MiB
    web = TestWeb(root)
    web.endpoints[("www.long-poll.fr", "/poll")] = lambda request: Response(hold=True)
    web.endpoints[("www.redirect-loop.fr", "/")] = lambda request: Response(302, headers=[("Location", "/again")])
    web.endpoints[("www.redirect-loop.fr", "/again")] = lambda request: Response(302, headers=[("Location", "/")])
    web.endpoints[("www.gone-page.fr", "/")] = lambda request: Response(404, "<h1>Not here</h1>")
    with web:
        yield web


@pytest.fixture(scope="module")
def hostile_scan(hostile_web, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-out")
    started = time.monotonic()
    proc = run_leakmap("scan", "https://www.long-poll.fr/", "https://www.heavy-page.fr/", "https://www.busy-loop.fr/",
                       "https://www.moved-away.fr/", "https://www.redirect-loop.fr/", "https://www.gone-page.fr/",
                       "https://www.hostile-text.fr/", "-o", str(out), "--host-rules", hostile_web.host_rules,
                       "--ignore-https-errors", "--phases", "baseline", "--pages", "1", "--page-timeout", "10",
                       timeout=400)
    return proc, Store(out / "leakmap.db"), out, time.monotonic() - started


def site(store: Store, start: str) -> tuple[dict, list[dict], dict[str, str]]:
    row = next(store.db.query("select * from sites where start_url = ?", [start]))
    visits = list(store.db.query("select * from visits where site_id = ?", [row["id"]]))
    errors = {e["kind"]: e["message"] for e in store.db.query("select * from errors where site_id = ?", [row["id"]])}
    return row, visits, errors


def test_the_scan_finishes(hostile_scan):
    proc, store, _, seconds = hostile_scan
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert store.db.execute("select count(*) from visits").fetchone()[0] == 7


def test_request_held_open_forever(hostile_scan):
    _, visits, errors = site(hostile_scan[1], "https://www.long-poll.fr/")
    # the open request did not hold the visit until --page-timeout (10 s) cut it short: waiting on
    # it would make the visit a "timeout" (its wall time, unloading included, varies with the load)
    assert visits[0]["status"] == "ok" and "timeout" not in errors
    poll = next(hostile_scan[1].db.query("select * from requests where url like '%/poll%'"))
    assert poll["status"] is None and poll["still_open"] == 1  # never answered, recorded as open


def test_twenty_megabyte_response(hostile_scan):
    _, visits, _ = site(hostile_scan[1], "https://www.heavy-page.fr/")
    assert visits[0]["status"] == "ok"
    huge = next(hostile_scan[1].db.query("select * from requests where url like '%huge.bin'"))
    assert huge["status"] == 200


def test_busy_main_thread(hostile_scan):
    """A script that never returns: the page never parses, never answers; the visit ends without
    waiting out the page budget, and the site (nothing of it could be audited) is failed."""
    row, visits, errors = site(hostile_scan[1], "https://www.busy-loop.fr/")
    assert visits[0]["status"] == "timeout" and "DOMContentLoaded" in errors["timeout"]
    assert "did not answer" in errors["unresponsive"] and row["status"] == "failed"


def test_redirect_to_another_domain(hostile_scan):
    row, visits, _ = site(hostile_scan[1], "https://www.moved-away.fr/")
    assert visits[0]["final_url"] == "https://www.new-owner.de/welcome.html"
    assert row["final_url"] == "https://www.new-owner.de/welcome.html" and row["status"] == "done"


def test_redirect_loop(hostile_scan):
    row, _, errors = site(hostile_scan[1], "https://www.redirect-loop.fr/")
    assert "ERR_TOO_MANY_REDIRECTS" in errors["navigation"] and row["status"] == "failed"


def test_not_found(hostile_scan):
    _, visits, errors = site(hostile_scan[1], "https://www.gone-page.fr/")
    assert visits[0]["http_status"] == 404 and errors["http-error"].startswith("HTTP 404")


def test_hostile_text_is_stored_verbatim_and_escaped_in_reports(hostile_scan):
    _, store, out, _ = hostile_scan
    _, visits, _ = site(store, "https://www.hostile-text.fr/")
    assert visits[0]["title"] == HOSTILE_TITLE  # evidence is kept as the page wrote it
    names = {c["name"] for c in store.db.query("select name from cookies")}
    assert "x<script>alert(1)</script>" in names and 'q"uote' in names
    html = (out / "report.html").read_text()
    # the report shows the page's title, as text (cookie names are shown, escaped, in test_report_html)
    assert "“&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&#34;quoted&#39; &amp; &lt;b&gt;bold&lt;/b&gt;”" in html
    assert "<script>document.title='pwned'</script>" not in html


class _CrashOnLoad(Collector):
    """Test collector: crashes the renderer of the page it records, once loaded."""

    name = "crash-on-load"
    target_types = frozenset({"page"})

    async def setup(self, session):
        self.session = session

    async def on_loaded(self, page):
        if "crash" in page.url:
            await self.session.send("Page.crash", timeout=2)


def test_renderer_crash_is_recorded_and_the_phase_goes_on(hostile_web, tmp_path):
    async def run():
        session = BrowserSession(ScanConfig(output_dir=tmp_path, host_rules=hostile_web.host_rules,
                                            ignore_https_errors=True, screenshots=False), find_browser())
        EXTRA_COLLECTORS.append(_CrashOnLoad)
        try:
            crashed = await session.visit(VisitJob(9, "baseline", 0, "https://www.new-owner.de/welcome.html?crash=1"))
            after = await session.visit(VisitJob(9, "baseline", 1, "https://www.new-owner.de/welcome.html", last=True))
        finally:
            EXTRA_COLLECTORS.remove(_CrashOnLoad)
            await session.close()
        return crashed, after

    crashed, after = asyncio.run(run())
    kinds = {e.kind for e in crashed.evidence if isinstance(e, ErrorRecord)}
    assert "crash" in kinds and crashed.visit.status == "error"
    assert any(isinstance(r, RequestRecord) for r in crashed.evidence)  # what it did before is kept
    assert after.visit.status == "ok" and after.visit.title == "Welcome"


def test_browser_crash_mid_scan_restarts_the_phase(testweb, tmp_path, spawn):
    args = [sys.executable, "-m", "leakmap", "scan", "https://www.harbourside-dental.co.uk/", "https://www.ledgerly.io/",
            "-o", str(tmp_path), "--host-rules", testweb.host_rules, "--ignore-https-errors", "--pages", "2",
            "--concurrency", "2", "--no-screenshots"]
    scan = spawn(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = tmp_path / "leakmap.db"
    wait_for_visits(db, 3, scan, timeout=200)
    browser = next(pid for pid in children(scan.pid) if "--remote-debugging-port" in open(f"/proc/{pid}/cmdline").read())
    os.kill(browser, signal.SIGKILL)
    out, err = scan.communicate(timeout=400)
    assert scan.returncode == 0, err[-2000:]  # the audit is complete despite the crash
    store = Store(db)
    crashes = list(store.db.query("select * from errors where kind = 'crash'"))
    assert crashes and "starts again" in crashes[0]["message"]
    # seen as a crash at once by every visit it broke, never waited out as a wedged browser
    assert not [c["message"] for c in crashes if "stopped answering" in c["message"]]
    assert_phases_whole(store.db)

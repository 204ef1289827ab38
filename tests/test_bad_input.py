"""What users get wrong and what sites do wrong.

Bad input to the command stops it with exit code 2 and one clear line; a
broken site is recorded as errors on its visits while the scan goes on
for the other sites and exits 0.
"""

from __future__ import annotations

import textwrap

import pytest

from leakmap.store import Store
from tests.scan_checks import run_leakmap as leakmap
from tests.web.server import Response, TestWeb


@pytest.mark.parametrize("url, message", [
    ("www.example.com", "give it with its scheme"),
    ("ftp://example.com/", "unsupported scheme 'ftp'"),
    ("javascript:alert(1)", "not a URL"),
    ("https://exa mple.com/", "no valid host"),
])
def test_bad_url_exits_2_with_one_line(url, message, tmp_path):
    proc = leakmap("scan", url, "-o", str(tmp_path))
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("leakmap: error:") and message in lines[0], proc.stderr


def test_no_url_exits_2(tmp_path):
    proc = leakmap("scan", "-o", str(tmp_path))
    assert proc.returncode == 2 and "give at least one URL" in proc.stderr


def test_missing_browser_exits_2(tmp_path):
    proc = leakmap("scan", "https://www.example.com/", "-o", str(tmp_path), env={"LEAKMAP_BROWSER": "/nonexistent/chrome"})
    assert proc.returncode == 2
    assert "browser not found or not executable: /nonexistent/chrome" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


BROKEN = {
    "www.fine-site.fr/index.html": "<!doctype html><title>Fine</title><p>fine</p>",
    "www.server-error.fr/index.html": "unused",
    "www.only-json.fr/data.json": '{"not": "html"}',
    "www.dialogs.fr/index.html": """<!doctype html><title>Dialogs</title>
        <div role="dialog"><p>We use cookies.</p><button id="ok">Accept all</button></div>
        <script>
        alert('hello'); confirm('sure?'); prompt('name?');
        // the ad opens with the visitor's click (browsers block popups without one)
        document.getElementById('ok').onclick = () => { document.cookie = 'ok=1'; window.open('https://www.fine-site.fr/', '_blank'); };
        addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = 'stay'; });
        </script><p>dialogs</p>""",
    "www.download.fr/index.html": """<!doctype html><title>Download</title>
        <a id="d" href="/file.bin" download>get</a><script>document.getElementById('d').click()</script>""",
    "www.download.fr/file.bin": "binary",
    "www.never-loads.fr/index.html": "<!doctype html><title>Slow</title><img src='/hang.gif'><p>waiting</p>",
}


@pytest.fixture(scope="module")
def broken_web(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken-web")
    for path, body in BROKEN.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(body))
    web = TestWeb(root)
    web.endpoints[("www.server-error.fr", "/")] = lambda request: Response(500, "<h1>Internal error</h1>")
    web.endpoints[("www.never-loads.fr", "/hang.gif")] = lambda request: Response(hold=True)  # never answered
    with web:
        yield web


@pytest.fixture(scope="module")
def broken_scan(broken_web, tmp_path_factory):
    out = tmp_path_factory.mktemp("broken-out")
    rules = f"MAP www.nowhere-at-all.fr 127.0.0.1:1, {broken_web.host_rules}"  # first match wins
    # the dialogs page's accept visit (dialogs, consent click, reload, more dialogs) needs about 8 s
    # here, so 12 leaves room on a slower machine (and leakmap stretches it on a loaded one)
    proc = leakmap("scan", "https://www.nowhere-at-all.fr/", "https://www.server-error.fr/",
                   "https://www.only-json.fr/data.json", "https://www.dialogs.fr/", "https://www.download.fr/",
                   "https://www.never-loads.fr/", "https://www.fine-site.fr/",
                   "-o", str(out), "--host-rules", rules, "--ignore-https-errors", "--phases", "baseline,accept",
                   "--page-timeout", "12", "--pages", "1")
    tls = leakmap("scan", "https://www.fine-site.fr/", "-o", str(out / "tls"), "--host-rules", broken_web.host_rules,
                  "--phases", "baseline", "--pages", "1")
    return proc, Store(out / "leakmap.db"), tls, Store(out / "tls" / "leakmap.db")


def errors_of(store: Store, start: str) -> dict[str, str]:
    site = next(store.db.query("select id from sites where start_url = ?", [start]))
    return {e["kind"]: e["message"] for e in store.db.query("select * from errors where site_id = ?", [site["id"]])}


def test_the_scan_goes_on_and_exits_0(broken_scan):
    proc, store, _, _ = broken_scan
    assert proc.returncode == 0, proc.stderr
    fine = next(store.db.query("select * from sites where start_url = 'https://www.fine-site.fr/'"))
    assert fine["status"] == "done"
    assert store.db.execute("select count(*) from visits where site_id = ?", [fine["id"]]).fetchone()[0] == 2
    assert "ERR_CONNECTION_REFUSED" in proc.stdout  # errors are shown in the summary


def test_unreachable_site(broken_scan):
    _, store, _, _ = broken_scan
    errors = errors_of(store, "https://www.nowhere-at-all.fr/")
    assert "ERR_CONNECTION_REFUSED" in errors["navigation"]
    site = next(store.db.query("select * from sites where start_url = 'https://www.nowhere-at-all.fr/'"))
    assert site["status"] == "failed"


def test_http_error(broken_scan):
    errors = errors_of(broken_scan[1], "https://www.server-error.fr/")
    assert errors["http-error"].startswith("HTTP 500")


def test_non_html_start_page(broken_scan):
    errors = errors_of(broken_scan[1], "https://www.only-json.fr/data.json")
    assert "not HTML (application/json)" in errors["not-html"]


def test_dialogs_and_popups(broken_scan):
    store = broken_scan[1]
    site = next(store.db.query("select id from sites where start_url = 'https://www.dialogs.fr/'"))
    rows = list(store.db.query("select kind, message from errors where site_id = ?", [site["id"]]))
    messages = [r["message"] for r in rows if r["kind"] == "dialog"]
    assert any(m.startswith("alert: hello") for m in messages)
    assert any(m.startswith("confirm: sure?") for m in messages)
    assert any(m.startswith("prompt: name?") for m in messages)
    assert any(m.startswith("beforeunload") for m in messages)
    assert any(r["kind"] == "popup" for r in rows)
    # what the window it opened sent is part of the visit, from its very first request
    popup = list(store.db.query("select phase, target_type from requests where site_id = ? and url = ?",
                                [site["id"], "https://www.fine-site.fr/"]))
    assert popup == [{"phase": "accept", "target_type": "page"}]


def test_download(broken_scan):
    errors = errors_of(broken_scan[1], "https://www.download.fr/")
    assert "file.bin" in errors["download"]


def test_page_that_never_finishes_loading(broken_scan):
    """Audited from DOMContentLoaded: its visits end on their own, say the load never finished, and
    keep the image the server never answered as an open request."""
    store = broken_scan[1]
    errors = errors_of(store, "https://www.never-loads.fr/")
    assert "timeout" not in errors and "hang.gif" in errors["load-incomplete"]
    visits = list(store.db.query("select v.* from visits v join sites s on s.id = v.site_id "
                                 "where s.start_url = 'https://www.never-loads.fr/'"))
    assert {v["phase"]: v["status"] for v in visits} == {"baseline": "ok", "accept": "ok"}
    for visit in visits:
        hang = list(store.db.query("select status, still_open from requests where visit_id = ? and url like "
                                   "'%hang.gif'", [visit["id"]]))
        assert hang == [{"status": None, "still_open": 1}], visit["phase"]


def test_tls_failure_without_ignore_https_errors(broken_scan):
    _, _, proc, store = broken_scan
    assert proc.returncode == 0
    errors = errors_of(store, "https://www.fine-site.fr/")
    assert "ERR_CERT" in errors["navigation"] and "--ignore-https-errors" in errors["navigation"]

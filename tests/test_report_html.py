"""report.html opened in headless Chromium: its sections render, it works offline (no request
but the file itself and data: URIs), its own script runs under its Content-Security-Policy, and
nothing a crawled page controlled (titles, cookie names and values, URLs, error messages,
consent button texts) runs as script or becomes a javascript: link."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from leakmap import workflow
from leakmap.crawler.browser import find_browser
from leakmap.report import render
from leakmap.report.html import image_uri
from tests.report_store import XSS, build, knowledge

# set before any page script: records what an injected script or handler would do
WATCH = """
window.__pwned = undefined;
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
"""


@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory):
    root = tmp_path_factory.mktemp("html")
    fixed = build(root / "out" / "leakmap.db", hostile=True)
    fixed.store.close()
    report, _ = workflow.report(root / "out" / "leakmap.db", kb=knowledge(root / "no-lists"))
    path = root / "out" / "report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def page(hostile_html):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_browser(None)))
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.add_init_script(WATCH)
        dialogs, requests = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(hostile_html.as_uri())
        page.wait_for_load_state("load")
        page.dialogs, page.requests = dialogs, requests  # type: ignore[attr-defined]
        yield page
        browser.close()


def test_sections_render(page):
    assert page.locator("#verdict h2").inner_text() == "Verdict"
    assert page.get_by_test_id("high-count").inner_text() == "5"
    assert page.get_by_test_id("before-count").inner_text() == "4"
    assert page.get_by_test_id("reject-count").inner_text() == "1"
    assert page.locator("#matrix table.matrix tbody tr").count() == 6  # vendors across the two sites
    assert page.locator("section.site").count() == 2
    shop = page.locator("section.site").first
    assert shop.locator("table.consent tbody tr").count() == 3
    assert "purposes: 1, 2, 3, 4" in shop.locator("table.consent").inner_text()
    assert {t.get_attribute("data-phase") for t in shop.locator("table.parties").all()} == {"baseline", "accept", "reject"}
    assert "Meta Platforms, Inc." in shop.locator("table.parties[data-phase=baseline]").inner_text()
    assert shop.locator("details.finding").count() == 6
    first = shop.locator("details.finding").first
    first.locator("> summary").click()
    assert "Why it matters" in first.inner_text() and "What to do" in first.inner_text()
    assert shop.locator("svg.graph .node").count() >= 4
    assert page.locator("section.site").nth(1).locator("details.finding").count() == 2


def test_screenshots_embedded_and_nothing_outside_the_store(page):
    images = page.locator(".shots img")
    assert images.count() == 3
    assert all(src.startswith("data:image/png;base64,") for src in
               (img.get_attribute("src") for img in images.all()))
    assert page.evaluate("Array.from(document.querySelectorAll('.shots img')).every(i => i.naturalWidth === 2)")
    assert "screenshot file missing: ../outside.png" in page.locator(".shots").first.inner_text()


def test_opens_offline_with_its_own_script(page):
    assert all(url.startswith(("file://", "data:")) for url in page.requests), page.requests
    assert page.evaluate("document.documentElement.getAttribute('data-report-script')") == "ran"
    node = page.locator("svg.graph .node").nth(1)
    node.hover()
    assert page.locator("svg.graph.focus").count() == 1 and page.locator("svg.graph .edge.hl").count() >= 1
    page.locator("input[value=reject]").first.check()
    hidden = page.evaluate("Array.from(document.querySelectorAll('svg.graph')[0].querySelectorAll('.node'))"
                           ".filter(n => getComputedStyle(n).display === 'none').length")
    assert hidden >= 1  # the phase filter hides parties absent from the reject phase
    page.locator("input[value=all]").first.check()


def test_crawled_content_never_runs(page):
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")
    for node in page.locator("svg.graph .node").all()[:5]:
        node.hover()
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    assert page.evaluate("window.__violations") == []  # nothing injected even tried to run or load
    text = page.locator("body").inner_text()
    for key in ("title", "cookie", "button"):
        assert XSS[key] in text, key  # shown as text
    assert page.locator("a[href^='javascript:' i]").count() == 0
    assert page.locator("img[src='x'], svg[onload], [onerror]").count() == 0


def test_image_uri_refuses_paths_outside_the_store(tmp_path):
    store_dir = tmp_path / "out"
    store_dir.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG not really")
    (store_dir / "notes.txt").write_text("text")
    assert image_uri(store_dir, "../secret.png") is None
    assert image_uri(store_dir, str(tmp_path / "secret.png")) is None
    assert image_uri(store_dir, "notes.txt") is None

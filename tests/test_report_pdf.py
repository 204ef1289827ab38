"""``leakmap report --format pdf``: the HTML report printed by leakmap's Chromium, read back with
pypdf: a first page for the verdict, each site from a new page, and the scan's metadata with the
page number in every page's footer."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from leakmap import workflow
from leakmap.cli import main
from leakmap.report.pdf import write_pdf
from tests.report_store import NEWS, SHOP, build


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pdf")
    fixed = build(tmp / "leakmap.db")
    fixed.store.close()
    report, _ = workflow.report(tmp / "leakmap.db")
    path = write_pdf(report, tmp / "report.pdf")
    return report, [words(p.extract_text()) for p in PdfReader(path).pages]


def test_every_page_carries_the_scan_and_its_number(printed):
    report, pages = printed
    assert len(pages) >= 3  # the verdict, then a page (or more) per site
    for n, text in enumerate(pages, 1):
        assert f"scan {report.scan['id']} (scan) of 2 sites, started {report.scan['started_at']}" in text, n
        assert f"page {n} of {len(pages)}" in text and "knowledge easylist" in text, n


def test_each_site_starts_a_page_with_its_sections(printed):
    _, pages = printed
    assert pages[0].startswith("leakmap report") and "Verdict" in pages[0]
    starts = [next(i for i, text in enumerate(pages) if text.startswith(url)) for url in (SHOP, NEWS)]
    assert 0 < starts[0] < starts[1]
    shop = " ".join(pages[starts[0]:starts[1]])
    # the consent record, the screenshots, the declaration section and the findings, opened
    for heading in ("Consent record", "Screenshots", "Cookie declaration", "Findings", "What to do:"):
        assert heading in shop, heading
    assert "full evidence" not in shop and '"initiator"' not in shop  # the raw JSON is left out


def test_report_command_writes_the_pdf(tmp_path):
    fixed = build(tmp_path / "leakmap.db")
    fixed.store.close()
    result = CliRunner().invoke(main, ["report", str(tmp_path / "leakmap.db"), "-o", str(tmp_path / "out"),
                                       "--format", "json,pdf"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.json", "report.pdf"]
    assert (tmp_path / "out" / "report.pdf").read_bytes().startswith(b"%PDF-")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "leakmap.db"), "-o", str(tmp_path / "out"),
                                       "--format", "pdf", "--browser", str(tmp_path / "no-chrome")])
    assert result.exit_code == 2 and "browser not found" in result.output

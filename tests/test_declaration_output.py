"""``leakmap declaration DB``: the four formats, the JSON against its shipped schema, labels in the
scan's locale, values never written, page-controlled text escaped (HTML) or defused (CSV)."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
from click.testing import CliRunner

from leakmap import records as r
from leakmap.cli import main
from leakmap.declaration.document import schema
from tests.analysis_store import CLICK, DAY, StoreBuilder, cookie

SITE = "https://www.maison-exemple.fr/"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"
SECRET = "GA1.1.7123649219.1790000000"  # a value: it must appear in no output
HOSTILE = '<script>window.__pwned="name"</script>'
FORMULA = "=2+5+cmd|A0"  # a spreadsheet formula, as a cookie name


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("declaration")
    b = StoreBuilder(tmp / "leakmap.db", config={"locale": "de-DE"})
    b.consent("accept")
    tables = ("<h2>Statistik</h2><table><tr><th>Name</th><th>Zweck</th><th>Speicherdauer</th></tr>"
              f"<tr><td>_ga</td><td>Google Analytics</td><td>1 Jahr</td></tr>"
              f"<tr><td>_gid</td><td>Google Analytics</td><td>24 Stunden</td></tr>"
              f"<tr><td>{FORMULA}</td><td>{HOSTILE}</td><td>1 Tag</td></tr></table>")
    b.visit("accept", [
        r.DeclarationRecord(kind="links", url=SITE, details={"policy_pages": [SITE + "datenschutz.html"], "links": []}),
        cookie("_ga", SECRET, CLICK + 1, host="www.maison-exemple.fr", domain="maison-exemple.fr", origin="js",
               script_url=GTAG + "&cid=" + SECRET, lifetime=730 * DAY),
        cookie(HOSTILE, "v4lue-" + SECRET, CLICK + 1, host="www.maison-exemple.fr", lifetime=None),
        cookie("_fbp", "fb.1.1790000003100.4941233738", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url="https://connect.facebook.net/en_US/fbevents.js",
               lifetime=90 * DAY),
    ])
    b.store.add(r.DeclarationRecord(site_id=b.site_id, kind="policy-page", url=SITE + "datenschutz.html",
                                    content=tables, status=200))
    b.store.end_scan(b.scan_id)
    b.store.close()
    result = CliRunner().invoke(main, ["declaration", str(tmp / "leakmap.db"), "-o", str(tmp / "out")])
    assert result.exit_code == 0, result.output
    return tmp / "out"


def test_json_follows_its_schema(out):
    doc = json.loads((out / "declaration.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(doc, schema(), format_checker=jsonschema.FormatChecker())
    assert doc["schema"] == "leakmap.declaration/1" and doc["scan"]["locale"] == "de-DE"
    [site] = doc["sites"]
    rows = {c["name"]: c for c in site["cookies"]}
    ga = rows["_ga"]
    assert (ga["type"], ga["party"], ga["provider"], ga["purpose"], ga["declared"]) == \
        ("JS cookie", "first", "Google LLC", "analytics", True)
    assert (ga["lifetime_days"], ga["moments"], ga["declared_lifetime"]) == (730.0, ["after-accept"], "1 Jahr")
    assert ga["declared_by"] == [f"{SITE}datenschutz.html (table 1, row 1)"] and ga["setter"] == \
        "https://www.googletagmanager.com/gtag/js"  # no query: it may carry values
    assert rows["_fbp"]["declared"] is False and rows["_fbp"]["non_essential"] is True
    assert [d["name"] for d in site["declared_not_observed"]] == ["_gid", FORMULA]
    assert {f["rule"] for f in site["findings"]} == {"cookie-undeclared", "cookie-lifetime-mismatch"}


def test_values_appear_nowhere(out):
    for fmt in ("html", "md", "csv", "json"):
        text = (out / f"declaration.{fmt}").read_text()
        assert SECRET not in text and "4941233738" not in text, fmt


def test_html_escapes_page_controlled_text_and_speaks_the_scan_locale(out):
    html = (out / "declaration.html").read_text()
    assert HOSTILE not in html and "&lt;script&gt;window.__pwned" in html
    assert "script-src" not in html and "default-src &#39;none&#39;" in html  # no script may run at all
    # German labels where the vocabulary has them (scan --locale de-DE)
    assert ">Statistik</h4>" in html and "<th>Speicherdauer</th>" in html and "<th>Anbieter</th>" in html


def test_csv_cells_never_run_as_formulas(out):
    rows = list(csv.DictReader(io.StringIO((out / "declaration.csv").read_text())))
    names = [row["name"] for row in rows]
    assert "'" + FORMULA in names and FORMULA not in names
    assert {row["status"] for row in rows} == {"observed", "declared-not-observed"}


def test_markdown_tables_grouped_by_purpose(out):
    md = (out / "declaration.md").read_text()
    assert "### Statistik" in md and "| _ga | Google LLC |" in md and "### Werbung" in md
    assert "Declared, not observed" in md and "`_gid`" in md


def test_one_site_and_errors(out, tmp_path):
    db = out.parent / "leakmap.db"
    result = CliRunner().invoke(main, ["declaration", str(db), "-o", str(tmp_path), "--site", "maison-exemple.fr",
                                       "--format", "json"])
    assert result.exit_code == 0 and [p.name for p in tmp_path.iterdir()] == ["declaration.json"]
    result = CliRunner().invoke(main, ["declaration", str(db), "-o", str(tmp_path), "--site", "https://other.example/"])
    assert result.exit_code == 2 and "no site https://other.example/" in result.output
    result = CliRunner().invoke(main, ["declaration", str(tmp_path / "missing.db")])
    assert result.exit_code == 2 and "no such store" in result.output
    result = CliRunner().invoke(main, ["declaration", str(db), "--format", "pdf"])
    assert result.exit_code == 2 and "choose among html, md, csv, json" in result.output

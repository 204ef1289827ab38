"""End to end: ``leakmap scan --phases baseline,accept,reject,gpc`` over the test web's Global
Privacy Control sites (their ``_expect.toml`` names ``scan_phases``), as a user runs it: third
parties per phase, the signal on the wire in the gpc phase only, ``/.well-known/gpc.json`` fetched
once per site, the findings a reviewer signs (``[findings]``), and report.json's GPC verdict."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from leakmap.blocklists import Knowledge, registrable_domain
from leakmap.store import Store
from tests.conftest import SCAN_CAP
from tests.scan_checks import finding_entry
from tests.web.cmp.build import BUNDLES
from tests.web.server import LogEntry, expectations

EXPECTATIONS = {h: e for h, e in expectations().items() if "gpc" in e.get("scan_phases", ())}
PHASES = ["baseline", "accept", "reject", "gpc"]
pytestmark = pytest.mark.timeout(SCAN_CAP)


@dataclass
class Run:
    proc: subprocess.CompletedProcess
    store: Store
    report: dict
    served: list[LogEntry]


@pytest.fixture(scope="module")
def run(testweb, tmp_path_factory) -> Run:
    assert all(b.is_file() for b in BUNDLES), "the test web's CMP bundles are missing (make test builds them)"
    assert len(EXPECTATIONS) >= 3 and all(e["scan_phases"] == PHASES for e in EXPECTATIONS.values())
    out = tmp_path_factory.mktemp("e2e-gpc")
    began = len(testweb.log)
    proc = subprocess.run(
        [sys.executable, "-m", "leakmap", "scan", *(e["start"] for e in EXPECTATIONS.values()), "-o", str(out),
         "--host-rules", testweb.host_rules, "--ignore-https-errors", "--phases", ",".join(PHASES)],
        capture_output=True, text=True, timeout=SCAN_CAP - 20)
    assert testweb.wait_idle()  # the browser is gone: every request it sent is in the log
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    return Run(proc, Store(out / "leakmap.db"), report, testweb.log[began:])


def _site(run: Run, start: str) -> dict:
    return next(run.store.db.query("select * from sites where start_url = ?", [start]))


def test_scan_runs_clean(run):
    assert run.proc.returncode == 0, run.proc.stderr[-3000:]
    assert "Global Privacy Control" in run.proc.stdout


@pytest.mark.parametrize("host", sorted(EXPECTATIONS))
def test_third_parties_per_phase(run, host):
    expect, kb = EXPECTATIONS[host], Knowledge.load()
    site = _site(run, expect["start"])
    for phase, wanted in expect["phases"].items():
        hosts = {r["host"] for r in run.store.db.query("select distinct host from requests where site_id = ? and "
                                                       "phase = ?", [site["id"], phase])}
        found = {registrable_domain(h) for h in hosts if h and not kb.is_first_party(h, site["domain"])}
        assert found == set(wanted["third_parties"]), phase


def _phases_by_cookies(run: Run, host: str) -> dict[tuple[str, str], set[str]]:
    """(path, Cookie header) -> the phases whose stored requests to the site sent exactly that:
    each phase is its own profile, so once the site has set its cookies they tell the phases apart."""
    out: dict[tuple[str, str], set[str]] = {}
    for r in run.store.db.query("select url, phase, json_extract(request_headers, '$.cookie') as cookie "
                                "from requests where host = ? and cookie is not null", [host]):
        parts = urlsplit(r["url"])
        out.setdefault((parts.path + (f"?{parts.query}" if parts.query else ""), r["cookie"]), set()).add(r["phase"])
    return out


@pytest.mark.parametrize("host", sorted(EXPECTATIONS))
def test_the_signal_is_sent_in_the_gpc_phase_only(run, host):
    """Every request the site's server got from a gpc visit carries Sec-GPC: 1; none of another
    phase's does. The phases of a site run at once, so a logged request is put in its phase by
    the profile's cookies it carried (the stored request with the same path and Cookie header)."""
    phases = _phases_by_cookies(run, host)
    seen: dict[str, set[str | None]] = {}
    for e in run.served:
        match = phases.get((e.path, e.headers.get("cookie", "")), set()) if e.host == host else set()
        if len(match) == 1:
            seen.setdefault(match.pop(), set()).add(e.headers.get("sec-gpc"))
    assert set(seen) == {"baseline", "accept", "reject", "gpc"}, seen
    assert seen["gpc"] == {"1"}, seen
    assert all(values == {None} for phase, values in seen.items() if phase != "gpc"), seen


@pytest.mark.parametrize("host", sorted(EXPECTATIONS))
def test_gpc_json_is_fetched_once(run, host):
    fetched = [e for e in run.served if e.host == host and e.path == "/.well-known/gpc.json"]
    assert len(fetched) == 1
    stored = json.loads(_site(run, EXPECTATIONS[host]["start"])["gpc_json"])
    has_file = (Path(__file__).parent / "web" / "sites" / host / ".well-known" / "gpc.json").is_file()
    assert stored["status"] == (200 if has_file else 404)
    assert (stored.get("json") == {"gpc": True, "lastUpdate": "2026-03-01"}) is has_file


@pytest.mark.parametrize("host", sorted(EXPECTATIONS))
def test_findings_a_reviewer_signs(run, host):
    expect = EXPECTATIONS[host]
    site = next(s for s in run.report["sites"] if s["start_url"] == expect["start"])
    for severity in ("high", "medium", "info"):
        found = sorted(finding_entry(f["rule"], f["domain"], f["moment"], f["evidence"]) for f in site["findings"]
                       if f["severity"] == severity)
        assert found == sorted(expect["findings"][severity]), severity


@pytest.mark.parametrize("host", sorted(EXPECTATIONS))
def test_report_gpc_verdict(run, host):
    expect = EXPECTATIONS[host]
    site = next(s for s in run.report["sites"] if s["start_url"] == expect["start"])
    verdict = site["summary"]["gpc"]
    honoured = any(e.startswith("gpc-honoured") for e in expect["findings"]["info"])
    assert verdict["verdict"] == ("honoured" if honoured else "not honoured")
    gpc = site["consent"]["gpc"]
    assert gpc["navigator_gpc"] is True and gpc["gpp"]["applicable_sections"] == [7]
    # the CMP saw the signal: its GPC subsection says so, whatever it answered
    assert gpc["gpp"]["us_opt_outs"]["usnat"]["Gpc"] is True
    assert site["consent"]["baseline"]["gpp"]["us_opt_outs"]["usnat"]["Gpc"] is False


def _finding(run: Run, host: str, rule: str) -> list[dict]:
    site = next(s for s in run.report["sites"] if s["start_url"] == EXPECTATIONS[host]["start"])
    return [f for f in site["findings"] if f["rule"] == rule]


def test_service_provider_modes_are_read_from_the_wire(run):
    """www.redwood-roasters.com keeps Google Ads and the Meta pixel under GPC, in restricted data
    processing (rdp=1) and Limited Data Use (dpo=LDU): its honoured verdict names both, with the
    vendors' documentation; without the signal its requests carry neither."""
    site = _site(run, EXPECTATIONS["www.redwood-roasters.com"]["start"])
    urls = {phase: [r["url"] for r in run.store.db.query(
        "select url from requests where site_id = ? and phase = ? and (host like '%doubleclick.net' "
        "or url like 'https://www.facebook.com/tr%')", [site["id"], phase])] for phase in ("baseline", "gpc")}
    assert urls["gpc"] and all("rdp=1" in u or "dpo=LDU&dpoco=1&dpost=1000" in u for u in urls["gpc"])
    assert urls["baseline"] and not any("rdp=" in u or "dpo=" in u for u in urls["baseline"])
    [ok] = _finding(run, "www.redwood-roasters.com", "gpc-honoured")
    modes = {(m["vendor"], m["parameter"]) for m in ok["evidence"]["service_provider"]}
    assert modes == {("Google LLC", "rdp=1"), ("Meta Platforms, Inc.", "dpo=LDU")}
    assert all(m["sources"] for m in ok["evidence"]["service_provider"])
    assert ok["evidence"]["declares_gpc"] is True and ok["evidence"]["stopped"] == []


def test_a_declared_but_ignored_signal_is_said_in_the_finding(run):
    ignored = _finding(run, "www.bayou-bookshop.com", "gpc-ignored")
    assert ignored and all("/.well-known/gpc.json declares it honours the signal" in f["title"] for f in ignored)
    assert all(f["evidence"]["statutes"][0]["cite"] == "Cal. Civ. Code § 1798.135(b)(1), (e)" for f in ignored)
    [undeclared] = _finding(run, "www.mesa-pottery.com", "gpc-honoured")
    assert undeclared["title"].endswith("not declared in /.well-known/gpc.json")


def test_what_the_gpc_visit_showed_is_stored_and_judged(run):
    """The status bar of www.redwood-roasters.com is recorded and spares it the display finding;
    www.mesa-pottery.com's status sits in a closed panel: not recorded as shown."""
    texts = {}
    for host in ("www.redwood-roasters.com", "www.mesa-pottery.com"):
        site = _site(run, EXPECTATIONS[host]["start"])
        rows = list(run.store.db.query("select phase, text, links from page_texts where site_id = ?", [site["id"]]))
        assert rows and {r["phase"] for r in rows} == {"gpc"}
        texts[host] = " ".join(r["text"] for r in rows)
        assert any("Your Privacy Choices" in r["links"] or "Do Not Sell or Share" in r["links"] for r in rows)
    assert "Opt-Out Request Honored" in texts["www.redwood-roasters.com"]
    assert "Opt-Out Request Honored" not in texts["www.mesa-pottery.com"]
    [missing] = _finding(run, "www.mesa-pottery.com", "gpc-status-not-displayed")
    assert missing["evidence"]["pages"] == [EXPECTATIONS["www.mesa-pottery.com"]["start"],
                                            EXPECTATIONS["www.mesa-pottery.com"]["start"] + "classes.html"]


def test_the_law_is_stored_with_the_scan(run):
    assert run.report["scan"]["jurisdiction"] == ["eu", "us"]
    [config] = [json.loads(r["config"]) for r in run.store.db.query("select config from scans")]
    assert config["jurisdiction"] == ["eu", "us"]

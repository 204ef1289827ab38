"""End to end: ``leakmap scan --phases baseline,accept,reject,gpc`` over the test web's Global
Privacy Control sites (their ``_expect.toml`` names ``scan_phases``), as a user runs it: third
parties per phase, the signal on the wire in the gpc phase only, ``/.well-known/gpc.json`` fetched
once per site, the findings a reviewer signs (``[findings]``), and report.json's GPC verdict."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from leakmap.blocklists import Knowledge, registrable_domain
from leakmap.store import Store
from tests.scan_checks import finding_entry
from tests.web.cmp.build import BUNDLES
from tests.web.server import LogEntry, expectations

EXPECTATIONS = {h: e for h, e in expectations().items() if "gpc" in e.get("scan_phases", ())}
PHASES = ["baseline", "accept", "reject", "gpc"]
pytestmark = pytest.mark.timeout(400)


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
        capture_output=True, text=True, timeout=380)
    time.sleep(0.5)
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

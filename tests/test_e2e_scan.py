"""End to end: ``leakmap scan`` over every fixture site of the test web, as a user runs it.

One scan process audits all sites (three phases each); the store is then
compared with each site's ``_expect.toml`` (third parties per phase, before
and after the consent action, pages found) and with the test web's own
request log (capture completeness, each request stored in a phase whose
visit was running when the server received it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from leakmap.blocklists import Knowledge, registrable_domain
from leakmap.phases import DEFAULT_PHASES
from leakmap.store import Store
from tests.conftest import SCAN_CAP
from tests.scan_checks import finding_entry
from tests.web.capture import compare
from tests.web.server import LogEntry, expectations

# sites that need an opt-in phase (``scan_phases`` in their _expect.toml) or more pages (``scan_pages``)
# get their own scan (test_e2e_gpc.py, test_e2e_unfinished.py): this one runs the default phases and pages
EXPECTATIONS = {h: e for h, e in expectations().items()
                if set(e.get("scan_phases", DEFAULT_PHASES)) <= set(DEFAULT_PHASES) and "scan_pages" not in e}
pytestmark = pytest.mark.timeout(SCAN_CAP)


@dataclass
class Run:
    proc: subprocess.CompletedProcess
    store: Store
    served: list[LogEntry]


@pytest.fixture(scope="module")
def run(testweb, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("e2e")
    starts = [e["start"] for e in EXPECTATIONS.values()]
    began = len(testweb.log)
    proc = subprocess.run(
        [sys.executable, "-m", "leakmap", "scan", *starts, "-o", str(out), "--host-rules", testweb.host_rules,
         "--ignore-https-errors", "--concurrency", "4"],
        capture_output=True, text=True, timeout=SCAN_CAP - 20,
    )
    assert testweb.wait_idle()  # the browser is gone: every request it sent is in the log
    return Run(proc, Store(out / "leakmap.db"), testweb.log[began:])


def site_row(run: Run, start: str) -> dict:
    return next(run.store.db.query("select * from sites where start_url = ?", [start]))


def third_parties(run: Run, site: dict, phase: str, before_consent: bool | None = None) -> set[str]:
    """Registrable domains of the third parties the phase's requests reached (before or after its
    consent action only, when asked)."""
    kb = Knowledge.load()
    where = "site_id = ? and phase = ?" + ("" if before_consent is None else " and before_consent = ?")
    params = [site["id"], phase] + ([] if before_consent is None else [int(before_consent)])
    hosts = {row["host"] for row in run.store.db.query(f"select distinct host from requests where {where}", params)}
    return {registrable_domain(h) for h in hosts if h and not kb.is_first_party(h, site["domain"])}


def test_scan_runs_clean(run):
    assert run.proc.returncode == 0, run.proc.stderr[-3000:]
    for expect in EXPECTATIONS.values():
        assert expect["start"] in run.proc.stdout  # the summary names every site
    assert "requests to third parties per phase" in run.proc.stdout


@pytest.mark.parametrize("host", sorted(EXPECTATIONS))
def test_third_parties_per_phase(run, host):
    expect = EXPECTATIONS[host]
    site = site_row(run, expect["start"])
    for phase, wanted in expect["phases"].items():
        if phase not in DEFAULT_PHASES:  # an opt-in phase this scan does not run (test_e2e_withdraw runs it)
            continue
        assert third_parties(run, site, phase) == set(wanted["third_parties"]), phase
        if "before_action" in wanted:
            assert third_parties(run, site, phase, before_consent=True) == set(wanted["before_action"]), phase
        if "after_action" in wanted:
            assert third_parties(run, site, phase, before_consent=False) == set(wanted["after_action"]), phase


@pytest.mark.parametrize("host", sorted(h for h, e in EXPECTATIONS.items() if e.get("pages")))
def test_pages_found(run, host):
    expect = EXPECTATIONS[host]
    site = site_row(run, expect["start"])
    pages = {urlsplit(u).path for u in json.loads(site["pages"])}
    assert set(expect["pages"]) <= pages
    for phase in ("baseline", "accept", "reject"):  # the same list in every phase
        visited = {urlsplit(r["url"]).path for r in run.store.db.query(
            "select url from visits where site_id = ? and phase = ?", [site["id"], phase])}
        assert visited == pages, phase


@pytest.mark.parametrize("host", sorted(h for h, e in EXPECTATIONS.items() if e.get("banner")))
def test_consent_actions_verified(run, host):
    site = site_row(run, EXPECTATIONS[host]["start"])
    rows = {r["phase"]: r for r in run.store.db.query("select * from consent where site_id = ?", [site["id"]])}
    want = EXPECTATIONS[host].get("consent", {})
    for phase in ("accept", "reject"):
        verified = int(want.get(f"{phase}_verified", True))
        assert rows[phase]["verified"] == verified, (phase, rows[phase]["error"], rows[phase]["details"])
        assert (rows[phase]["time"] is not None) == want.get(f"{phase}_success", True)  # a pay-or-OK wall: no reject
    assert rows["baseline"]["banner_found"] == 1 and rows["baseline"]["action"] == "none"


def test_banner_free_sites_are_recorded_as_such(run):
    for host, expect in EXPECTATIONS.items():
        if expect.get("banner"):
            continue
        site = site_row(run, expect["start"])
        rows = list(run.store.db.query("select * from consent where site_id = ?", [site["id"]]))
        assert rows and not any(r["banner_found"] for r in rows), host
        assert not any(r["verified"] for r in rows), host  # nothing clicked, nothing claimed


def test_every_request_the_server_saw_is_stored_in_its_phase(run):
    capture = compare(run.store.path, run.served)
    assert capture.total > 300
    assert capture.ratio >= 0.99, (len(capture.missing), len(capture.misplaced), capture.total, capture.missing,
                                   capture.misplaced)


def test_the_beacon_sent_while_the_consent_click_reloads_the_page_is_stored_after_it(run):
    """www.fernhill-garden-centre.co.uk: the banner's answer reloads the page, and Clarity, running
    since the page loaded, beacons as it unloads. After "reject all" (Clarity is then no longer
    loaded) that beacon is the phase's one request to Clarity after the click; after "accept all"
    the landing page's three documents each beacon once after the click (the click's reload,
    leakmap's own reload, the close)."""
    site = site_row(run, EXPECTATIONS["www.fernhill-garden-centre.co.uk"]["start"])
    for phase, count in (("reject", 1), ("accept", 3)):
        beacons = list(run.store.db.query(
            "select r.before_consent, r.t_consent, r.resource_type from requests r join visits v on v.id = r.visit_id "
            "where r.site_id = ? and r.phase = ? and v.seq = 0 and r.url = 'https://k.clarity.ms/collect' "
            "and r.resource_type = 'Ping'", [site["id"], phase]))
        assert len(beacons) == count, (phase, beacons)
        assert all(b["before_consent"] == 0 and b["t_consent"] >= 0 for b in beacons), (phase, beacons)


def stored_findings(run: Run, site: dict) -> dict[str, list[str]]:
    """severity -> sorted "rule subject moment" of the site's stored findings."""
    out: dict[str, list[str]] = {"high": [], "medium": [], "info": []}
    for f in run.store.db.query("select rule, severity, domain, moment, evidence from findings where site_id = ?",
                                [site["id"]]):
        out[f["severity"]].append(finding_entry(f["rule"], f["domain"], f["moment"], json.loads(f["evidence"])))
    return {k: sorted(v) for k, v in out.items()}


def test_every_fixture_site_states_the_findings_a_reviewer_signs():
    # those with an opt-in phase are scanned and compared in their own module (scan_phases)
    assert [h for h, e in expectations().items() if "findings" not in e] == []


@pytest.mark.parametrize("host", sorted(h for h, e in EXPECTATIONS.items() if "findings" in e))
def test_findings_are_the_ones_a_reviewer_signs(run, host):
    # one finding per fact: a duplicate entry in the store shows up twice here and fails
    expect = EXPECTATIONS[host]
    got = stored_findings(run, site_row(run, expect["start"]))
    want = {sev: sorted(expect["findings"].get(sev, [])) for sev in ("high", "medium", "info")}
    assert got == want

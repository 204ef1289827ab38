"""End to end: ``leakmap scan --phases baseline,accept,reject,withdraw`` over the fixture sites
whose ``scan_phases`` name the opt-in withdraw phase, as a user runs it.

The store is compared with each site's ``_expect.toml``: third parties per phase (in the withdraw
phase also before the accept click and after the withdrawal); the findings are exactly the
site's ``[findings]`` (one per fact: "RULE SUBJECT MOMENT"). The reports know the phase:
``report.json`` validates against its schema and carries the withdrawal under the phase's
consent, the Markdown summary counts the high findings after the withdrawal, the withdraw
phase's HAR marks each request's moment, the gate fails on the high findings after the
withdrawal (a withdrawal that found no way to reopen is a finding, not a failed audit), and a
baseline of them passes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from leakmap import workflow
from leakmap.blocklists import Knowledge, registrable_domain
from leakmap.phases import AFTER_WITHDRAWAL, PHASE_OF
from leakmap.report import baseline, render
from leakmap.report.policy import Policy
from leakmap.store import Store
from tests.conftest import SCAN_CAP
from tests.report_store import validate_report
from tests.scan_checks import finding_entry, run_leakmap
from tests.web.server import expectations

SITES = {h: e for h, e in expectations().items() if "withdraw" in e.get("scan_phases", ())}
PHASES = ("baseline", "accept", "reject", "withdraw")
pytestmark = pytest.mark.timeout(SCAN_CAP)


@dataclass
class Run:
    out: Path
    store: Store
    stdout: str


@pytest.fixture(scope="module")
def run(testweb, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("e2e-withdraw")
    proc = run_leakmap("scan", *(e["start"] for e in SITES.values()), "-o", str(out), "--host-rules",
                       testweb.host_rules, "--ignore-https-errors", "--concurrency", "3", "--phases", ",".join(PHASES),
                       timeout=SCAN_CAP - 20)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Run(out, Store(out / "leakmap.db"), proc.stdout)


def site_id(run: Run, host: str) -> int:
    return next(run.store.db.query("select id from sites where start_url = ?", [SITES[host]["start"]]))["id"]


def parties(run: Run, host: str, phase: str, where: str = "1") -> set[str]:
    kb = Knowledge.load()
    hosts = {r["host"] for r in run.store.db.query(
        f"select distinct host from requests where site_id = ? and phase = ? and {where}", [site_id(run, host), phase])}
    own = registrable_domain(host)
    return {registrable_domain(h) for h in hosts if h and not kb.is_first_party(h, own)}


def test_fixture_sites():
    assert len(SITES) == 7 and all(e["phases"].get("withdraw") for e in SITES.values())


@pytest.mark.parametrize("host", sorted(SITES))
def test_third_parties_per_phase_and_after_the_withdrawal(run, host):
    for phase, wanted in SITES[host]["phases"].items():
        assert parties(run, host, phase) == set(wanted["third_parties"]), phase
        if "before_action" in wanted:
            assert parties(run, host, phase, "before_consent = 1") == set(wanted["before_action"]), phase
    after = SITES[host]["phases"]["withdraw"]["after_withdrawal"]
    assert parties(run, host, "withdraw", "actions_before = 2") == set(after)
    # the withdrawal happened on the middle page of the list
    row = next(run.store.db.query("select * from consent where site_id = ? and action = 'withdraw'",
                                  [site_id(run, host)]))
    pages = json.loads(run.store.db["sites"].get(site_id(run, host))["pages"])
    assert run.store.db["visits"].get(row["visit_id"])["seq"] == PHASE_OF["withdraw"].later[0].seq(len(pages)) == 1


@pytest.mark.parametrize("host", sorted(SITES))
def test_findings_are_the_ones_a_reviewer_signs(run, host):
    doc = validate_report((run.out / "report.json").read_text())
    site = next(s for s in doc["sites"] if s["start_url"] == SITES[host]["start"])
    got: dict[str, list[str]] = {"high": [], "medium": [], "info": []}
    for f in site["findings"]:
        got[f["severity"]].append(finding_entry(f["rule"], f["domain"], f["moment"], f["evidence"]))
    for severity, wanted in SITES[host]["findings"].items():
        assert sorted(got[severity]) == sorted(wanted), severity
    # the withdrawal in the report: under the phase's consent, after its accept
    withdraw = site["consent"]["withdraw"]
    assert withdraw["action"] == "accept" and [c["action"] for c in withdraw["later"]] == ["withdraw"]
    later = withdraw["later"][0]
    assert later["reopen"]["means"] == SITES[host]["consent"]["withdraw_reopen"]
    assert later["steps"] == SITES[host]["consent"]["withdraw_steps"] and later["verified"]
    high_after = sum(1 for e in SITES[host]["findings"]["high"] if e.endswith(AFTER_WITHDRAWAL))
    assert site["summary"]["after_withdrawal"]["high"] == high_after


def test_reports_know_the_phase(run):
    report, verdict = workflow.report(run.out / "leakmap.db", policy=Policy(require_verified_consent=True))
    # the audit ran: no way to reopen the choice is a finding (withdrawal-not-found), not a problem
    assert verdict.problems == []
    failing = {(s.domain, f.rule) for s, f in report.findings() if f.gate == "fail"}
    assert failing == {("fromagerie-des-alpages.fr", "tracking-after-withdrawal"),
                       ("fromagerie-des-alpages.fr", "cookie-after-withdrawal")}
    # a baseline of today's findings accepts them on the next run
    ids = {f["id"] for f in baseline.document(report)["findings"]}
    again, verdict = workflow.report(run.out / "leakmap.db", baseline=ids)
    assert verdict.exit_code == 0 and all(f.gate == "baselined" for _, f in again.findings())
    md = render(report, "md")
    assert "| high after consent was withdrawn |" in md
    found = sum(e["consent"]["withdraw_found"] for e in SITES.values())  # shannon-surf-school.ie: not found
    assert md.count("withdraw verified (then withdraw verified)") == found == len(SITES) - 1
    assert md.count("withdraw verified (then withdraw no visible way)") == 1
    junit = render(report, "junit")
    assert 'name="tracking-after-withdrawal"' in junit and 'name="withdrawal-not-found"' in junit
    html = render(report, "html")
    assert "reopened by the floating button" in html and "no visible way" in html
    assert "after consent was withdrawn" in run.stdout  # the terminal summary counts them


def test_the_withdraw_har_marks_each_moment(run):
    host = "www.fromagerie-des-alpages.fr"
    [har] = run.out.glob(f"har/*{host}-withdraw.har")
    entries = json.loads(har.read_text())["log"]["entries"]
    moments = {e["_moment"] for e in entries}
    assert moments == {"before-consent", "after-accept", AFTER_WITHDRAWAL}
    after = {registrable_domain(e["request"]["url"].split("/")[2]) for e in entries if e["_moment"] == AFTER_WITHDRAWAL}
    assert set(SITES[host]["phases"]["withdraw"]["after_withdrawal"]) <= after
    assert all(e["_t_consent"] >= 0 for e in entries if e["_moment"] == AFTER_WITHDRAWAL)


def test_one_page_withdraws_on_the_landing_page_after_accepting(testweb, tmp_path):
    # --pages 1, the withdraw phase alone (it leads the site's discovery): accept, then withdraw, on
    # the one page; its rows stand in the three moments, split at the two deciding clicks
    host = "www.bergkaffee-roesterei.de"
    proc = run_leakmap("scan", SITES[host]["start"], "-o", str(tmp_path), "--host-rules", testweb.host_rules,
                       "--ignore-https-errors", "--phases", "withdraw", "--pages", "1", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    db = Store(tmp_path / "leakmap.db").db
    [visit] = db.query("select * from visits")
    accept, withdraw = db.query("select * from consent order by id")
    assert (accept["action"], withdraw["action"]) == ("accept", "withdraw")
    assert accept["visit_id"] == withdraw["visit_id"] == visit["id"] and visit["seq"] == 0
    assert withdraw["verified"] == 1 and withdraw["time"] > accept["time"]
    moments = {PHASE_OF["withdraw"].moment(bool(r["before_consent"]), r["actions_before"])
               for r in db.query("select before_consent, actions_before from requests")}
    assert moments == {"before-consent", "after-accept", AFTER_WITHDRAWAL}

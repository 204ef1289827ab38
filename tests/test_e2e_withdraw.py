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

How each withdrawal happened, on real consent platforms (Klaro, tarteaucitron,
vanilla-cookieconsent) and hand-written banners (the reopening control finder on small pages is in
test_consent_pages), is checked in the same store (the scan's withdraw phase is the spider's:
landing page: accept; the middle page: browsed, then the choice withdrawn; the last page):

- the withdraw row says how the choice was reopened (``withdraw_reopen``: link, button,
  floating-button, api; ``withdraw_reopen_text`` / ``withdraw_reopen_call``; ``withdraw_found``: a
  visitor could), where the control was (``withdraw_where``: the page of the withdrawal unless
  said, the landing page, the cookie policy page; each navigation there a step), the pages looked
  at (``withdraw_looked_at``, paths), the method, the steps (the reopening click and navigations
  included) and the verdict, with every step timed;
- the platform's record in the profile's jar when the phase ended holds the refusal
  (``withdraw_stored``), and the cookies it deletes (``withdraw_deleted``) are in the jar before
  and gone right after;
- the withdrawal page's rows are split at the deciding click: before it after "accept all", after
  it after the withdrawal, which is the moment of every row of the last page.

``[consent]`` keys, besides those of test_consent_cmps: ``withdraw_reopen``, ``withdraw_reopen_text``,
``withdraw_reopen_call``, ``withdraw_found``, ``withdraw_where``, ``withdraw_looked_at``,
``withdraw_method``, ``withdraw_steps``, ``withdraw_verified``, ``withdraw_stored``, ``withdraw_deleted``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from leakmap import workflow
from leakmap.blocklists import Knowledge, registrable_domain
from leakmap.phases import AFTER_ACCEPT, AFTER_WITHDRAWAL, PHASE_OF
from leakmap.report import baseline, render
from leakmap.report.policy import Policy
from leakmap.store import Store
from tests.conftest import SCAN_CAP
from tests.report_store import validate_report
from tests.scan_checks import finding_entry, run_leakmap
from tests.test_consent_cmps import decode_choice, matches
from tests.web.server import expectations

SITES = {h: e for h, e in expectations().items() if "withdraw" in e.get("scan_phases", ())}
PHASES = ("baseline", "accept", "reject", "withdraw")
PHASE = PHASE_OF["withdraw"]
HERE = "the page of the withdrawal"
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


def rows(run: Run, host: str) -> list[dict]:
    return [{**r, "details": json.loads(r["details"])} for r in run.store.db.query(
        "select * from consent where site_id = ? and phase = 'withdraw' order by id", [site_id(run, host)])]


def test_fixture_sites():
    assert len(SITES) == 7 and all(e["phases"].get("withdraw") for e in SITES.values())


def test_fixture_sites_cover_each_way_of_withdrawing():
    assert all("withdraw_method" in e["consent"] for e in SITES.values())
    ways = {e["consent"]["withdraw_reopen"]: e for e in SITES.values()}
    assert set(ways) == {"link", "button", "floating-button", "api"}
    assert {e["consent"].get("cmp") for e in SITES.values()} == {"Klaro", "tarteaucitron deny", "cookieconsent3", None}
    assert {e["consent"].get("withdraw_where", HERE) for e in SITES.values()} == {
        HERE, "the landing page", "the cookie policy page"}
    assert "Cookies" in {e["consent"].get("withdraw_reopen_text") for e in SITES.values()}  # its whole text
    assert any(e["phases"]["withdraw"]["after_withdrawal"] for e in SITES.values())  # tracking goes on somewhere


@pytest.mark.parametrize("host", sorted(SITES))
def test_the_withdrawal_is_recorded_as_it_happened(run, host):
    want = SITES[host]["consent"]
    accept, withdraw = rows(run, host)
    assert (accept["action"], accept["verified"]) == ("accept", 1)
    assert withdraw["action"] == "withdraw" and withdraw["error"] is None, withdraw["details"]
    details = withdraw["details"]
    reopen = details["reopen"]
    assert (reopen["means"], reopen["found"]) == (want["withdraw_reopen"], want["withdraw_found"]), reopen
    assert reopen.get("text") == want.get("withdraw_reopen_text") and reopen.get("call") == want.get("withdraw_reopen_call")
    assert (withdraw["method"], withdraw["steps"]) == (want["withdraw_method"], want["withdraw_steps"]), details
    start = SITES[host]["start"].rstrip("/")
    if reopen["found"]:  # where the visitor found it, and the pages they went through to get there
        assert reopen["where"] == want.get("withdraw_where", HERE) and reopen["page"].startswith(start)
        navigations = [s for s in details["steps_seen"] if s["tag"] == "navigation"]
        assert [n["frame"] for n in navigations] == reopen["path"] and details["navigations"] == len(reopen["path"])
    looked = [e["page"].removeprefix(start) for e in reopen["looked_at"]]
    assert looked == want.get("withdraw_looked_at", looked[:1]) and looked[0] == SITES[host]["pages"][1]
    assert withdraw["verified"] == int(want["withdraw_verified"]) and withdraw["success"] == 1
    # taken on the middle page, after the accept; timed at its deciding click, every step with its time
    pages = SITES[host]["pages"]
    visit = run.store.db["visits"].get(withdraw["visit_id"])
    assert visit["seq"] == len(pages) // 2 and withdraw["time"] > accept["time"]
    assert withdraw["time"] == details["deciding_step"]["time"] == details["steps_seen"][-1]["time"]
    # on the way: pages visited (navigate, and back: return), candidates that did nothing (tried)
    assert [s["step"] for s in details["timeline"] if s["step"] not in ("navigate", "return", "tried")] == [
        "reopen", "refuse", "verified"]
    assert len(details["steps_seen"]) == withdraw["steps"]
    # the page before, the interface reopened, and the page after
    assert withdraw["screenshot_before"] and withdraw["screenshot_after"] and details["screenshots_reopened"]
    for shot in (withdraw["screenshot_before"], withdraw["screenshot_after"], *details["screenshots_reopened"]):
        assert (run.out / shot).is_file(), shot


@pytest.mark.parametrize("host", sorted(SITES))
def test_the_refusal_is_stored_and_the_platform_deletes_what_it_should(run, host):
    want = SITES[host]["consent"]
    sid = site_id(run, host)
    last = run.store.db.execute("select max(seq) from visits where site_id = ? and phase = 'withdraw'", [sid]).fetchone()[0]
    assert last == len(SITES[host]["pages"]) - 1
    own = registrable_domain(host)
    # the site's own cookies in the phase's profile when it ended: the jar as its last visit left it
    cookies = {r["name"]: r["value"] for r in run.store.db.query(
        "select c.name, c.value, c.domain from cookie_jar c join visits v on v.id = c.visit_id "
        "where c.site_id = ? and c.phase = 'withdraw' and c.moment = 'end' and v.seq = ?", [sid, last])
        if r["domain"].lstrip(".").endswith(own)}
    for name, expected in want["withdraw_stored"].items():
        assert matches(expected, decode_choice(name, cookies[name])), (name, cookies.get(name))
    jar = {moment: {r["name"] for r in run.store.db.query(
        "select name from cookie_jar where site_id = ? and phase = 'withdraw' and moment = ?",
        [sid, moment])} for moment in ("before-withdraw", "after-withdraw")}
    tags = {n for n in jar["before-withdraw"] if n.startswith("_ga") or n == "_fbp"}  # the tags' own cookies
    assert tags and set(want["withdraw_deleted"]) <= tags
    assert tags - jar["after-withdraw"] == set(want["withdraw_deleted"])


@pytest.mark.parametrize("host", sorted(SITES))
def test_rows_are_split_at_the_withdrawal(run, host):
    _, withdraw = rows(run, host)
    sid = site_id(run, host)
    seqs = {r["id"]: r["seq"] for r in run.store.db.query("select id, seq from visits where site_id = ?", [sid])}
    last = len(SITES[host]["pages"]) - 1
    moments = {}
    for r in run.store.db.query("select visit_id, time, before_consent, actions_before, t_consent from requests "
                                "where site_id = ? and phase = 'withdraw'", [sid]):
        moment = PHASE.moment(bool(r["before_consent"]), r["actions_before"])
        moments.setdefault(seqs[r["visit_id"]], set()).add(moment)
        assert (moment == AFTER_WITHDRAWAL) == (r["time"] >= withdraw["time"])
        if moment == AFTER_WITHDRAWAL:
            assert r["t_consent"] == round(r["time"] - withdraw["time"], 4)  # relative to the withdrawal
    assert moments[last] == {AFTER_WITHDRAWAL}
    assert {AFTER_ACCEPT, AFTER_WITHDRAWAL} <= moments[len(SITES[host]["pages"]) // 2]  # reloaded after it


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

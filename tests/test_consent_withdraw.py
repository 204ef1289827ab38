"""Withdrawing consent in a real browser, on real consent platforms (Klaro, tarteaucitron,
vanilla-cookieconsent) and hand-written banners (the reopening control finder on small pages is
in test_consent_pages).

Every fixture site whose ``[consent]`` table has ``withdraw_*`` keys is crawled through the
withdraw phase as the spider crawls it (landing page: accept; the middle page: browsed, then the
choice withdrawn; the last page), each visit stored through ``Store.save_visit``. Then:

- the withdraw row says how the choice was reopened (``withdraw_reopen``: link, button,
  floating-button, api; ``withdraw_reopen_text`` / ``withdraw_reopen_call``; ``withdraw_found``: a
  visitor could), where the control was (``withdraw_where``: the page of the withdrawal unless
  said, the landing page, the cookie policy page; each navigation there a step), the pages looked
  at (``withdraw_looked_at``, paths), the method, the steps (the reopening click and navigations
  included) and the verdict, with every step timed;
- the platform's record read back from the phase's profile holds the refusal (``withdraw_stored``),
  and the cookies it deletes (``withdraw_deleted``) are in the jar before and gone right after;
- the withdrawal page's rows are split at the deciding click: before it after "accept all", after
  it after the withdrawal, which is the moment of every row of the last page.

``[consent]`` keys, besides those of test_consent_cmps: ``withdraw_reopen``, ``withdraw_reopen_text``,
``withdraw_reopen_call``, ``withdraw_found``, ``withdraw_where``, ``withdraw_looked_at``,
``withdraw_method``, ``withdraw_steps``, ``withdraw_verified``, ``withdraw_stored``, ``withdraw_deleted``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from leakmap.crawler.browser import find_browser
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import VisitJob
from leakmap.phases import AFTER_ACCEPT, AFTER_WITHDRAWAL, PHASE_OF
from leakmap.store import Store
from tests.test_consent_cmps import decode_choice, matches, own_cookies, sites_store
from tests.web.server import expectations

SITES = {host: e for host, e in expectations().items() if "withdraw_method" in e.get("consent", {})}
PHASE = PHASE_OF["withdraw"]
CONCURRENCY = 3  # phases at a time in the module's browser, as test_consent_cmps
HERE = "the page of the withdrawal"


@dataclass
class Run:
    store: Store
    site_ids: dict[str, int]
    cookies: dict[str, dict[str, str]]  # host -> first-party cookies of the phase's profile at its end
    out: Path


async def _withdraw_phase(session: BrowserSession, store: Store, site_id: int, host: str,
                          gate: asyncio.Semaphore) -> dict[str, str]:
    expect = SITES[host]
    pages = expect["pages"]
    async with gate:
        for seq, path in enumerate(pages):
            job = VisitJob(site_id, "withdraw", seq, expect["start"].rstrip("/") + path, depth=min(seq, 1),
                           consent=PHASE.action if seq == 0 else None, later=PHASE.later_on(seq, len(pages)))
            outcome = await session.visit(job)
            store.save_visit(outcome.visit, outcome.evidence)
        # the profile is kept: no visit was the last
        cookies = await own_cookies(session.phases[(site_id, "withdraw")].context, host)
        await session.end_phase(site_id, "withdraw")
    return cookies


@pytest.fixture(scope="module")
def run(testweb, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("consent-withdraw")
    store, site_ids = sites_store(out, SITES)
    config = ScanConfig(output_dir=out, host_rules=testweb.host_rules, ignore_https_errors=True)

    async def main() -> list[dict[str, str]]:
        session = BrowserSession(config, find_browser())
        gate = asyncio.Semaphore(CONCURRENCY)
        try:
            return await asyncio.gather(*(_withdraw_phase(session, store, site_ids[h], h, gate) for h in SITES))
        finally:
            await session.close()

    cookies = asyncio.run(main())
    return Run(store, site_ids, dict(zip(SITES, cookies, strict=True)), out)


def rows(run: Run, host: str) -> list[dict]:
    return [{**r, "details": json.loads(r["details"])} for r in run.store.db.query(
        "select * from consent where site_id = ? and phase = 'withdraw' order by id", [run.site_ids[host]])]


def test_fixture_sites_cover_each_way_of_withdrawing():
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
    cookies = run.cookies[host]
    for name, expected in want["withdraw_stored"].items():
        assert matches(expected, decode_choice(name, cookies[name])), (name, cookies.get(name))
    jar = {moment: {r["name"] for r in run.store.db.query(
        "select name from cookie_jar where site_id = ? and phase = 'withdraw' and moment = ?",
        [run.site_ids[host], moment])} for moment in ("before-withdraw", "after-withdraw")}
    tags = {n for n in jar["before-withdraw"] if n.startswith("_ga") or n == "_fbp"}  # the tags' own cookies
    assert tags and set(want["withdraw_deleted"]) <= tags
    assert tags - jar["after-withdraw"] == set(want["withdraw_deleted"])


@pytest.mark.parametrize("host", sorted(SITES))
def test_rows_are_split_at_the_withdrawal(run, host):
    _, withdraw = rows(run, host)
    sid = run.site_ids[host]
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

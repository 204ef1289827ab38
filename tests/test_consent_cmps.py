"""The consent engine on real consent platforms (klaro, tarteaucitron, vanilla-cookieconsent,
Osano cookieconsent, a TCF v2.2 CMP on IAB's own libraries) and on the awkward banners of the test
web (CMP in a cross-site iframe, reject only in a second layer, no banner, French only, buttons
that do nothing, a banner that comes back, two CMPs on one page).

Every fixture site whose ``_expect.toml`` has a ``[consent]`` table is visited in its three phases
in one Chromium: the landing page of each phase (plus a second page where the banner comes back),
each visit stored through ``Store.save_visit`` as the crawler does. Then:

- the consent record in the store says what the table says (CMP, banner, method, clicks, verdict,
  first-layer controls, errors);
- after ``accept`` and ``reject`` the CMP's own record, read back from the phase's profile and
  decoded (klaro's JSON, tarteaucitron's cookie, cc_cookie, cookieconsent_status, euconsent-v2
  through leakmap's TC-string decoder, ...), holds the choice asked for;
- ``baseline`` answered nothing: no optIn/optOut sent, no choice stored, and the banner still
  shows when the same profile loads the page again.

``[consent]`` keys: ``cmp``/``cmps`` (autoconsent's names), ``banner_selector`` (the banner while
no choice is stored), ``first_layer_accept``/``first_layer_reject``, ``tcf``, ``reappears``, and
per action (``accept_``/``reject_``): ``verified``, ``method``, ``steps``, ``error``, ``button``,
``frame``, ``stored`` (cookie name -> decoded value); ``baseline_stored`` for a CMP that writes a
pending state on load; ``reject_success = false`` when the banner offers nothing to click for it
(a "pay or OK" wall); ``paid_alternative`` (text, link) when it offers a paid way instead;
``dismissed``: how a pop-up covering the banner was closed before each
answer (each a step of it, in ``steps`` and ``steps_seen``).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from leakmap.crawler.browser import find_browser
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.consent.signals import decode_tc_string
from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import VisitJob
from leakmap.records import Scan, Site
from leakmap.store import Store
from tests.conftest import SCAN_CAP
from tests.web.server import expectations

SITES = {host: e for host, e in expectations().items() if "consent" in e}
CONCURRENCY = 4
pytestmark = pytest.mark.timeout(SCAN_CAP)


def decode_choice(name: str, value: str) -> Any:
    """A CMP's stored choice, decoded the way the CMP itself reads it."""
    raw = unquote(value)
    if name in ("klaro", "bcw_consent"):
        return json.loads(raw)
    if name == "cc_cookie":
        return json.loads(raw)["categories"]
    if name == "tarteaucitron":  # "!gtag=true!facebookpixel=false"
        return dict(part.split("=", 1) for part in raw.split("!") if "=" in part)
    if name == "euconsent-v2":
        return decode_tc_string(raw)
    return raw


def matches(expected: Any, got: Any) -> bool:
    """``got`` holds ``expected`` (dicts compared on the expected keys only: a TC string has more)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        return all(k in got and matches(v, got[k]) for k, v in expected.items())
    return expected == got


@dataclass
class PhaseRun:
    cookies: dict[str, str] = field(default_factory=dict)  # first-party cookie name -> value, after the phase
    banner_again: bool | None = None  # baseline: the banner shows again in the same profile
    tcf: dict | None = None  # accept/reject on TCF sites: what __tcfapi says in the same profile


@dataclass
class Run:
    store: Store
    site_ids: dict[str, int]
    phases: dict[tuple[str, str], PhaseRun]


_TCF_READ_JS = """() => new Promise((resolve) => {
  window.__tcfapi("addEventListener", 2, (d, ok) => {
    if (ok && ["tcloaded", "useractioncomplete"].includes(d.eventStatus))
      resolve({ eventStatus: d.eventStatus, tcString: d.tcString, cmpId: d.cmpId, purpose: d.purpose.consents,
                vendor: d.vendor.consents });
  });
})"""


def sites_store(out: Path, sites: dict[str, dict]) -> tuple[Store, dict[str, int]]:
    """A store in ``out`` with one scan holding the fixture sites; their ids by host."""
    store = Store(out / "leakmap.db")
    scan_id = store.begin_scan(Scan(started_at=time.time()))
    return store, {host: store.add_site(Site(scan_id=scan_id, start_url=e["start"], domain=host.split(".", 1)[1]))
                   for host, e in sites.items()}


async def own_cookies(context, host: str) -> dict[str, str]:
    """The site's own cookies in a phase's profile (name -> value)."""
    own = host.split(".", 1)[1]
    return {c["name"]: c["value"] for c in await context.cookies() if c["domain"].lstrip(".").endswith(own)}


async def _plain_page(context, url: str, selector: str | None, tcf: bool) -> tuple[bool | None, dict | None]:
    """Load the page again in the phase's profile, outside leakmap's visit: is the banner back, what does __tcfapi say."""
    page = await context.new_page()
    try:
        await page.goto(url, wait_until="load")
        shown = None
        if selector:
            try:
                await page.wait_for_selector(selector, state="visible", timeout=5000)
                shown = True
            except Exception:  # noqa: BLE001 - Playwright's timeout: not shown
                shown = False
        data = await asyncio.wait_for(page.evaluate(_TCF_READ_JS), 10) if tcf else None
        return shown, data
    finally:
        await page.close()


async def _run_phase(session: BrowserSession, store: Store, site_id: int, host: str, phase: str,
                     gate: asyncio.Semaphore) -> PhaseRun:
    expect = SITES[host]
    consent = expect["consent"]
    pages = expect["pages"][:2] if consent.get("reappears") and phase != "baseline" else expect["pages"][:1]
    result = PhaseRun()
    async with gate:
        for seq, path in enumerate(pages):
            job = VisitJob(site_id, phase, seq, expect["start"].rstrip("/") + path,
                           consent=phase if seq == 0 and phase != "baseline" else None)
            outcome = await session.visit(job)
            store.save_visit(outcome.visit, outcome.evidence)
        context = session.phases[(site_id, phase)].context
        result.cookies = await own_cookies(context, host)
        if phase == "baseline" or consent.get("tcf"):
            shown, result.tcf = await _plain_page(context, expect["start"],
                                                  consent.get("banner_selector") if phase == "baseline" else None,
                                                  bool(consent.get("tcf")) and phase != "baseline")
            result.banner_again = shown
        await session.end_phase(site_id, phase)
    return result


@pytest.fixture(scope="module")
def run(testweb, tcf_cmp_bundle, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("consent-cmps")
    store, site_ids = sites_store(out, SITES)
    config = ScanConfig(output_dir=out, host_rules=testweb.host_rules, ignore_https_errors=True, screenshots=False)

    async def main() -> dict[tuple[str, str], PhaseRun]:
        session = BrowserSession(config, find_browser())
        gate = asyncio.Semaphore(CONCURRENCY)
        keys = [(host, phase) for host in SITES for phase in ("baseline", "accept", "reject")]
        try:
            results = await asyncio.gather(*(_run_phase(session, store, site_ids[h], h, p, gate) for h, p in keys))
        finally:
            await session.close()
        return dict(zip(keys, results, strict=True))

    phases = asyncio.run(main())
    return Run(store, site_ids, phases)


def consent_rows(run: Run, host: str) -> dict[str, dict]:
    rows = run.store.db.query("select * from consent where site_id = ?", [run.site_ids[host]])
    return {r["phase"]: {**r, "details": json.loads(r["details"])} for r in rows}


def events(run: Run, host: str, phase: str) -> list[dict]:
    return list(run.store.db.query("select kind, data from consent_events where site_id = ? and phase = ?",
                                   [run.site_ids[host], phase]))


def test_there_are_fixture_cmps_for_every_case():
    cases = {host: e["consent"] for host, e in SITES.items()}
    cmps = {c.get("cmp") for c in cases.values()}
    assert {"Klaro", "tarteaucitron deny", "cookieconsent3", "Complianz optin"} <= cmps
    assert any(c.get("tcf") for c in cases.values())
    assert any(c.get("accept_frame") for c in cases.values())  # a banner inside a cross-site iframe
    assert any(c.get("first_layer_reject") is False for c in cases.values())
    assert any(not e["banner"] for e in SITES.values())
    assert any(len(c.get("cmps", [])) == 2 and "tarteaucitron" not in c["cmp"] for c in cases.values())
    assert any(c.get("reappears") and c.get("accept_verified") is False for c in cases.values())  # ignores clicks
    assert any(c.get("reappears") and c.get("accept_verified") for c in cases.values())  # choice not kept


@pytest.mark.parametrize("host", sorted(SITES))
def test_consent_record_in_the_store_says_what_happened(run, host):
    want = SITES[host]["consent"]
    rows = consent_rows(run, host)
    assert set(rows) == {"baseline", "accept", "reject"}
    banner = SITES[host]["banner"]
    for phase, row in rows.items():
        assert row["banner_found"] == int(banner), (phase, row["error"])
        assert row["cmp"] == want.get("cmp"), phase
        assert row["details"].get("cmps_detected", []) == want.get("cmps", [want["cmp"]] if "cmp" in want else []), phase
        if banner:
            layer = row["details"]["first_layer"]
            assert bool(layer["accept"]) == want["first_layer_accept"], (phase, layer)
            assert bool(layer["reject"]) == want["first_layer_reject"], (phase, layer)
        # the paid alternative of a "pay or OK" wall, with its link, only where there is one
        assert row["details"].get("paid_alternative") == want.get("paid_alternative"), phase
    base = rows["baseline"]
    assert (base["action"], base["steps"], base["success"], base["verified"], base["time"]) == ("none", 0, 0, 0, None)
    for action in ("accept", "reject"):
        row = rows[action]
        assert row["action"] == action
        assert row["verified"] == int(want[f"{action}_verified"]), (action, row["error"], row["details"])
        assert row["error"] == want.get(f"{action}_error"), action
        if banner and not want.get(f"{action}_success", True):  # nothing to click: nothing done, nothing claimed
            assert (row["method"], row["steps"], row["success"], row["time"]) == ("none", 0, 0, None)
        elif banner:
            assert row["method"] == want[f"{action}_method"], (action, row["details"]["attempts"])
            assert row["steps"] == want[f"{action}_steps"], (action, row["details"]["attempts"])
            assert row["success"] == 1 and row["time"] is not None
        else:
            assert (row["method"], row["steps"], row["success"], row["time"]) == ("none", 0, 0, None)
        if f"{action}_button" in want:
            assert row["details"]["button_text"] == want[f"{action}_button"]
        if f"{action}_frame" in want:
            assert row["details"]["frame_url"].startswith(want[f"{action}_frame"])
        dismissed = row["details"].get("dismissed", [])
        assert [d["how"] for d in dismissed] == want.get("dismissed", []), (action, dismissed)
        if banner and row["verified"] and not row["method"].startswith("autoconsent"):
            # every step leakmap took is seen, the deciding click last (autoconsent counts its own
            # steps, some of which are no clicks)
            seen = row["details"]["steps_seen"]
            assert len(seen) == row["steps"] and seen[-1]["time"] == row["time"], (action, seen)
        if row["verified"]:  # the verdict's own evidence: the CMP's record is among what changed
            changed = {key.rsplit(":", 1)[1] for key in row["details"]["changed"]}
            assert set(want[f"{action}_stored"]) <= changed, row["details"]["changed"]


@pytest.mark.parametrize("host", sorted(h for h, e in SITES.items() if e["consent"].get("accept_stored")))
def test_accept_and_reject_end_with_the_right_choice_stored(run, host):
    """Read back from the phase's own profile after the phase, decoded as the CMP reads it."""
    want = SITES[host]["consent"]
    for action in ("accept", "reject"):
        cookies = run.phases[(host, action)].cookies
        if f"{action}_stored" not in want:  # no way to take the action (a pay-or-OK wall): no choice stored
            assert not set(want["accept_stored"]) & set(cookies), (action, sorted(cookies))
            continue
        for name, expected in want[f"{action}_stored"].items():
            assert name in cookies, (action, name, sorted(cookies))
            got = decode_choice(name, cookies[name])
            assert matches(expected, got), (action, name, got)
        # the jar snapshot leakmap stored right after the action says the same
        jar = {r["name"]: r["value"] for r in run.store.db.query(
            "select name, value from cookie_jar where site_id = ? and phase = ? and moment = 'after-consent'",
            [run.site_ids[host], action])}
        for name, expected in want[f"{action}_stored"].items():
            assert matches(expected, decode_choice(name, jar[name])), (action, name)


@pytest.mark.parametrize("host", sorted(h for h, e in SITES.items() if e["banner"]))
def test_baseline_answers_nothing(run, host):
    want = SITES[host]["consent"]
    kinds = {e["kind"] for e in events(run, host, "baseline")}
    assert not kinds & {"optInResult", "optOutResult", "autoconsentDone"}, kinds
    baseline = run.phases[(host, "baseline")]
    names = {n for action in ("accept", "reject") for n in want.get(f"{action}_stored", {})}
    pending = want.get("baseline_stored", {})
    for name in names:
        if name in pending:
            assert matches(pending[name], decode_choice(name, baseline.cookies[name])), name
        else:
            assert name not in baseline.cookies, (name, baseline.cookies.get(name))
    # nothing was stored for this visitor: the same profile is asked again
    assert baseline.banner_again is True


@pytest.mark.parametrize("host", sorted(SITES))
def test_a_banner_that_comes_back_is_recorded(run, host):
    want = SITES[host]["consent"]
    for action in ("accept", "reject"):
        back = [e for e in events(run, host, action) if e["kind"] == "banner-reappeared"]
        if want.get("reappears"):
            assert back, action
            found = [json.loads(e["data"]) for e in back]
            # on the landing page once reloaded after the click, and on the next page of the list
            assert any(d["url"].endswith(SITES[host]["pages"][1]) for d in found), found
            assert all(d["first_layer"]["accept"] or d["first_layer"]["reject"] for d in found)
        else:
            assert not back, action


@pytest.mark.parametrize("host", sorted(h for h, e in SITES.items() if e["consent"].get("tcf")))
def test_tcf_choice_read_back_through_tcfapi(run, host):
    """The TC string @iabtcf/core encoded, as the page's own __tcfapi serves it after each phase, and
    as leakmap recorded it, decodes to the choice."""
    want = SITES[host]["consent"]
    rows = consent_rows(run, host)
    assert rows["baseline"]["details"]["tcf"]["eventStatus"] == "cmpuishown"
    assert rows["baseline"]["details"]["tcf"]["tcString"] == ""
    for action in ("accept", "reject"):
        api = run.phases[(host, action)].tcf
        stored = run.phases[(host, action)].cookies["euconsent-v2"]
        assert api["tcString"] == stored and api["eventStatus"] == "tcloaded"
        expected = want[f"{action}_stored"]["euconsent-v2"]
        assert matches(expected, decode_tc_string(api["tcString"]))
        consented = sorted(int(k) for k, v in api["vendor"].items() if v)  # what the CMP API itself reports
        assert consented == expected["vendors_consent"]
        assert sorted(int(k) for k, v in api["purpose"].items() if v) == expected["purposes_consent"]
        recorded = rows[action]["details"]["tcf"]
        assert recorded["eventStatus"] == "useractioncomplete" and recorded["tcString"] == stored
        assert matches(expected, recorded["decoded"])


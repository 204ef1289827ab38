"""End to end: a site whose home page never finishes loading, audited on every page in every phase.

``www.ridgeway-courier.co.uk``: the home page holds its load event for ever (a live camera still
the server never answers), shows an alert, opens a window when the visitor types into its
newsletter box, and has the kit's consent banner; its five linked pages each fail another way
(a 20 MB download, a redirect loop, HTTP 500, a main thread that never returns, a window.open
storm). Its ``_expect.toml`` names ``scan_pages = 6`` (the landing page and the five): it is
scanned here, with ``--pages 6``, not by ``test_e2e_scan.py``. Checked against the store and the
test web's own log: the page list and every page visited in every phase, the error each failing
page records, the banner answered and verified, the camera request stored as still open (the
server never answered it), every request the server saw stored, and the findings a reviewer
signs. How long the visits take beside a normal site is printed by ``bench/unfinished.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest

from leakmap.store import Store
from tests.conftest import SCAN_CAP
from tests.test_e2e_scan import Run, site_row, stored_findings, third_parties
from tests.web.capture import compare
from tests.web.server import expectations

HOST = "www.ridgeway-courier.co.uk"
EXPECT = expectations([HOST])[HOST]
PHASES = ("baseline", "accept", "reject")
CAMERA = f"https://{HOST}/live/traffic-cam.jpg"
pytestmark = pytest.mark.timeout(SCAN_CAP)


@pytest.fixture(scope="module")
def run(testweb, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("e2e-unfinished")
    began = len(testweb.log)
    proc = subprocess.run(
        [sys.executable, "-m", "leakmap", "scan", EXPECT["start"], "-o", str(out), "--host-rules", testweb.host_rules,
         "--ignore-https-errors", "--pages", str(EXPECT["scan_pages"])],
        capture_output=True, text=True, timeout=SCAN_CAP - 20)
    time.sleep(0.5)
    return Run(proc, Store(out / "leakmap.db"), testweb.log[began:])


def _visits(run: Run, phase: str) -> list[dict]:
    site = site_row(run, EXPECT["start"])
    return list(run.store.db.query("select * from visits where site_id = ? and phase = ? order by seq",
                                   [site["id"], phase]))


def _errors(run: Run, visit: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in run.store.db.query("select kind, message from errors where visit_id = ?", [visit["id"]]):
        out.setdefault(e["kind"], []).append(e["message"])
    return out


def test_scan_runs_clean(run):
    assert run.proc.returncode == 0, run.proc.stderr[-3000:]
    assert site_row(run, EXPECT["start"])["status"] == "done"


def test_every_page_is_found_and_visited_in_every_phase(run):
    site = site_row(run, EXPECT["start"])
    assert [urlsplit(u).path for u in json.loads(site["pages"])] == EXPECT["pages"]
    for phase in PHASES:
        visits = _visits(run, phase)
        assert [v["seq"] for v in visits] == list(range(len(EXPECT["pages"]))), phase
        assert [urlsplit(v["url"]).path for v in visits] == EXPECT["pages"], phase


def test_the_landing_page_is_audited_from_domcontentloaded(run):
    """Its load event never fires, yet the visit ends on its own (no timeout), with the alert and the
    newsletter window recorded and the unfinished load said on the visit."""
    for phase in PHASES:
        landing = _visits(run, phase)[0]
        errors = _errors(run, landing)
        assert landing["status"] == "ok" and "timeout" not in errors, (phase, errors)
        assert any(m.startswith("alert: Road closure") for m in errors["dialog"]), phase
        assert "popup" in errors and len(errors["load-incomplete"]) == 1, (phase, errors)
        assert CAMERA in errors["load-incomplete"][0], phase
        assert landing["title"].startswith("The Ridgeway Courier"), phase
    popups = run.store.db.query("select phase, count(*) as n from requests where url = ? group by phase",
                                [f"https://{HOST}/newsletter-offer.html"])
    assert {p["phase"] for p in popups} == set(PHASES)  # what the window loaded is the visit's


def test_each_failing_page_is_an_error_on_its_visit(run):
    for phase in PHASES:
        for visit in _visits(run, phase)[1:]:
            path = urlsplit(visit["url"]).path
            errors = _errors(run, visit)
            assert EXPECT["failing_pages"][path] in errors, (phase, path, errors)
            assert visit["status"] != "ok" or path == "/competitions.html", (phase, path, visit["status"])


def test_the_request_never_answered_is_stored_as_open(run):
    """The camera still: the server received it in every phase and never answered; the store has it
    once per load of the landing page (the accept and reject phases reload it after the click), open."""
    served = [e for e in run.served if e.url == CAMERA]
    stored = list(run.store.db.query("select phase, status, still_open, failed from requests where url = ?", [CAMERA]))
    assert served and all(e.status == 0 for e in served)  # the test web's log: no answer sent
    assert len(stored) == len(served)
    assert all(r["status"] is None and r["still_open"] == 1 and r["failed"] is None for r in stored), stored
    assert sorted({r["phase"] for r in stored}) == sorted(PHASES)


def test_the_banner_is_answered_and_verified(run):
    site = site_row(run, EXPECT["start"])
    rows = {r["phase"]: r for r in run.store.db.query("select * from consent where site_id = ?", [site["id"]])}
    assert rows["baseline"]["banner_found"] == 1 and rows["baseline"]["action"] == "none"
    for phase in ("accept", "reject"):
        assert rows[phase]["verified"] == 1 and rows[phase]["time"] is not None, (phase, rows[phase]["error"])


def test_third_parties_per_phase(run):
    site = site_row(run, EXPECT["start"])
    for phase, wanted in EXPECT["phases"].items():
        assert third_parties(run, site, phase) == set(wanted["third_parties"]), phase
        if "before_action" in wanted:
            assert third_parties(run, site, phase, before_consent=True) == set(wanted["before_action"]), phase


def test_every_request_the_server_saw_is_stored_in_its_phase(run):
    capture = compare(run.store.path, run.served)
    assert capture.total > 50
    assert capture.ratio >= 0.99, (capture.missing, capture.misplaced, capture.total)
    # what the scan said it could not record: only a window's first request (Chromium's gap)
    assert set(capture.declared) <= {f"https://{HOST}/sponsor.html", f"https://{HOST}/newsletter-offer.html"}


def test_findings_are_the_ones_a_reviewer_signs(run):
    got = stored_findings(run, site_row(run, EXPECT["start"]))
    assert got == {sev: sorted(EXPECT["findings"].get(sev, [])) for sev in ("high", "medium", "info")}

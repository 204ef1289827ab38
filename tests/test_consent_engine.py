"""The consent engine's own guarantees: the autoconsent bundle it injects is the official npm
build, byte for byte; without the bundle it still runs on its fallbacks and says so; a user's
selector that matches nothing is reported as such and leaves the phase unverified."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from leakmap.crawler.browser import find_browser
from leakmap.crawler.collectors.base import VisitContext
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.consent import bundle
from leakmap.crawler.consent.engine import AutoconsentEngine
from leakmap.crawler.recorder import PageRecorder
from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import VisitJob
from leakmap.records import ConsentEvent
from tests.conftest import REPO_ROOT

NPM_DIR = REPO_ROOT / "tests/npm"
OFFICIAL = NPM_DIR / "node_modules" / bundle.PACKAGE / bundle.SCRIPT
KLARO = "https://www.kiezrad-berlin.de/"  # Klaro, German texts
OWN_BANNER = "https://www.riverside-vets.co.uk/"  # a site's own banner: #accept-all / #reject-all


def _engine(action: str | None = "accept", landing: bool = True) -> AutoconsentEngine:
    vc = VisitContext(ScanConfig(), 1, action or "baseline", KLARO, Path("."), "k", landing=landing, action=action)
    return AutoconsentEngine(vc)


def test_injected_bundle_is_byte_identical_to_the_official_npm_build():
    if not OFFICIAL.is_file():
        pytest.fail(f"{OFFICIAL} missing: run `npm ci --prefix {NPM_DIR}`")
    installed = bundle.load_bundle()
    assert installed is not None, f"autoconsent is not installed in {bundle.bundle_dir()} (`leakmap setup`)"
    official = OFFICIAL.read_bytes()
    assert installed.version == bundle.VERSION
    assert installed.script.encode("utf-8") == official
    # what every page of a landing visit gets, in the recorder's init scripts
    recorder = PageRecorder(None, [_engine("accept")])
    assert [s for s in recorder.scripts if s.encode("utf-8") == official], "the official bundle is not injected"
    # the package in the test-only npm lock is the pinned version with the pinned integrity
    lock = json.loads((NPM_DIR / "package-lock.json").read_text())
    entry = lock["packages"][f"node_modules/{bundle.PACKAGE}"]
    assert (entry["version"], entry["integrity"]) == (bundle.VERSION, bundle.INTEGRITY)
    package = json.loads((NPM_DIR / "package.json").read_text())
    assert package["dependencies"][bundle.PACKAGE] == bundle.VERSION


def test_rules_sent_are_the_packages_own():
    installed = bundle.load_bundle()
    if installed is None or not OFFICIAL.is_file():
        pytest.fail("autoconsent bundle or test-only npm packages missing: run make test")
    rules = NPM_DIR / "node_modules" / bundle.PACKAGE
    assert installed.rules_json == (rules / bundle.RULES).read_text()
    assert installed.compact_json == (rules / bundle.COMPACT_RULES).read_text()
    accept, reject = _engine("accept"), _engine("reject")
    assert json.loads(accept._init_response())["rules"] == json.loads(installed.rules_json)  # opt-in needs the full rules
    assert json.loads(reject._init_response())["rules"] == {"compact": json.loads(installed.compact_json)}
    assert _engine(None, landing=False).scripts == ()  # later pages: no engine


async def _visit(session: BrowserSession, site_id: int, phase: str, url: str, consent: str | None):
    outcome = await session.visit(VisitJob(site_id, phase, 0, url, consent=consent, last=True))
    return outcome


@pytest.fixture(scope="module")
def browser(testweb, tmp_path_factory):
    """One Chromium for the module; each test runs its visits in it."""
    config = ScanConfig(output_dir=tmp_path_factory.mktemp("consent-engine"), host_rules=testweb.host_rules,
                        ignore_https_errors=True, screenshots=False)
    loop = asyncio.new_event_loop()
    session = BrowserSession(config, find_browser())
    yield loop, session
    loop.run_until_complete(session.close())
    loop.close()


def test_without_the_bundle_the_fallbacks_run_and_the_record_says_so(browser, monkeypatch, tmp_path):
    loop, session = browser
    monkeypatch.setenv(bundle.ENV_DIR, str(tmp_path))  # an empty directory: no bundle
    bundle.load_bundle.cache_clear()
    try:
        assert bundle.load_bundle() is None and _engine().scripts == ()
        base = loop.run_until_complete(_visit(session, 11, "baseline", KLARO, None))
        accept = loop.run_until_complete(_visit(session, 11, "accept", KLARO, "accept"))
        reject = loop.run_until_complete(_visit(session, 11, "reject", KLARO, "reject"))
    finally:
        bundle.load_bundle.cache_clear()
    for outcome in (base, accept, reject):
        record = outcome.consent
        assert "not installed" in record.details["engine"] and str(tmp_path) in record.details["engine"]
        assert "only selectors and the text heuristic were used" in record.details["engine"]
        assert record.cmp is None and "cmps_detected" not in record.details
        assert not [e for e in outcome.evidence if isinstance(e, ConsentEvent)]  # the engine never spoke
    assert base.consent.banner_found and base.consent.method == "heuristic"
    assert base.consent.details["first_layer"] == {"accept": "Das ist ok", "reject": "Ich lehne ab",
                                                   "settings": "Lassen Sie mich wählen"}
    # Klaro's own buttons, found by their German texts, and the choice really stored
    assert (accept.consent.method, accept.consent.verified, accept.consent.details["button_text"]) == ("heuristic", True, "Das ist ok")
    assert (reject.consent.method, reject.consent.verified, reject.consent.details["button_text"]) == ("heuristic", True, "Ich lehne ab")
    assert "cookie:www.kiezrad-berlin.de:klaro" in accept.consent.details["changed"]
    assert "%22google-analytics%22%3Afalse" in reject.consent.details["stored_choice"]["cookie:www.kiezrad-berlin.de:klaro"]


def _reject_with_selector(browser, site_id: int, selector: str):
    """A reject visit of the own-banner site with ``--reject-selector``, in the module's browser."""
    loop, session = browser
    session.config.reject_selector = selector
    try:
        return loop.run_until_complete(_visit(session, site_id, "reject", OWN_BANNER, "reject")).consent
    finally:
        session.config.reject_selector = None


def test_a_reject_selector_that_matches_nothing_is_reported_and_unverified(browser):
    record = _reject_with_selector(browser, 12, "#refuse-cookies")
    assert record.banner_found and not record.verified and not record.success and record.steps == 0
    assert record.error == f"--reject-selector '#refuse-cookies' matched no visible element on {OWN_BANNER}"
    # leakmap did not guess another button instead of the one the user named
    assert [a["method"] for a in record.details["attempts"]] == ["selector"]
    assert record.details["attempts"][0]["found"] is False
    assert record.time is None and "button_text" not in record.details


def test_a_reject_selector_that_matches_is_used(browser):
    record = _reject_with_selector(browser, 13, "#reject-all")
    assert (record.method, record.verified, record.steps, record.error) == ("selector", True, 1, None)
    assert record.details["stored_choice"] == {"cookie:www.riverside-vets.co.uk:cookie_consent": "rejected"}

"""Behaviour over labels: an analytics party that tracks no one (no cookie, no storage, no
identifier, no fingerprinting) measures the audience; its traffic before consent is an ``info``
advisory naming the CNIL's exemption conditions and needs no banner. Each near miss does one
thing a tracker does and is judged as tracking."""

from __future__ import annotations

import json

import pytest

from leakmap import records as r
from tests.analysis_store import DAY, cookie, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
SCRIPT = "https://plausible.io/js/script.js"
EVENT = "https://plausible.io/api/event"
PROFILES = {"baseline": "9f2c4e7a1b3d5f60", "accept": "3a8e1c5d7f9b2046", "reject": "d41e7b2c9a6f0358"}

b = store_fixture()


def _event(page: str, **extra: str) -> str:
    return json.dumps({"n": "pageview", "u": page, "d": "maison-exemple.fr", "r": None, "w": 1280, **extra})


def _site(b, extra=None, more=None) -> None:
    """No banner; every phase loads the script and posts a page view on two pages. ``extra(phase)``:
    fields the event adds; ``more(phase)``: other evidence of the landing page."""
    for phase in PROFILES:
        if phase != "baseline":
            b.consent(phase, clicked=False, verified=False, banner=False, error="no consent banner found")
        for seq, page in enumerate((SITE, SITE + "page-1.html")):
            evidence = [request(page, 0.1, resource_type="Document"),
                        request(SCRIPT, 0.3, initiator_url=page),
                        request(EVENT, 0.6, method="POST", resource_type="Fetch", initiator_url=SCRIPT,
                                post_data=_event(page, **(extra(phase) if extra else {})))]
            if seq == 0 and more:
                evidence += more(phase)
            b.visit(phase, evidence, seq=seq, url=page)


def test_cookieless_analytics_is_an_advisory_and_needs_no_banner(b):
    # Scenario a reviewer signs: the site's only third party counts page views with a script and an
    # event POST, with no cookie, no storage and no identifier: audience measurement the CNIL
    # exempts from consent under conditions the audit cannot see. An advisory, not a violation, and
    # no banner is missing.
    _site(b)
    findings = b.findings()
    assert [(f.rule, f.domain, f.severity) for f in findings if f.rule != "third-country-transfer"] == [
        ("tracking-before-consent", "plausible.io", "info")]
    [f] = [f for f in findings if f.rule == "tracking-before-consent"]
    assert f.phases == ["baseline", "accept", "reject"] and "without cookies, storage or identifiers" in f.title
    basis = f.evidence["audience_measurement"]
    assert basis["kind"] == "audience-measurement" and basis["exemption"]["authority"] == "CNIL"
    assert any("13 months" in c for c in basis["exemption"]["conditions"])
    assert basis["documented"]["service"] == "Plausible Analytics"
    assert f.evidence["classification"]["basis"]["kind"] == "audience-measurement"


def test_a_per_request_value_is_no_identifier(b):
    # a cache buster: a new random value in every request of a profile
    counter = iter(range(100))
    _site(b, extra=lambda phase: {"cb": f"{PROFILES[phase]}{next(counter):02d}"})
    assert [f.severity for f in b.findings("tracking-before-consent")] == ["info"]


NEAR_MISSES = {
    "an identifier in its event": dict(extra=lambda phase: {"uid": PROFILES[phase]}),
    "a cookie it sets": dict(more=lambda phase: [
        cookie("pl_uid", PROFILES[phase], 0.5, host="www.maison-exemple.fr", domain="maison-exemple.fr", origin="js",
               script_url=SCRIPT, lifetime=365 * DAY)]),
    "storage its script writes": dict(more=lambda phase: [
        r.StorageRecord(kind="local", origin=SITE.rstrip("/"), frame_url=SITE, key="pl_last", value="1",
                        time=0.5, script_url=SCRIPT, stack=[SCRIPT])]),
    "a fingerprinting call": dict(more=lambda phase: [
        r.ApiCallRecord(api="canvas", script_url=SCRIPT, frame_url=SITE, document=SITE, time=0.5, calls=6,
                        details={"chars": "Cwm fjordbank glyphs", "colors": ["#f60", "#069"],
                                 "extractions": [{"method": "toDataURL", "width": 240, "height": 60}]})]),
}


@pytest.mark.parametrize("case", sorted(NEAR_MISSES))
def test_an_analytics_party_that_tracks_is_tracking(b, case):
    _site(b, **NEAR_MISSES[case])
    found = {f.rule: f for f in b.findings() if f.severity == "high"}
    assert found["tracking-before-consent"].domain == "plausible.io", case
    assert "consent-banner-missing" in found, case


def test_a_listed_tracker_without_cookies_stays_tracking(b):
    # near miss: the Meta pixel's script and event, no cookie seen: advertising is never audience measurement
    for phase in PROFILES:
        if phase != "baseline":
            b.consent(phase, clicked=False, verified=False, banner=False)
        b.visit(phase, [request("https://connect.facebook.net/en_US/fbevents.js", 0.3),
                        request("https://www.facebook.com/tr/?id=1&ev=PageView", 0.6, resource_type="Image")])
    assert {f.domain: f.severity for f in b.findings("tracking-before-consent")} == {
        "facebook.net": "high", "facebook.com": "high"}
    assert [f.severity for f in b.findings("consent-banner-missing")] == ["high"]

"""One finding per fact, behaviour over labels, and the same verdict in every rule.

Each test starts from the scenario a reviewer would sign, then checks the findings agree.
"""

from __future__ import annotations

from leakmap import records as r
from leakmap.analysis.audit import audit
from leakmap.analysis.findings import finding_id
from leakmap.report import gate
from leakmap.report.model import build
from tests.analysis_store import CLICK, DAY, cookie, knowledge, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
PIXEL = "https://connect.facebook.net/en_US/fbevents.js"

b = store_fixture()


def _pixel_everywhere(b, reject_verified: bool = True) -> None:
    b.consent("accept")
    b.consent("reject", verified=reject_verified)
    b.visit("baseline", [request(PIXEL, 1.0)])
    b.visit("baseline", [request(PIXEL, 1.0)], seq=1)
    b.visit("accept", [request(PIXEL, 1.0)])
    b.visit("reject", [request(PIXEL, 1.0)])


def test_a_tracker_before_consent_in_three_phases_is_one_finding(b):
    # Scenario: Meta's pixel loads on arrival. The baseline sees it on two pages, the accept and
    # reject phases before their click. A reviewer signs one fact: "Meta received data before
    # consent", with the three phases as evidence -- not three findings.
    _pixel_everywhere(b)
    [f] = b.findings("tracking-before-consent")
    assert f.domain == "facebook.net" and f.moment == "before-consent" and f.severity == "high"
    assert f.phases == ["baseline", "accept", "reject"]
    assert [o["phase"] for o in f.evidence["seen_in"]] == ["baseline", "accept", "reject"]
    assert f.evidence["requests"] == 4 and f.evidence["pages"] == [SITE, SITE + "page-1.html"]
    assert f.id == finding_id("tracking-before-consent", SITE, "before-consent", "facebook.net")
    # the ids leakmap 0.1 gave the three per-phase findings are kept, so old baselines still match
    assert set(f.legacy_ids) == {finding_id("tracking-before-consent", SITE, p, "facebook.net")
                                 for p in ("baseline", "accept", "reject")}


def test_a_fact_the_baseline_shows_needs_no_verified_click(b):
    # the reject click could not be verified, but nothing before a click depends on it
    _pixel_everywhere(b, reject_verified=False)
    [f] = b.findings("tracking-before-consent")
    assert f.unverified is False


def test_the_gate_accepts_a_fact_from_an_old_per_phase_baseline(b):
    # a baseline written by leakmap 0.1 holds one per-phase id of the fact: the fact stays accepted
    _pixel_everywhere(b)
    findings = b.findings()
    report = build(audit(b.store, b.scan_id, knowledge(), findings=findings))
    old_id = finding_id("tracking-before-consent", SITE, "accept", "facebook.net")
    verdict = gate.apply(report, baseline={old_id})
    statuses = {f.rule: f.gate for _, f in report.findings()}
    assert statuses["tracking-before-consent"] == "baselined"
    assert verdict.failing == sum(1 for _, f in report.findings() if f.gate == "fail")
    # a baseline without it does not
    report = build(audit(b.store, b.scan_id, knowledge(), findings=b.findings()))
    gate.apply(report, baseline={finding_id("tracking-before-consent", SITE, "accept", "google-analytics.com")})
    assert {f.rule: f.gate for _, f in report.findings()}["tracking-before-consent"] == "fail"


def test_an_embed_that_sets_a_tracking_cookie_is_tracking(b):
    # Scenario: a YouTube player (listed as embedded content, not tracking) is embedded on arrival
    # and its frame sets VISITOR_INFO1_LIVE, an advertising cookie. A reviewer signs "YouTube
    # tracked before consent" and "its advertising cookie was set before consent".
    embed = "https://www.youtube.com/embed/dQw4w9WgXcQ"
    b.visit("baseline", [
        request(embed, 1.0, resource_type="Document"),
        cookie("VISITOR_INFO1_LIVE", "Hx3kT9bLq2w", 1.0, host="www.youtube.com", domain=".youtube.com",
               lifetime=180 * DAY),
    ])
    b.store.db.execute("update cookies set url = ? where name = 'VISITOR_INFO1_LIVE'", [embed])
    b.store.db.conn.commit()
    [t] = b.findings("tracking-before-consent")
    basis = t.evidence["classification"]["basis"]
    assert t.domain == "youtube.com" and t.category == "advertising"
    assert basis["kind"] == "behaviour" and basis["how"] == "sets" and basis["cookie"] == "VISITOR_INFO1_LIVE"
    assert "VISITOR_INFO1_LIVE" in t.title
    [c] = b.findings("cookie-before-consent")
    assert c.evidence["cookie"]["name"] == "VISITOR_INFO1_LIVE"


def test_an_embed_without_identifiers_is_not_tracking(b):
    # near miss: the privacy-enhanced player sets nothing and sends nothing identifying
    b.visit("baseline", [request("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", 1.0, resource_type="Document"),
                         request("https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg", 1.2, resource_type="Image")])
    assert b.findings("tracking-before-consent") == [] and b.findings("cookie-before-consent") == []


def test_an_unlisted_party_with_an_identifier_cookie_is_tracking(b):
    # Scenario: an unknown third party sets a long-lived cookie whose value differs in every fresh
    # profile (an identifier, Acar et al.) and gets it back: it tracks, whatever its (missing) label.
    for phase, uid in (("baseline", "7c0e2b9a52f14d7e9a4b3f1e"), ("reject", "e41d8f3c09ab4c6eb2d75a8f")):
        b.visit(phase, [
            request("https://pixel.quietmetric.net/p.gif", 1.0, resource_type="Image"),
            cookie("umx", uid, 1.0, host="pixel.quietmetric.net", lifetime=365 * DAY),
            request("https://pixel.quietmetric.net/p.gif?e=2", 2.0, resource_type="Image",
                    request_headers={"cookie": f"umx={uid}"}),
        ])
    b.store.db.execute("update cookies set url = 'https://pixel.quietmetric.net/p.gif'")
    b.store.db.conn.commit()
    [t] = b.findings("tracking-before-consent")
    assert t.domain == "quietmetric.net" and t.category == "identifier-tracking"
    assert t.evidence["classification"]["basis"]["compared_across_profiles"] is True
    assert t.phases == ["baseline", "reject"]
    [c] = b.findings("cookie-before-consent")
    assert c.evidence["cookie"]["name"] == "umx" and c.phases == ["baseline", "reject"]


def test_a_constant_cookie_of_an_unlisted_party_is_not_an_identifier(b):
    # near miss: the same value in every fresh profile is a setting, not an identifier
    for phase in ("baseline", "reject"):
        b.visit(phase, [request("https://pixel.quietmetric.net/p.gif", 1.0, resource_type="Image",
                                request_headers={"cookie": "umx=dark-theme-v2"}),
                        cookie("umx", "dark-theme-v2", 1.0, host="pixel.quietmetric.net", lifetime=365 * DAY)])
    assert b.findings("tracking-before-consent") == [] and b.findings("cookie-before-consent") == []


def test_a_party_listed_as_fingerprinting_and_anti_fraud_is_judged_alike_by_every_rule(b):
    # Scenario: FingerprintJS (listed both as fingerprinting and as fraud prevention) is called on
    # arrival; EasyPrivacy lists its API, so the call is tracking. Its cookie set by that call is
    # then a tracking cookie too: the cookie rule must not call the same party "essential".
    b.visit("baseline", [
        request("https://api.fpjs.io/?ci=js/3.8.1", 1.0, resource_type="XHR", method="POST"),
        cookie("_iidt", "k4Jd8sQx0Lz2mV7p", 1.0, host="api.fpjs.io", domain=".fpjs.io", lifetime=365 * DAY),
    ])
    b.store.db.execute("update cookies set url = 'https://api.fpjs.io/?ci=js/3.8.1'")
    b.store.db.conn.commit()
    [t] = b.findings("tracking-before-consent")
    [c] = b.findings("cookie-before-consent")
    assert t.domain == c.domain == "fpjs.io"
    assert t.evidence["classification"]["basis"]["kind"] == "filter-list"
    assert c.evidence["classification"]["basis"] == "set by a tracking third party"
    assert c.evidence["classification"]["setter_verdict"]["basis"]["kind"] == "filter-list"


def test_the_same_party_not_tracking_then_sets_no_tracking_cookie(b):
    # near miss: only its script is fetched (no filter matches it) and it sets a session cookie (no
    # identifier: not long-lived): neither rule fires, in both the party is an anti-fraud service then
    b.visit("baseline", [
        request("https://fpcdn.io/v3/agent.js", 1.0),
        cookie("fp_session_ok", "k4Jd8sQx0Lz2mV7p", 1.0, host="fpcdn.io", domain=".fpcdn.io", lifetime=None),
    ])
    b.store.db.execute("update cookies set url = 'https://fpcdn.io/v3/agent.js'")
    b.store.db.conn.commit()
    assert b.findings("tracking-before-consent") == [] and b.findings("cookie-before-consent") == []


def test_a_verified_one_click_reject_proves_a_first_layer_reject(b):
    # Scenario: the banner's reject button text is in a language the heuristic does not read, but
    # autoconsent refused in one click and the effect was verified: the first layer has a reject.
    b.consent("reject", steps=1, details={"first_layer": {"accept": "Alle Cookies erlauben", "reject": None,
                                                            "settings": None}})
    b.consent("accept", details={"first_layer": {"accept": "Alle Cookies erlauben", "reject": None,
                                                   "settings": None}})
    assert b.findings("no-reject-option") == []


def test_a_reject_that_took_the_second_layer_is_still_no_reject_option(b):
    # near miss: refusing took three clicks (settings, untick, save)
    b.consent("reject", steps=3, details={"first_layer": {"accept": "Accept all", "reject": None,
                                                            "settings": "Settings"}})
    [f] = b.findings("no-reject-option")
    assert f.severity == "medium"


def test_findings_are_stored_and_read_back_with_their_phases(b):
    _pixel_everywhere(b)
    from leakmap.analysis.audit import stored_findings
    from leakmap.analysis.engine import reanalyze

    reanalyze(b.store, b.scan_id, knowledge())
    [f] = [f for f in stored_findings(b.store, b.scan_id) if f.rule == "tracking-before-consent"]
    assert f.phases == ["baseline", "accept", "reject"] and len(f.legacy_ids) == 3
    assert isinstance(f, r.Finding)


def test_evidence_after_the_click_keeps_its_moment_apart(b):
    # the pixel before the reject click (before consent) and after it (after reject) are two facts
    b.consent("reject")
    b.visit("reject", [request(PIXEL, 1.0), request("https://www.facebook.com/tr/?id=1&ev=PageView", CLICK + 2,
                                                    resource_type="Image")])
    assert [f.moment for f in b.findings("tracking-before-consent")] == ["before-consent"]
    [after] = b.findings("tracking-after-reject")
    assert after.domain == "facebook.com" and after.evidence["request"]["t_consent"] == 2.0


def test_a_registered_brokers_geolocation_api_is_broker_exposure_not_tracking(b):
    # Scenario: the site asks ipapi.co (Kloudend, a registered California data broker) where the
    # visitor is, on arrival, and nothing identifying rides along. A reviewer signs "a registered
    # data broker was reached before consent" and not "tracking before consent": the host's purpose
    # is IP geolocation; its registration makes it a broker's host, not a tracker.
    b.visit("baseline", [request("https://ipapi.co/json/", 1.0, resource_type="Fetch")])
    [broker] = b.findings("broker-exposure")
    assert broker.domain == "ipapi.co" and broker.severity == "high" and broker.moment == "before-consent"
    regs = [r for s in broker.evidence["classification"]["sources"] for r in s["registrations"]]
    assert regs == [{"registry": "ca", "id": "141", "name": "Kloudend, Inc."}]
    assert b.findings("tracking-before-consent") == []


def test_a_registered_brokers_geolocation_api_that_sets_an_identifier_is_tracking_by_behaviour(b):
    # the same host acting like a tracker: a long-lived cookie different in every fresh profile,
    # sent back to it. Tracking by what it does (behaviour), never by the registration.
    for phase, uid in (("baseline", "5b1f0c7e2a9d4e63b8f4"), ("reject", "c93e7a1d05f24b8e9a61")):
        b.visit(phase, [request("https://ipapi.co/json/", 1.0, resource_type="Fetch"),
                        cookie("ipv", uid, 1.0, host="ipapi.co", lifetime=365 * DAY),
                        request("https://ipapi.co/json/?r=2", 2.0, resource_type="Fetch",
                                request_headers={"cookie": f"ipv={uid}"})])
    b.store.db.execute("update cookies set url = 'https://ipapi.co/json/'")
    b.store.db.conn.commit()
    [t] = b.findings("tracking-before-consent")
    assert t.domain == "ipapi.co" and t.evidence["classification"]["basis"]["kind"] == "behaviour"

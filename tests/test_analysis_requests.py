"""Rules over requests: tracking before consent / after reject, session replay, data brokers,
third-country transfers; and the properties every finding has (stable ids, evidence, unverified)."""

from __future__ import annotations

from leakmap.analysis import reanalyze
from tests.analysis_store import CLICK, StoreBuilder, knowledge, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
GA = "https://region1.google-analytics.com/g/collect?v=2&tid=G-AB12CD34EF&cid=7123649219.1790000000"

b = store_fixture()


def by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_tracking_before_consent_fires_with_evidence(b):
    b.visit("baseline", [
        request(SITE, 0.0, resource_type="Document"),
        request("https://connect.facebook.net/en_US/fbevents.js", 0.5, initiator_url=SITE, initiator_type="parser"),
        request("https://www.facebook.com/tr/?id=1&ev=PageView", 0.8, resource_type="Image",
                initiator_url="https://connect.facebook.net/en_US/fbevents.js",
                initiator_stack=["https://connect.facebook.net/en_US/fbevents.js", SITE]),
    ])
    found = by_rule(b.findings("tracking-before-consent"), "tracking-before-consent")
    assert {f.domain for f in found} == {"facebook.net", "facebook.com"}
    tr = next(f for f in found if f.domain == "facebook.com")
    assert tr.severity == "high" and tr.phase == "baseline" and tr.entity == "Meta Platforms, Inc."
    ev = tr.evidence["request"]
    assert ev["url"] == "https://www.facebook.com/tr/?id=1&ev=PageView" and ev["method"] == "GET"
    assert ev["page"] == SITE and ev["before_consent"] is True and ev["t_consent"] is None
    assert ev["initiator"]["chain"] == ["https://connect.facebook.net/en_US/fbevents.js", SITE]
    cls = tr.evidence["classification"]
    assert cls["sources"][0]["source"] == "leakmap" and cls["list_versions"]["leakmap"]


def test_essential_and_first_party_requests_are_not_tracking(b):
    b.visit("baseline", [
        request(SITE + "app.js", 0.1),
        request("https://cdnjs.cloudflare.com/ajax/libs/x/1.0/x.min.js", 0.2),
        request("https://js.stripe.com/v3/", 0.3),
        request("https://fonts.googleapis.com/css2?family=Inter", 0.4, resource_type="Stylesheet"),
        request("https://www.googletagmanager.com/gtm.js?id=GTM-AB12", 0.5),  # a tag manager alone
    ])
    assert b.findings("tracking-before-consent") == []


def test_unknown_host_is_judged_by_the_filter_lists(b):
    b.visit("baseline", [request("https://stats.unlisted-counter.fr/matomo.php?idsite=1&rec=1", 0.1, resource_type="Image"),
                         request("https://cdn.unlisted-widgets.fr/widget.js", 0.2)])
    [f] = b.findings("tracking-before-consent")
    assert f.domain == "unlisted-counter.fr" and f.category == "analytics" and f.entity is None
    assert f.evidence["classification"]["filter"] == {"list": "easyprivacy", "filter": "/matomo.php",
                                                      "version": knowledge().versions()["easyprivacy"]}


def test_consent_mode_denied_pings_are_info(b):
    b.visit("baseline", [request(GA + "&gcs=G100&gcd=13p3p3p3p5", 1.0, resource_type="Ping")])
    [f] = b.findings("tracking-before-consent")
    assert f.severity == "info" and f.evidence["consent_mode"]["denied_pings"] == 1
    assert "cookieless" in f.title


ADS_TAG = "https://www.googleadservices.com/pagead/conversion.js"
ADS_PING = "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123/?random=1"


def test_the_tag_of_a_consent_mode_denied_setup_is_info_too(b):
    # Scenario: before any answer, Google Ads' conversion script is fetched and the tag sends only
    # cookieless pings: Google received the tag download and pings without cookies -- the SPEC's info
    # case, for the script download as for the pings (one owner, one state).
    b.visit("baseline", [request(ADS_TAG, 0.5), request(ADS_PING + "&gcs=G100", 1.0, resource_type="Image")])
    found = {f.domain: f for f in b.findings("tracking-before-consent")}
    assert {d: f.severity for d, f in found.items()} == {"googleadservices.com": "info", "doubleclick.net": "info"}
    assert "denied state" in found["googleadservices.com"].title


def test_the_tag_of_a_granted_setup_is_high(b):
    b.visit("baseline", [request(ADS_TAG, 0.5), request(ADS_PING + "&gcs=G111", 1.0, resource_type="Image")])
    assert {f.domain: f.severity for f in b.findings("tracking-before-consent")} == {
        "googleadservices.com": "high", "doubleclick.net": "high"}


def test_a_tag_without_any_consent_mode_ping_is_high(b):
    # near miss: the script alone, with no Consent Mode ping to show its state, is judged as tracking
    b.visit("baseline", [request(ADS_TAG, 0.5)])
    assert [f.severity for f in b.findings("tracking-before-consent")] == ["high"]


def test_a_granted_ping_among_denied_ones_is_high(b):
    b.visit("baseline", [request(GA + "&gcs=G100", 1.0, resource_type="Ping"),
                         request(GA + "&gcs=G111", 2.0, resource_type="Ping")])
    [f] = b.findings("tracking-before-consent")
    assert f.severity == "high" and "gcs=G111" in f.evidence["request"]["url"]


def test_before_the_click_in_accept_counts_after_does_not(b):
    b.consent("accept")
    b.visit("accept", [request("https://www.facebook.com/tr/?id=1&ev=PageView", CLICK - 2, resource_type="Image"),
                       request("https://bat.bing.com/action/0?ti=5", CLICK + 1, resource_type="Image")])
    found = b.findings("tracking-before-consent")
    assert [(f.phase, f.domain) for f in found] == [("accept", "facebook.com")]
    assert found[0].evidence["request"]["t_consent"] == -2.0 and not found[0].unverified


def test_tracking_after_reject(b):
    b.consent("reject")
    b.visit("reject", [request("https://www.facebook.com/tr/?id=1&ev=PageView", CLICK - 1, resource_type="Image")])
    b.visit("reject", [request("https://bat.bing.com/action/0?ti=5", 3.0 + CLICK, resource_type="Image")], seq=1)
    found = b.findings("tracking-after-reject")
    assert [(f.domain, f.severity) for f in found] == [("bing.com", "high")]  # the pre-click one is before consent
    assert found[0].evidence["request"]["t_consent"] == 3.0
    assert found[0].evidence["consent_action"]["action"] == "reject"


def test_a_request_the_browser_cache_answered_reached_no_one(b):
    """Near miss: after "reject all" the page loads the pixel's script again, but from the browser's
    cache: nothing left for Meta."""
    b.consent("reject")
    b.visit("reject", [request("https://connect.facebook.net/en_US/fbevents.js", CLICK + 1, from_cache=True)])
    assert b.findings("tracking-after-reject") == []


def test_unverified_reject_marks_findings(b):
    b.consent("reject", verified=False, error="after the click the banner is still visible")
    b.visit("reject", [request("https://bat.bing.com/action/0?ti=5", CLICK + 1, resource_type="Image")])
    [f] = b.findings("tracking-after-reject")
    assert f.unverified is True


def test_reject_never_clicked_leaves_everything_before_consent(b):
    # no way to refuse was found: nothing was refused, so nothing is "after reject all"; the
    # tracking on every page is tracking without consent, one fact, certain (no click to verify)
    b.consent("reject", clicked=False, verified=False, error="no visible 'reject' button found")
    b.visit("reject", [request("https://bat.bing.com/action/0?ti=5", 1.0, resource_type="Image")])
    b.visit("reject", [request("https://bat.bing.com/action/0?ti=5&p=2", 20.0, resource_type="Image")], seq=1)
    [before] = b.findings("tracking-before-consent")
    assert (before.phase, before.unverified, before.evidence["requests"]) == ("reject", False, 2)
    assert b.findings("tracking-after-reject") == []


def test_session_replay(b):
    b.consent("accept")
    b.visit("baseline", [request("https://static.hotjar.com/c/hotjar-3817264.js?sv=7", 0.3)])
    b.visit("accept", [request("https://static.hotjar.com/c/hotjar-3817264.js?sv=7", CLICK + 2)])
    found = b.findings("session-replay")
    assert [(f.phase, f.domain, f.severity) for f in found] == [("baseline", "hotjar.com", "high")]


def test_broker_exposure_severity_by_phase(b):
    b.consent("accept")
    b.visit("baseline", [request("https://idsync.rlcdn.com/711187.gif?partner_uid=abc", 1.0, resource_type="Image")])
    b.visit("accept", [request("https://dpm.demdex.net/ibs:dpid=2340", CLICK + 1, resource_type="Image")])
    found = {f.phase: f for f in b.findings("broker-exposure")}
    assert found["baseline"].severity == "high" and found["baseline"].domain == "rlcdn.com"
    assert found["accept"].severity == "info"  # consented, and no identifier rides along
    assert found["accept"].category == "data-broker"


def test_broker_exposure_after_accept_with_an_identifier_is_medium(b):
    b.consent("accept")
    from tests.analysis_store import cookie
    b.visit("accept", [
        cookie("uid", "7c0e2b9a-52f1-4d7e-9a4b-3f1e8d2c6b5a", CLICK + 0.5, host="gum.criteo.com", domain=".criteo.com",
               lifetime=730 * 86400),
        request("https://idsync.rlcdn.com/711187.gif?partner_uid=7c0e2b9a-52f1-4d7e-9a4b-3f1e8d2c6b5a", CLICK + 1,
                resource_type="Image", redirect_from="https://gum.criteo.com/sync"),
    ])
    [f] = b.findings("broker-exposure")
    assert f.severity == "medium" and f.evidence["carried"] == ["identifier from cookie uid"]


def test_third_country_transfer_is_info_with_adequacy(b):
    b.visit("baseline", [request("https://www.facebook.com/tr/?id=1&ev=PageView", 1.0),
                         request("https://widget.criteo.com/event", 1.5)])  # Criteo: France, no finding
    found = b.findings("third-country-transfer")
    assert [(f.domain, f.severity, f.phase) for f in found] == [("facebook.com", "info", None)]
    assert found[0].evidence["country"] == "US" and "Data Privacy Framework" in found[0].evidence["adequacy"]


def test_ids_are_stable_across_times_and_scans(tmp_path):
    ids = []
    for i, shift in enumerate((0.0, 7.5)):
        b = StoreBuilder(tmp_path / f"s{i}.db", SITE)
        b.consent("reject")
        b.visit("baseline", [request("https://www.facebook.com/tr/?id=1&ev=PageView", 1.0 + shift)])
        b.visit("reject", [request("https://bat.bing.com/action/0?ti=5", CLICK + 2 + shift)])
        ids.append(sorted(f.id for f in b.findings()))
        b.store.close()
    assert ids[0] == ids[1] and ids[0]
    assert all(":" in i and i.split(":")[0] for i in ids[0])


def test_ids_differ_by_site_phase_and_domain(tmp_path):
    a = StoreBuilder(tmp_path / "a.db", SITE)
    a.visit("baseline", [request("https://www.facebook.com/tr/?id=1", 1.0), request("https://bat.bing.com/action/0", 1.0)])
    other = StoreBuilder(tmp_path / "b.db", "https://www.autre-site.fr/")
    other.visit("baseline", [request("https://www.facebook.com/tr/?id=1", 1.0)])
    first = {f.domain: f.id for f in a.findings("tracking-before-consent")}
    second = {f.domain: f.id for f in other.findings("tracking-before-consent")}
    assert first["facebook.com"] != first["bing.com"] and first["facebook.com"] != second["facebook.com"]


def test_reanalyze_is_idempotent(b):
    b.consent("reject")
    b.visit("baseline", [request("https://www.facebook.com/tr/?id=1&ev=PageView", 1.0)])
    b.visit("reject", [request("https://bat.bing.com/action/0?ti=5", CLICK + 2)])
    reanalyze(b.store, b.scan_id, knowledge())
    first = list(b.store.db.execute("select * from findings order by id"))
    reanalyze(b.store, b.scan_id, knowledge())
    second = list(b.store.db.execute("select * from findings order by id"))
    assert first == second and len(first) >= 3


def test_forked_workers_give_the_same_findings(tmp_path):
    from leakmap import records as r
    from leakmap.analysis import run

    b = StoreBuilder(tmp_path / "batch.db", SITE)
    for i in range(24):
        site_id = b.store.add_site(r.Site(scan_id=b.scan_id, start_url=f"https://www.site{i}.fr/", domain=f"site{i}.fr"))
        reqs = [request("https://www.facebook.com/tr/?id=1&ev=PageView", 1.0 + i, phase="baseline"),
                request(f"https://www.site{i}.fr/app.js", 1.0, phase="baseline")]
        for rec in reqs:
            rec.stamp(None)
        b.store.save_visit(r.Visit(site_id=site_id, phase="baseline", url=f"https://www.site{i}.fr/"), reqs)
    serial = run(b.store, b.scan_id, knowledge(), workers=1).findings
    forked = run(b.store, b.scan_id, knowledge(), workers=2).findings
    assert serial == forked and len({f.site_id for f in serial}) == 24


def test_broker_exposure_near_miss_a_brokers_consent_domain(b):
    """LiveRamp is a registered data broker, but its consent platform's domain (privacymanager.io) is
    not where it collects as a broker: a request there is no broker exposure."""
    b.visit("baseline", [request("https://gdpr.privacymanager.io/1/gdpr.bundle.js", 1.0)])
    assert b.findings("broker-exposure") == []
    b.visit("baseline", [request("https://idsync.rlcdn.com/711187.gif?partner_uid=abc", 2.0, resource_type="Image")],
            seq=1)
    assert [f.domain for f in b.findings("broker-exposure")] == ["rlcdn.com"]  # its collecting domain is


def test_third_country_transfer_near_miss_adequacy_countries(b):
    """The United Kingdom, Switzerland and Japan have full adequacy decisions: vendors headquartered
    there receive data without a third-country finding; the US vendor beside them gets one."""
    b.visit("baseline", [request("https://go.skimresources.com/?id=1", 1.0),  # Skimlinks: GB
                         request("https://ads.sportradarserving.com/a.js", 1.1),  # Sportradar: CH
                         request("https://i.socdm.com/sdk/js/adg-script-loader.js", 1.2),  # Supership: JP
                         request("https://www.facebook.com/tr/?id=1&ev=PageView", 1.3)])
    assert [f.domain for f in b.findings("third-country-transfer")] == ["facebook.com"]


def test_session_replay_after_reject_and_its_near_miss(b):
    """Hotjar recording after "reject all" is a finding of that moment; the same script loaded only
    before the click is a before-consent fact, and nothing is claimed after the refusal."""
    b.consent("reject")
    b.visit("reject", [request("https://static.hotjar.com/c/hotjar-3817264.js?sv=7", 0.3)])
    found = b.findings("session-replay")
    assert [(f.phase, f.moment, f.severity) for f in found] == [("reject", "before-consent", "high")]
    b.visit("reject", [request("https://static.hotjar.com/c/hotjar-3817264.js?sv=7", CLICK + 2)], seq=1)
    found = b.findings("session-replay")
    assert sorted((f.moment, f.severity) for f in found) == [("after-reject", "high"), ("before-consent", "high")]


def test_what_a_service_worker_answered_itself_never_reached_the_party(b):
    # Scenario: the page's request for Meta's pixel is answered by the site's service worker from its
    # Cache Storage (or made up by its own code): nothing left the browser, Meta received nothing.
    for source in ("cache-storage", "fallback-code"):
        b.visit("baseline", [request("https://www.facebook.com/tr/?id=1&ev=PageView", 1.0, resource_type="Image",
                                     from_cache=True, service_worker=source)])
    assert b.findings("tracking-before-consent") == []
    # near miss: one the worker answered from the network did reach Meta
    b.visit("baseline", [request("https://www.facebook.com/tr/?id=1&ev=PageView", 2.0, resource_type="Image",
                                 from_cache=True, service_worker="network")], seq=1)
    assert [f.domain for f in b.findings("tracking-before-consent")] == ["facebook.com"]

"""Cookie and storage rules: non-essential cookies before consent / after reject, raw lifetimes,
identifiers written to web storage by tracking scripts."""

from __future__ import annotations

from leakmap import records as r
from tests.analysis_store import CLICK, DAY, StoreBuilder, cookie, jar, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"

b = store_fixture()


def test_known_tracking_cookie_before_consent(b):
    b.visit("baseline", [cookie("_ga", "GA1.1.7123649219.1790000000", 1.0, host="www.maison-exemple.fr",
                                domain="maison-exemple.fr", origin="js", script_url=GTAG, lifetime=730 * DAY)])
    [f] = b.findings("cookie-before-consent")
    assert f.severity == "high" and f.category == "analytics" and f.domain == "maison-exemple.fr"
    assert f.evidence["cookie"]["script_url"] == GTAG and f.evidence["cookie"]["raw"].startswith("_ga=")
    assert f.evidence["classification"]["known_cookie"]["platform"] == "Google Analytics"
    assert f.evidence["cookie"]["before_consent"] is True


def test_unknown_cookie_of_a_tracking_third_party(b):
    b.visit("baseline", [cookie("zz_visitor", "b3f1c2", 1.0, host="px.ads.linkedin.com", domain=".linkedin.com")])
    [f] = b.findings("cookie-before-consent")
    assert f.domain == "linkedin.com" and f.evidence["classification"]["basis"] == "set by a tracking third party"


def test_essential_first_party_and_refused_cookies_are_not_flagged(b):
    b.visit("baseline", [
        cookie("euconsent-v2", "CPxyz", 1.0, host="www.maison-exemple.fr", origin="js", script_url=SITE + "cmp.js"),
        cookie("PHPSESSID", "a1b2c3d4e5", 1.0, host="www.maison-exemple.fr", lifetime=None),
        cookie("__cf_bm", "x" * 40, 1.0, host="cdnjs.cloudflare.com", domain=".cloudflare.com"),
        cookie("_ga", "GA1.1.1.2", 1.0, host="www.maison-exemple.fr", domain="co.uk", origin="js", script_url=GTAG),
        cookie("_ga", "GA1.1.1.2", 1.0, host="www.maison-exemple.fr", domain="autre.fr", origin="js", script_url=GTAG),
        cookie("fr", "", 1.0, host="www.facebook.com", domain=".facebook.com", lifetime=0),
        cookie("IDE", "AHWq", 1.0, host="cm.g.doubleclick.net", domain=".doubleclick.net", blocked="ThirdPartyPhaseout"),
    ])
    assert b.findings("cookie-before-consent") == []


def test_cookie_after_reject_written_sent_or_merely_left(b):
    # Scenario a reviewer signs: after "reject all", a tracking cookie written then is data
    # stored against the refusal (high); one set before the click and sent to its third party
    # after it is data leaving against the refusal (high); one set before and only left in the
    # browser is not deleted, an advisory (info) -- its setting is already cookie-before-consent.
    b.consent("reject")
    fbp = "fb.1.1790000000312.5694069480"
    b.visit("reject", [
        cookie("_fbp", fbp, CLICK - 3, host="www.maison-exemple.fr", domain=".maison-exemple.fr", origin="js",
               script_url="https://connect.facebook.net/en_US/fbevents.js", lifetime=90 * DAY),
        cookie("IDE", "AHWqTUk9x2LmQ0pZ", CLICK - 2, host="ad.doubleclick.net", domain=".doubleclick.net"),
        cookie("_uetvid", "3f9a1c2be81d11ef9d5e2b7c4a6f8e01", CLICK - 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url="https://bat.bing.com/bat.js"),
        jar("_fbp", fbp, CLICK + 1, domain=".maison-exemple.fr", moment="after-consent"),
        jar("IDE", "AHWqTUk9x2LmQ0pZ", CLICK + 1, domain=".doubleclick.net", moment="after-consent"),
        jar("_uetvid", "3f9a1c2be81d11ef9d5e2b7c4a6f8e01", CLICK + 1, domain=".maison-exemple.fr",
            moment="after-consent"),
        cookie("MUID", "0A1B2C3D4E5F", CLICK + 2, host="bat.bing.com", domain=".bing.com"),
        jar("hsd_consent", "rejected", CLICK + 1, domain="www.maison-exemple.fr", moment="after-consent"),
        # after the click: the DoubleClick cookie rides along to its own domain, the Meta pixel id in a URL
        request("https://ad.doubleclick.net/ddm/activity/src=1", CLICK + 3, resource_type="Image",
                request_headers={"cookie": "IDE=AHWqTUk9x2LmQ0pZ"}),
        request(f"https://www.facebook.com/tr/?id=1&ev=PageView&fbp={fbp}", CLICK + 4, resource_type="Image"),
    ])
    found = {(f.evidence.get("cookie") or f.evidence["set_before_reject"])["name"]: f
             for f in b.findings("cookie-after-reject")}
    assert set(found) == {"_fbp", "IDE", "MUID", "_uetvid"}
    assert (found["MUID"].severity, found["MUID"].evidence["cookie"]["t_consent"]) == ("high", 2.0)
    assert "written after" in found["MUID"].title
    assert found["IDE"].severity == "high" and found["IDE"].evidence["sent_in"] == "cookie header"
    assert found["IDE"].evidence["request"]["url"].startswith("https://ad.doubleclick.net/")
    assert found["_fbp"].severity == "high" and found["_fbp"].evidence["sent_in"] == "its value in the url"
    assert found["_uetvid"].severity == "info" and "not deleted" in found["_uetvid"].title
    assert found["_uetvid"].evidence["left_in_place"]["name"] == "_uetvid"
    assert all(f.moment == "after-reject" for f in found.values())


def test_no_cookie_after_reject_without_any_banner(b):
    b.consent("reject", clicked=False, verified=False, banner=False, error="no consent banner found")
    b.visit("reject", [cookie("MUID", "0A1B2C3D4E5F", 1.0, host="bat.bing.com", domain=".bing.com"),
                       jar("MUID", "0A1B2C3D4E5F", 2.0, domain=".bing.com")])
    b.visit("reject", [jar("MUID", "0A1B2C3D4E5F", 2.0, domain=".bing.com")], seq=1)
    assert b.findings("cookie-after-reject") == []
    assert [f.phase for f in b.findings("cookie-before-consent")] == ["reject"]


def test_excessive_lifetime_uses_the_raw_attributes(b):
    b.visit("baseline", [
        cookie("IDE", "AHWqTUk", 1.0, host="cm.g.doubleclick.net", domain=".doubleclick.net", lifetime=396 * DAY),
        cookie("fr", "0abc..def", 1.0, host="www.facebook.com", domain=".facebook.com", lifetime=90 * DAY),
        cookie("euconsent-v2", "CPxyz", 1.0, host="www.maison-exemple.fr", lifetime=395 * DAY, origin="js",
               script_url=SITE + "cmp.js"),
        cookie("OptanonConsent", "groups=C0001", 1.0, host="www.maison-exemple.fr", lifetime=150 * DAY, origin="js"),
        # the jar keeps Chromium's capped expiry; the rule reads the raw lifetime of the write
        jar("IDE", "AHWqTUk", 2.0, domain=".doubleclick.net", lifetime=396 * DAY),
    ])
    found = {f.evidence["cookie"]["name"]: f for f in b.findings("excessive-cookie-lifetime")}
    assert set(found) == {"IDE", "euconsent-v2"}
    assert found["IDE"].severity == "medium" and found["IDE"].evidence["lifetime_days"] == 396.0
    assert found["euconsent-v2"].severity == "info" and found["euconsent-v2"].phase is None


def test_lifetime_finding_id_does_not_depend_on_the_phase(tmp_path):
    ids = []
    for i, phase in enumerate(("baseline", "reject")):
        b = StoreBuilder(tmp_path / f"{i}.db", SITE)
        b.visit(phase, [cookie("uid", "7c0e2b9a", 1.0, host="gum.criteo.com", domain=".criteo.com", lifetime=730 * DAY)])
        ids.append([f.id for f in b.findings("excessive-cookie-lifetime")])
    assert ids[0] == ids[1] and len(ids[0]) == 1


def _storage(key: str, value: str, at: float, script: str) -> r.StorageRecord:
    return r.StorageRecord(kind="local", origin=SITE.rstrip("/"), frame_url=SITE, key=key, value=value, time=at,
                           script_url=script, stack=[script, SITE + "app.js"])


def test_storage_identifier_by_a_tracking_script_before_consent(b):
    b.consent("accept")
    b.visit("accept", [
        _storage("_uetvid", "3f9a1c2be81d11ef9d5e2b7c4a6f8e01", 1.0, "https://bat.bing.com/bat.js"),
        _storage("_uetsid", "9c1d2e3f4a5b11efabcd0123456789ab", CLICK + 1, "https://bat.bing.com/bat.js"),
        _storage("theme", "dark", 1.0, "https://bat.bing.com/bat.js"),  # not an identifier
        _storage("cart", "a81f03c9e2d74b5f", 1.0, SITE + "app.js"),  # first party
    ])
    [f] = b.findings("storage-before-consent")
    assert f.domain == "bing.com" and f.evidence["storage"]["key"] == "_uetvid" and f.phase == "accept"
    assert f.evidence["storage"]["script_url"] == "https://bat.bing.com/bat.js"


def test_storage_value_the_same_in_every_fresh_profile_is_not_an_identifier(b):
    # Scenario: a video player stores the id of the video on the page (the same in every fresh
    # profile: a constant, although it looks random) and a device id (different in each): only the
    # device id is an identifier stored before consent.
    player = "https://www.youtube.com/s/player/3d2f5e8c/www-embed-player.js"
    for phase, device in (("baseline", "56655390-3981-40f3-8fa5-f85bc4351fa7"),
                          ("reject", "9caa334d-f91c-452a-8b0b-2b064add865d")):
        b.visit(phase, [
            _storage("ytidb::LAST_RESULT_ENTRY_KEY", '{"data":"KJMhz7RkM50"}', 1.0, player),
            _storage("yt-remote-device-id", f'{{"data":"{device}"}}', 1.0, player),
        ])
    # the player's party is tracking at that moment: a request of it carries its advertising cookie
    for phase in ("baseline", "reject"):
        b.visit(phase, [request("https://www.youtube.com/embed/abc", 0.5, resource_type="Document",
                                request_headers={"cookie": "VISITOR_INFO1_LIVE=Hx3kT9bLq2w"})], seq=1)
    found = b.findings("storage-before-consent")
    assert {f.evidence["storage"]["key"] for f in found} == {"yt-remote-device-id"}
    assert found[0].phases == ["baseline", "reject"]

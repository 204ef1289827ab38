"""``id-sync``: identifiers of one party sent to another (Acar et al. 2014 heuristics)."""

from __future__ import annotations

from leakmap.analysis.identifiers import differs, identifier_tokens, is_timestamp, looks_random, tokens
from tests.analysis_store import DAY, T0, cookie, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
UIDS = {"baseline": "7c0e2b9a-52f1-4d7e-9a4b-3f1e8d2c6b5a", "reject": "e41d8f3c-09ab-4c6e-b2d7-5a8f1e9c3b20"}

b = store_fixture()


def test_tokens_and_identifier_heuristics():
    assert tokens("GA1.1.7123649219.1790000000") == ["7123649219", "1790000000"]
    assert tokens("fb.1.1790000000312.5694069480") == ["1790000000312", "5694069480"]
    assert tokens(UIDS["baseline"]) == [UIDS["baseline"]]
    assert is_timestamp("1790000000", T0) and is_timestamp("1790000000312", T0) and not is_timestamp("7123649219", T0)
    assert looks_random("AHWqTUk9x2LmQ0pZ", T0) and not looks_random("dark-theme", T0) and not looks_random("1790000000", T0)
    assert differs("7123649219", "3958201746", T0) and not differs("1790000000", "1790000004", T0)
    assert not differs("abc123", "abc1234", T0)


def test_cross_profile_comparison():
    # the client-id part differs between fresh profiles, the timestamp part is too similar to count
    ids, confirmed = identifier_tokens("GA1.1.7123649219.1790000000", ["GA1.1.3958201746.1790000100"], T0)
    assert ids == ["7123649219"] and confirmed
    # the same value in another fresh profile is a constant, not an identifier
    assert identifier_tokens("v2-preference-setting", ["v2-preference-setting"], T0) == ([], True)
    # one profile only: judged by its looks
    assert identifier_tokens(UIDS["baseline"], [], T0) == ([UIDS["baseline"]], False)


def _chain(b, phase: str, uid: str, rl_id: str) -> None:
    b.visit(phase, [
        request("https://gum.criteo.com/sync", 1.0, resource_type="Image"),
        cookie("uid", uid, 1.0, host="gum.criteo.com", domain=".criteo.com", lifetime=730 * DAY),
        request(f"https://idsync.rlcdn.com/711187.gif?partner_uid={uid}&redirect=1", 1.1, resource_type="Image",
                redirect_from="https://gum.criteo.com/sync"),
        cookie("rlas3", rl_id, 1.1, host="idsync.rlcdn.com", domain=".rlcdn.com", lifetime=730 * DAY),
        request(f"https://dpm.demdex.net/ibs:dpid=2340&dpuuid={rl_id}&redir=x", 1.2, resource_type="Image",
                redirect_from=f"https://idsync.rlcdn.com/711187.gif?partner_uid={uid}&redirect=1"),
    ])


def test_cookie_value_synced_along_a_redirect_chain(b):
    _chain(b, "baseline", UIDS["baseline"], "Qm9vZ2xlUmxBczNJZDAx")
    _chain(b, "reject", UIDS["reject"], "VGhpcmRQcm9maWxlSWQy")
    # one fact per receiver (before consent in both fresh profiles), with both phases as evidence
    found = {f.domain: f for f in b.findings("id-sync")}
    assert set(found) == {"rlcdn.com", "demdex.net"}
    assert all(f.phases == ["baseline", "reject"] and f.moment == "before-consent" for f in found.values())
    f = found["rlcdn.com"]
    assert [o["phase"] for o in f.evidence["seen_in"]] == ["baseline", "reject"]
    ident = f.evidence["identifier"]
    assert ident["cookie"] == "uid" and ident["owner"] == "criteo.com" and ident["identifier"] == UIDS["baseline"]
    assert ident["compared_across_profiles"] is True and ident["profiles"] == ["baseline", "reject"]
    assert f.evidence["parameter"] == "partner_uid" and f.evidence["found_in"] == "url" and f.severity == "high"
    assert f.evidence["request"]["redirect_chain"] == ["https://gum.criteo.com/sync", f.evidence["request"]["url"]]
    assert found["demdex.net"].evidence["parameter"] == "dpuuid"


def test_same_value_in_every_profile_is_not_an_identifier(b):
    for phase in ("baseline", "reject"):
        b.visit(phase, [cookie("uid", "constant-partner-7", 1.0, host="gum.criteo.com", domain=".criteo.com",
                               lifetime=730 * DAY),
                        request("https://idsync.rlcdn.com/711187.gif?partner_uid=constant-partner-7", 1.1)])
    assert b.findings("id-sync") == []


def test_near_misses_short_lived_same_owner_and_first_party(b):
    b.visit("baseline", [
        # session cookie: not long-lived
        cookie("sid", "Zx81LmQ0pA9cT2vB", 1.0, host="gum.criteo.com", domain=".criteo.com", lifetime=None),
        request("https://idsync.rlcdn.com/711187.gif?partner_uid=Zx81LmQ0pA9cT2vB", 1.1),
        # Google's own id sent to Google: same owner
        cookie("_ga", "GA1.1.7123649219.1790000000", 1.0, host="www.maison-exemple.fr", domain="maison-exemple.fr",
               origin="js", script_url="https://www.googletagmanager.com/gtag/js?id=G-1", lifetime=730 * DAY),
        request("https://region1.google-analytics.com/g/collect?v=2&cid=7123649219.1790000000", 1.2),
        # the site's own server gets the id: not another party
        request(SITE + "api/track?cid=7123649219", 1.3),
        # the token inside a longer token is not the token
        cookie("uid", "Qm9vZ2xlUmxBczNJ", 1.0, host="gum.criteo.com", domain=".criteo.com", lifetime=730 * DAY),
        request("https://dpm.demdex.net/ibs:dpid=1&dpuuid=XQm9vZ2xlUmxBczNJ", 1.4),
    ])
    assert b.findings("id-sync") == []


def test_first_party_identifier_leaked_to_a_third_party_in_post_body(b):
    b.consent("accept")
    b.visit("accept", [
        cookie("visitor", "K7fPq2Zx81LmQ0pA", 1.0, host="www.maison-exemple.fr", origin="js",
               script_url=SITE + "js/app.js", lifetime=365 * DAY),
        request("https://api2.amplitude.com/2/httpapi", 20.0, method="POST", resource_type="Fetch",
                post_data='{"events":[{"user_id":"K7fPq2Zx81LmQ0pA"}]}'),
    ])
    [f] = b.findings("id-sync")
    assert f.domain == "amplitude.com" and f.evidence["found_in"] == "post_data" and f.severity == "medium"
    assert f.evidence["identifier"]["compared_across_profiles"] is False


def test_redirect_between_trackers_with_an_unexplained_identifier(b):
    b.visit("baseline", [
        request("https://cm.g.doubleclick.net/pixel?google_nid=x", 1.0, resource_type="Image"),
        request("https://idsync.rlcdn.com/464526.gif?partner_uid=CAESEJx4kP2mQw7rLz", 1.1, resource_type="Image",
                redirect_from="https://cm.g.doubleclick.net/pixel?google_nid=x"),
        # a redirect from a CDN is no sync
        request("https://cdnjs.cloudflare.com/a.js", 2.0),
        request("https://static.criteo.net/js/ld/publishertag.js?cb=Z8k2Lq0pXv", 2.1,
                redirect_from="https://cdnjs.cloudflare.com/a.js"),
    ])
    [f] = b.findings("id-sync")
    assert f.domain == "rlcdn.com" and f.evidence["sender"]["domain"] == "doubleclick.net"
    assert f.evidence["parameter"] == "partner_uid" and f.evidence["identifier"]["value"] == "CAESEJx4kP2mQw7rLz"

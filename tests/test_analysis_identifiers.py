"""Identifiers judged the same way in every rule, whatever their length (Englehardt et al. 2015),
and a stored choice never taken for one (the site's consent record, words that differ with the
choice)."""

from __future__ import annotations

import pytest

from leakmap import records as r
from leakmap.analysis.identifiers import choice_difference, differs, generated, identifier_tokens, peers
from tests.analysis_store import CLICK, DAY, T0, cookie, jar, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
TFA = "https://cdn.taboola.com/libtrc/unip/1234567/tfa.js"
KEY = "taboola global:user-id"
UUIDS = {"baseline": "7c0e2b9a-52f1-4d7e-9a4b-3f1e8d2c6b5a", "reject": "e41d8f3c-09ab-4c6e-b2d7-5a8f1e9c3b20"}
HEX = {"baseline": "3f9a1", "reject": "c2be7"}

b = store_fixture()


def _storage(phase: str, value: str, at: float = 1.0, script: str = TFA) -> r.StorageRecord:
    return r.StorageRecord(kind="local", origin=SITE.rstrip("/"), frame_url=SITE, key=KEY, value=value, time=at,
                           script_url=script, stack=[script, SITE])


def test_lengths_within_a_quarter_are_compared():
    # <uuid>-tuct<hex> with an unpadded hex part: 45 characters in one profile, 46 in another
    a, c = f"{UUIDS['baseline']}-tuct3f9a", f"{UUIDS['reject']}-tuctc2be7"
    assert (len(a), len(c)) == (45, 46)
    assert identifier_tokens(a, [c], T0) == ([a], True) and identifier_tokens(c, [a], T0) == ([c], True)
    assert differs("Zx81LmQ0pA9c", "K7fPq2Hw3nR5sT1v", T0)  # 12 and 16: within 25 %
    assert not differs("Zx81LmQ0pA9c", "K7fPq2Hw3nR5sT1vB", T0)  # 12 and 17: a different kind of value
    # near misses: the same value everywhere, a word that differs with the choice, an enumeration
    assert identifier_tokens(a, [a], T0) == ([], True)
    assert identifier_tokens("accept", ["reject"], T0) == ([], True)
    assert identifier_tokens("v2_accept", ["v2_reject"], T0) == ([], True)
    assert identifier_tokens("bucket-3", ["bucket-7"], T0) == ([], True)
    assert identifier_tokens("111000", ["100110"], T0) == ([], True)


def test_generated_tokens_and_stored_choices():
    assert generated("AHWqTUk9x2LmQ0pZ", T0) and generated("7123649219", T0) and generated(UUIDS["reject"], T0)
    assert not generated("necessary", T0) and not generated("acceptAllCookies", T0) and not generated("111000", T0)
    assert not generated("1790000000", T0) and not generated("v3-1790000000312-LCP", T0)  # times
    assert choice_difference("accept", "reject") and choice_difference('{"ads":true}', '{"ads":false}')
    assert choice_difference(f"reject|{UUIDS['baseline']}", f"accept|{UUIDS['reject']}")
    assert not choice_difference(UUIDS["baseline"], UUIDS["reject"])  # ids differ, no choice does
    # a tracker's session fields differ in numbers only, between the profiles as in any two visits
    assert not choice_difference("GS1.1.1790000000.1.0.1790000000.0.0.0", "GS1.1.1790000100.1.1.1790000105.60.0.0")


def test_a_random_number_that_reads_as_a_time_is_an_identifier_when_profiles_disagree_by_years():
    # Google Analytics' client id: a random 31-bit number then the first visit's time; about 30 %
    # of the random numbers fall within ten years of now and read as Unix times on their own
    a, c = "GA1.1.1843926051.1790000012", "GA1.1.1512873394.1790000318"
    assert identifier_tokens(a, [c], T0) == (["1843926051"], True)
    assert identifier_tokens("1843926051.1790000012", ["1512873394.1790000318"], T0) == (["1843926051"], True)
    # near misses: times of one scan's visits, hours apart, are times; one profile alone cannot tell
    assert identifier_tokens("GA1.1.1790003600.1790000012", ["GA1.1.1790040000.1790000318"], T0) == ([], True)
    assert identifier_tokens("v3-1790000000312-LCP", ["v3-1790021000876-LCP"], T0) == ([], True)
    assert identifier_tokens("1843926051", [], T0) == ([], False)


def test_a_profile_whose_value_there_is_of_another_length_is_left_out_of_the_comparison():
    # an unpadded random number (Math.floor(Math.random() * 1e10)) is 7 digits long once in a thousand
    # profiles: the others still compare with each other
    mine, others = "8561097936.1796681911", ["9037554999.1796681313", "2334099.1796681675"]
    assert identifier_tokens(mine, others, T0) == (["8561097936"], True)
    # near misses: the same value in one profile, or no profile with a value of its length
    assert identifier_tokens(mine, [*others, "8561097936.1796681999"], T0) == ([], True)
    assert identifier_tokens(mine, ["2334099.1796681675"], T0) == ([], True)


def test_profiles_that_made_the_same_choice_are_compared_first():
    seen = {"accept": [("accept", "after-accept")], "reject": [("reject", "after-reject")],
            "withdraw": [("accept", "after-accept"), ("reject", "after-withdrawal")]}
    assert peers(seen, "accept", "after-accept") == ["accept"]
    assert peers(seen, "reject", "after-reject") == ["reject"]  # a withdrawal refused too
    assert peers({"accept": [("accept", "after-accept")]}, "reject", "after-reject") == ["accept"]  # no other refusal
    assert peers({"baseline": [("x1", "before-consent")]}, "accept", "before-consent") == ["x1"]


@pytest.mark.parametrize("digits", [(4, 4), (4, 5), (5, 4), (5, 5)])
def test_a_variable_length_storage_id_gets_the_same_verdict_whatever_its_length(b, digits):
    # Scenario: the tracker's id is <uuid>-tuct<hex> with an unpadded hex part, so it holds 45 or 46
    # characters by chance. A reviewer signs "it stored an identifier before consent" every time.
    for (phase, uid), n in zip(UUIDS.items(), digits, strict=True):
        b.visit(phase, [_storage(phase, f"{uid}-tuct{HEX[phase][:n]}")])
    [f] = b.findings("storage-before-consent")
    assert (f.domain, f.phases, f.severity) == ("taboola.com", ["baseline", "reject"], "high")
    assert f.evidence["storage"]["compared_across_profiles"] is True


@pytest.mark.parametrize("values", [
    ("7c0e2b9a-52f1-4d7e-9a4b-3f1e8d2c6b5a-tuct3f9a",) * 2,  # the same value everywhere: a constant
    ("layout-grid", "layout-list"),  # words that differ
    ("bucket-3", "bucket-7"),  # a small enumeration
])
def test_storage_near_misses_are_not_identifiers(b, values):
    for phase, value in zip(UUIDS, values, strict=True):
        b.visit(phase, [_storage(phase, value)])
    assert b.findings("storage-before-consent") == []


def test_a_variable_length_cookie_id_is_judged_alike_in_the_cookie_and_sync_paths(b):
    # the same tracker id in a cookie of an unlisted party, 45 and 46 characters, sent to Criteo
    for phase, n in (("baseline", 4), ("reject", 5)):
        uid = f"{UUIDS[phase]}-tuct{HEX[phase][:n]}"
        b.visit(phase, [
            request("https://px.unlisted-tags.fr/pixel", 1.0, resource_type="Image"),
            cookie("ut_id", uid, 1.0, host="px.unlisted-tags.fr", domain=".unlisted-tags.fr",
                   url="https://px.unlisted-tags.fr/pixel"),
            request(f"https://gum.criteo.com/sync?ut={uid}", 1.5, resource_type="Image"),
        ])
    tracked = {f.domain: f for f in b.findings("tracking-before-consent")}
    assert tracked["unlisted-tags.fr"].evidence["classification"]["basis"]["how"] == "sets"
    [sync] = b.findings("id-sync")
    assert sync.domain == "criteo.com" and sync.evidence["identifier"]["compared_across_profiles"] is True
    assert [f.evidence["cookie"]["name"] for f in b.findings("cookie-before-consent")] == ["ut_id"]


CMP = "https://cdn.optinbox-cmp.eu/v1/loader.js"
SAVE = "https://consent.optinbox-cmp.eu/v1/save"
CIDS = {"accept": "5b1f0c7e-2d4a-4f9b-8e3c-91a7d6e2f0b4", "reject": "c93e7a15-6b0d-4e28-a4f1-0d8b2c5e9a36"}


def _answered(b, phase: str, choice: str, tracker: str | None = None) -> None:
    """A hosted CMP (unknown to the lists, in a frame of another site) answered at the click: its
    loader keeps the word in a first-party cookie, its save endpoint a cookie of its own with a
    consent id beside it; its configuration is fetched on later pages with them. ``tracker``: an
    unlisted tracker that also sets its id at the click (a site that ignores the answer)."""
    b.consent(phase)
    evidence = [
        request(CMP, 0.5),
        request(f"{SAVE}?choice={choice}", CLICK + 0.1, resource_type="Fetch"),
        cookie("ob_choice", choice, CLICK + 0.1, host="www.maison-exemple.fr", origin="js", script_url=CMP),
        cookie("ob_consent", choice, CLICK + 0.2, host="consent.optinbox-cmp.eu", domain=".optinbox-cmp.eu"),
        cookie("ob_cid", CIDS[phase], CLICK + 0.2, host="consent.optinbox-cmp.eu", domain=".optinbox-cmp.eu"),
        jar("ob_choice", choice, CLICK + 1, domain="www.maison-exemple.fr", moment="after-consent"),
        jar("ob_consent", choice, CLICK + 1, domain=".optinbox-cmp.eu", moment="after-consent"),
        jar("ob_cid", CIDS[phase], CLICK + 1, domain=".optinbox-cmp.eu", moment="after-consent"),
        request("https://consent.optinbox-cmp.eu/v1/config.json", CLICK + 5, resource_type="Fetch",
                request_headers={"cookie": f"ob_consent={choice}; ob_cid={CIDS[phase]}"}),
    ]
    for e in evidence:
        if isinstance(e, r.CookieRecord) and e.origin == "http":
            e.url = f"{SAVE}?choice={choice}"  # what the save response set
    if tracker:
        evidence += [request("https://px.unlisted-tags.fr/pixel", CLICK + 0.3, resource_type="Image"),
                     cookie("ut_id", tracker, CLICK + 0.3, host="px.unlisted-tags.fr", domain=".unlisted-tags.fr",
                            url="https://px.unlisted-tags.fr/pixel"),
                     jar("ut_id", tracker, CLICK + 1, domain=".unlisted-tags.fr", moment="after-consent")]
    b.visit(phase, evidence)


def test_a_consent_platform_unknown_to_the_lists_keeps_the_choice_not_an_identifier(b):
    # Scenario: the site obeys "reject all". Its hosted CMP (not in any list) stores the words
    # accept/reject and a consent id, set at the deciding click, and reads them back later. A
    # reviewer signs nothing against it: its cookies are the consent record.
    _answered(b, "accept", "accept")
    _answered(b, "reject", "reject")
    findings = b.findings()
    assert [f for f in findings if f.rule in ("cookie-after-reject", "tracking-after-reject", "id-sync")] == []
    assert [f for f in findings if f.severity == "high"] == []


def test_an_id_set_at_the_click_by_a_tracker_is_still_one(b):
    # near miss: beside the same consent record, an unlisted tracker sets its own id at the click in
    # both profiles (the site ignores the refusal): that id is no part of the choice
    _answered(b, "accept", "accept", tracker="Q2x0ZXJuYXRpdmVJZDAx")
    _answered(b, "reject", "reject", tracker="VHJhY2tlcklkUHJvZmls")
    assert {f.domain for f in b.findings("tracking-after-reject")} == {"unlisted-tags.fr"}
    assert [f.evidence["cookie"]["name"] for f in b.findings("cookie-after-reject")] == ["ut_id"]


def test_a_word_that_differs_with_the_choice_is_no_identifier_without_the_snapshots(b):
    # without jar snapshots or a second choice to compare with, the words alone are no identifier
    b.consent("reject")
    b.visit("reject", [request("https://consent.optinbox-cmp.eu/v1/config.json", CLICK + 5, resource_type="Fetch",
                               request_headers={"cookie": "ob_consent=reject"}),
                       cookie("ob_consent", "reject", CLICK + 0.2, host="consent.optinbox-cmp.eu",
                              domain=".optinbox-cmp.eu")])
    b.visit("baseline", [cookie("ob_consent", "unset", 1.0, host="consent.optinbox-cmp.eu",
                                domain=".optinbox-cmp.eu", lifetime=365 * DAY)])
    assert b.findings("tracking-after-reject") == [] and b.findings("cookie-after-reject") == []

"""Rules about the banner and consent signals: consent-signal-mismatch (Google Consent Mode, IAB
TCF), no-reject-option, consent-or-pay, consent-banner-missing."""

from __future__ import annotations

import base64

from leakmap.analysis.signals import consent_mode, decode_tc, denied_ping, granted
from tests.analysis_store import CLICK, StoreBuilder, cookie, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
GA = "https://region1.google-analytics.com/g/collect?v=2&tid=G-AB12CD34EF&cid=7123649219.1790000000"


def tc_string(purposes: list[int], vendors: list[int]) -> str:
    """A TCF v2 core segment (bitfield vendor encoding) with the given consents."""
    bits = ""

    def put(value: int, width: int) -> None:
        nonlocal bits
        bits += format(value, f"0{width}b")

    def field(ids: list[int], width: int) -> None:
        nonlocal bits
        bits += "".join("1" if i in ids else "0" for i in range(1, width + 1))

    put(2, 6); put(17900000000, 36); put(17900000000, 36); put(10, 12); put(1, 12); put(1, 6)  # noqa: E702
    put(ord("F") - 65, 6); put(ord("R") - 65, 6); put(120, 12); put(4, 6); put(0, 1); put(0, 1)  # noqa: E702
    put(0, 12); field(purposes, 24); put(0, 24); put(0, 1); put(ord("F") - 65, 6); put(ord("R") - 65, 6)  # noqa: E702
    top = max(vendors, default=0)
    put(top, 16); put(0, 1); field(vendors, top)  # noqa: E702
    put(0, 16); put(0, 1); put(0, 12)  # noqa: E702
    bits += "0" * (-len(bits) % 8)
    return base64.urlsafe_b64encode(int(bits, 2).to_bytes(len(bits) // 8, "big")).decode().rstrip("=")

b = store_fixture()


def test_signal_parsing():
    assert consent_mode(GA) is None
    assert denied_ping(consent_mode(GA + "&gcs=G100"))
    assert granted(consent_mode(GA + "&gcs=G101")) == ["analytics_storage"]
    state = consent_mode(GA + "&gcd=13r3r3p3p5")
    assert state["ad_storage"] and state["analytics_storage"] and state["ad_user_data"] is False
    assert granted(consent_mode(GA + "&gcd=13l3l3l3l1")) == []
    tc = decode_tc(tc_string([1, 2, 7], [91, 755]))
    assert tc["purposes_consent"] == [1, 2, 7] and tc["vendors_consent"] == [91, 755]
    assert decode_tc("not-a-tc-string!") is None


def test_google_consent_mode_granted_after_reject(b):
    b.consent("reject")
    b.visit("reject", [request(GA + "&gcs=G111&gcd=13r3r3r3r5", CLICK + 1, resource_type="Ping"),
                       request(GA + "&gcs=G100&gcd=13q3q3q3q5", CLICK + 2, resource_type="Ping")])
    [f] = b.findings("consent-signal-mismatch")
    assert f.severity == "high" and f.domain == "google-analytics.com" and f.evidence["signal"] == "gcs-granted-after-reject"
    assert f.evidence["consent_mode"]["gcs"] == "G111"


def test_denied_after_reject_and_granted_after_accept_are_fine(b):
    b.consent("accept")
    b.consent("reject")
    b.visit("reject", [request(GA + "&gcs=G100", CLICK + 1, resource_type="Ping")])
    b.visit("accept", [request(GA + "&gcs=G111", CLICK + 1, resource_type="Ping")])
    assert b.findings("consent-signal-mismatch") == []


def test_consent_mode_granted_before_any_choice(b):
    b.visit("baseline", [request(GA + "&gcs=G111", 1.0, resource_type="Ping")])
    [f] = b.findings("consent-signal-mismatch")
    assert f.evidence["signal"] == "gcs-granted-before-choice" and f.phase == "baseline"


def test_tc_string_in_a_request_before_choice_and_after_reject(b):
    b.consent("reject")
    granting = tc_string([1, 2, 3, 4], [91, 755])
    refusing = tc_string([], [])
    b.visit("baseline", [request(f"https://bidder.criteo.com/cdb?gdpr=1&gdpr_consent={granting}", 1.0)])
    b.visit("reject", [request(f"https://bidder.criteo.com/cdb?gdpr=1&gdpr_consent={granting}", CLICK + 1),
                       request(f"https://bidder.criteo.com/cdb?gdpr=1&gdpr_consent={refusing}", CLICK + 2)])
    found = {(f.phase, f.evidence["signal"]) for f in b.findings("consent-signal-mismatch")}
    assert found == {("baseline", "tcf-granted-before-choice"), ("reject", "tcf-granted-after-reject")}


def test_tcf_state_recorded_by_the_consent_engine(b):
    b.consent("reject", details={"tcf": {"tcString": tc_string([1], [755]), "eventStatus": "useractioncomplete"}})
    b.consent("accept", details={"tcf": {"tcString": tc_string([1, 2], [755])}})
    [f] = b.findings("consent-signal-mismatch")
    assert f.phase == "reject" and f.evidence["recorded_in"] == "consent.details.tcf"
    assert f.evidence["tcf"]["purposes_consent"] == [1]


def test_vendor_without_tcf_consent_receives_data(b):
    b.consent("accept", details={"tcf": {"tcString": tc_string([1, 2, 3, 4], [755])}})
    b.visit("accept", [request("https://bidder.criteo.com/cdb?x=1", CLICK + 1, method="POST", resource_type="XHR"),
                       request("https://googleads.g.doubleclick.net/pagead/id", CLICK + 1)])
    [f] = b.findings("consent-signal-mismatch")
    assert f.domain == "criteo.com" and f.evidence["vendor_id"] == 91 and f.severity == "medium"


def test_no_reject_option_from_the_engine_and_inferred(tmp_path):
    b = StoreBuilder(tmp_path / "a.db", SITE)
    b.consent("baseline", clicked=False, details={"first_layer": {"accept": "Tout accepter", "reject": None}})
    [f] = b.findings("no-reject-option")
    assert f.severity == "medium" and not f.unverified
    c = StoreBuilder(tmp_path / "b.db", SITE)
    c.consent("accept", details={"button_text": "Accept all"})
    c.consent("reject", clicked=False, verified=False, banner=False, error="no visible 'reject' button found")
    [g] = c.findings("no-reject-option")
    assert g.unverified and "no reject control was found" in g.evidence["basis"]
    d = StoreBuilder(tmp_path / "c.db", SITE)
    d.consent("reject", steps=2)
    assert "2 clicks" in d.findings("no-reject-option")[0].evidence["basis"]


def test_reject_on_the_first_layer_is_fine(b):
    b.consent("baseline", clicked=False, details={"first_layer": {"accept": "Accept all", "reject": "Reject all"}})
    b.consent("accept")
    b.consent("reject")
    assert b.findings("no-reject-option") == []


PAY = {"text": "Pur-Abo: werbefrei lesen für 2,99 € im Monat", "link": "https://www.maison-exemple.fr/abo.html"}


def test_a_pay_or_ok_wall_is_named_with_its_paid_alternative(tmp_path):
    # Scenario: the banner offers "Zustimmen" or a subscription, nothing to refuse for free; the
    # reject phase could not act. The wall is named (info) beside no-reject-option (medium).
    b = StoreBuilder(tmp_path / "a.db", SITE)
    layer = {"first_layer": {"accept": "Zustimmen", "reject": None, "settings": None}, "paid_alternative": PAY}
    b.consent("baseline", clicked=False, details=layer)
    b.consent("accept", details=layer)
    b.consent("reject", clicked=False, verified=False, details=layer,
              error="the banner was seen but no way to reject was found")
    [f] = b.findings("consent-or-pay")
    assert (f.severity, f.domain, f.phase, f.moment) == ("info", "maison-exemple.fr", None, None)
    assert f.evidence["paid_alternative"] == PAY and f.evidence["seen_in"] == ["accept", "baseline", "reject"]
    assert PAY["text"] in f.title
    assert b.findings("no-reject-option")[0].severity == "medium"


def test_a_paid_offer_beside_a_free_refusal_is_no_wall(tmp_path):
    # Near misses: the same offer on a banner that also has "Alle ablehnen" on its first layer; and
    # one whose refusal, through its settings, worked and was verified.
    b = StoreBuilder(tmp_path / "a.db", SITE)
    b.consent("baseline", clicked=False, details={"first_layer": {"accept": "Zustimmen", "reject": "Alle ablehnen"},
                                                  "paid_alternative": PAY})
    assert b.findings("consent-or-pay") == []
    c = StoreBuilder(tmp_path / "b.db", SITE)
    c.consent("baseline", clicked=False, details={"paid_alternative": PAY})
    c.consent("reject", steps=3, details={"paid_alternative": PAY})
    assert c.findings("consent-or-pay") == []
    d = StoreBuilder(tmp_path / "c.db", SITE)  # no paid offer at all: nothing to name
    d.consent("baseline", clicked=False, details={"first_layer": {"accept": "Zustimmen", "reject": None}})
    assert d.findings("consent-or-pay") == [] and d.findings("no-reject-option")


def test_consent_banner_missing(tmp_path):
    b = StoreBuilder(tmp_path / "a.db", SITE)
    for phase in ("accept", "reject"):
        b.consent(phase, clicked=False, verified=False, banner=False, error="no consent banner found")
    b.visit("baseline", [request("https://bat.bing.com/action/0?ti=5", 1.0, resource_type="Image"),
                         cookie("_uetvid", "3f9a1c2be81d11ef", 1.0, host="www.maison-exemple.fr", origin="js")])
    [f] = b.findings("consent-banner-missing")
    assert f.severity == "high" and f.evidence["tracking_domains_before_consent"] == ["bing.com"]
    assert f.evidence["tracking_cookies"] == ["_uetvid"] and f.phase is None


def test_banner_found_or_no_tracking_means_no_missing_banner(tmp_path):
    with_banner = StoreBuilder(tmp_path / "a.db", SITE)
    with_banner.consent("accept")
    with_banner.visit("baseline", [request("https://bat.bing.com/action/0?ti=5", 1.0, resource_type="Image")])
    assert with_banner.findings("consent-banner-missing") == []
    clean = StoreBuilder(tmp_path / "b.db", SITE)
    clean.consent("accept", clicked=False, verified=False, banner=False)
    clean.visit("baseline", [request("https://cdnjs.cloudflare.com/ajax/libs/x/1/x.js", 1.0)])
    assert clean.findings("consent-banner-missing") == []

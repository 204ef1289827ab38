"""The Global Privacy Control rules: gpc-ignored, gpc-signal-mismatch, gpc-honoured, each where it
fires and a near miss; and the gpc phase's evidence joining the EU facts before consent."""

from __future__ import annotations

import json

from tests.analysis_store import cookie, request, store_fixture

SITE = "https://www.maison-exemple.fr/"
FB_JS = "https://connect.facebook.net/en_US/fbevents.js"
FB_TR = "https://www.facebook.com/tr/?id=1&ev=PageView"
GA = "https://region1.google-analytics.com/g/collect?v=2&tid=G-AB12CD34EF"
# usnat strings encoded by the IAB's @iabgpp/cmpapi (test_gpp.py decodes such strings alike):
USNAT_OPTED_OUT = "DBABLA~CFQVAAAAAABA.YA"  # Sale/Sharing/TargetedAdvertising OptOut = 1, Gpc = true
USNAT_NOT_OPTED_OUT = "DBABLA~CFQqAAAAAABA.YA"  # the same opt-outs = 2 (did not opt out), Gpc = true

b = store_fixture()


def rules(findings, rule):
    return [f for f in findings if f.rule == rule]


def _meta(phase_start: float = 0.0):
    return [request(SITE, phase_start, resource_type="Document"), request(FB_JS, phase_start + 0.5),
            request(FB_TR, phase_start + 0.8, resource_type="Image", initiator_url=FB_JS)]


def test_gpc_ignored_fires_per_party_with_the_baseline_beside(b):
    b.visit("baseline", _meta())
    b.consent("gpc", clicked=False, banner=True)
    b.visit("gpc", [*_meta(), cookie("_fbp", "fb.1.1790000000.123456789", 0.9, host="www.maison-exemple.fr",
                                     domain=".maison-exemple.fr", origin="js", script_url=FB_JS)])
    found = rules(b.findings(), "gpc-ignored")
    assert {f.domain for f in found} == {"facebook.net", "facebook.com"}
    net = next(f for f in found if f.domain == "facebook.net")
    assert net.severity == "high" and net.phases == ["gpc"] and net.moment == "before-consent"
    assert net.evidence["without_gpc"] == {"phase": "baseline", "requests": 1, "contacted": True}
    assert net.evidence["request"]["url"] == FB_JS
    assert [c["name"] for c in net.evidence["cookies"]] == ["_fbp"]
    assert "with Global Privacy Control on (as without the signal)" in net.title


def test_gpc_ignored_near_miss_analytics_and_essentials(b):
    """Analytics and a CDN are not what a GPC opt-out of sale and sharing covers: no gpc-ignored
    (the EU rule still sees the analytics before consent, once for both phases)."""
    for phase in ("baseline", "gpc"):
        b.visit(phase, [request(SITE, 0.0, resource_type="Document"), request(GA, 0.5, resource_type="Ping"),
                        request("https://cdnjs.cloudflare.com/ajax/libs/x/1.0/x.min.js", 0.6)])
    found = b.findings()
    assert rules(found, "gpc-ignored") == []
    [ga] = rules(found, "tracking-before-consent")
    assert ga.domain == "google-analytics.com" and ga.phases == ["baseline", "gpc"]  # one fact, both phases


def test_signal_mismatch_gpp_says_not_opted_out(b):
    b.consent("gpc", clicked=False, details={"gpp": {"status": "ok", "gppString": USNAT_NOT_OPTED_OUT}})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document")])
    [f] = rules(b.findings(), "gpc-signal-mismatch")
    assert f.severity == "high" and f.phase == "gpc" and f.domain == "maison-exemple.fr"
    [signal] = f.evidence["signals"]
    assert signal["contradicting"] == {"usnat": {"SaleOptOut": 2, "SharingOptOut": 2, "TargetedAdvertisingOptOut": 2}}
    assert signal["raw"] == USNAT_NOT_OPTED_OUT


def test_signal_mismatch_usprivacy_api_and_cookie(b):
    b.consent("gpc", clicked=False, details={"usp": {"status": "ok", "uspString": "1YNN"}})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"),
                    cookie("usprivacy", "1YNN", 0.3, host="www.maison-exemple.fr", origin="js",
                           script_url=SITE + "cmp.js")])
    [f] = rules(b.findings(), "gpc-signal-mismatch")  # one fact: the site's signals contradict GPC
    assert {s["source"] for s in f.evidence["signals"]} == {"US Privacy (__uspapi)",
                                                            "cookie usprivacy (www.maison-exemple.fr)"}
    assert all(s["contradicting"] == {"uspv1": {"OptOutSale": "N"}} for s in f.evidence["signals"])


def test_signal_near_miss_opted_out_signals_are_honoured(b):
    b.visit("baseline", _meta())
    b.consent("gpc", clicked=False, banner=False,
              details={"gpp": {"status": "ok", "gppString": USNAT_OPTED_OUT}, "usp": {"uspString": "1YYN"},
                       "navigator_gpc": True})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"),
                    cookie("usprivacy", "1YYN", 0.3, host="www.maison-exemple.fr", origin="js", script_url=SITE)])
    found = b.findings()
    assert rules(found, "gpc-signal-mismatch") == [] and rules(found, "gpc-ignored") == []
    [ok] = rules(found, "gpc-honoured")
    assert ok.severity == "info" and ok.phase == "gpc"
    assert ok.evidence["stopped"] == ["facebook.com", "facebook.net"]
    assert ok.evidence["navigator_gpc"] is True
    answers = {s["source"]: s["answers"] for s in ok.evidence["signals"]}
    assert answers["GPP (__gpp ping)"]["usnat"] == {"SaleOptOut": 1, "SharingOptOut": 1,
                                                    "TargetedAdvertisingOptOut": 1, "Gpc": True}
    assert "2 parties contacted without it not contacted" in ok.title


def test_honoured_is_withheld_when_a_party_ignores_it(b):
    b.consent("gpc", clicked=False, details={"gpp": {"gppString": USNAT_OPTED_OUT}})
    b.visit("gpc", _meta())
    found = b.findings()
    assert rules(found, "gpc-honoured") == []
    assert sorted(f.domain for f in rules(found, "gpc-ignored")) == ["facebook.com", "facebook.net"]  # Meta's script and pixel
    assert rules(found, "gpc-signal-mismatch") == []  # the string is right; the tags are not


def test_no_gpc_phase_no_gpc_finding(b):
    b.visit("baseline", _meta())
    b.consent("baseline", clicked=False, details={"usp": {"uspString": "1YNN"}})
    assert not [f for f in b.findings() if f.rule.startswith("gpc-")]


PREBID = "https://ib.adnxs.com/ut/v3/prebid?gpp_sid=7&gpp={gpp}&us_privacy={usp}"


def test_signal_mismatch_in_what_the_tags_pass_to_vendors(b):
    """No CMP answered the page's GPP ping, but the ad tag told the exchange the visitor did not
    opt out: the site's signal to its vendors contradicts GPC."""
    b.consent("gpc", clicked=False, details={"gpp": {"status": "no-cmp"}})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"),
                    request(PREBID.format(gpp=USNAT_NOT_OPTED_OUT, usp="1YNN"), 0.5, resource_type="XHR"),
                    request(PREBID.format(gpp=USNAT_NOT_OPTED_OUT, usp="1YNN") + "&n=2", 0.7, resource_type="XHR"),
                    # the site's own server is no vendor
                    request(SITE + "api/log?us_privacy=1YNY", 0.8, resource_type="XHR")])
    [f] = rules(b.findings(), "gpc-signal-mismatch")
    signals = {s["source"]: s for s in f.evidence["signals"]}
    assert set(signals) == {"GPP passed to vendors (gpp to ib.adnxs.com)",
                            "US Privacy passed to vendors (us_privacy to ib.adnxs.com)"}  # one per string
    gpp = signals["GPP passed to vendors (gpp to ib.adnxs.com)"]
    assert gpp["raw"] == USNAT_NOT_OPTED_OUT and gpp["hosts"] == ["ib.adnxs.com"]
    assert gpp["contradicting"] == {"usnat": {"SaleOptOut": 2, "SharingOptOut": 2, "TargetedAdvertisingOptOut": 2}}
    assert "ib.adnxs.com" in f.title


def test_vendor_signal_near_miss_opted_out_strings(b):
    """Opted-out strings passed on are what GPC asks for (the exchange being contacted at all is
    gpc-ignored's question, not this rule's)."""
    b.consent("gpc", clicked=False, details={"gpp": {"status": "no-cmp"}})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"),
                    request(PREBID.format(gpp=USNAT_OPTED_OUT, usp="1YYN"), 0.5, resource_type="XHR")])
    found = b.findings()
    assert rules(found, "gpc-signal-mismatch") == []
    assert [f.domain for f in rules(found, "gpc-ignored")] == ["adnxs.com"]


def test_signal_mismatch_in_an_openrtb_body(b):
    """Prebid Server gets the signal in the bid request's regs, not in the URL."""
    body = json.dumps({"id": "a1", "imp": [{"id": "1"}],
                       "regs": {"gpp": USNAT_NOT_OPTED_OUT, "gpp_sid": [7], "ext": {"us_privacy": "1YNN"}}})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"),
                    request("https://prebid.adnxs.com/pbs/v1/openrtb2/auction", 0.5, resource_type="XHR",
                            method="POST", post_data=body)])
    [f] = rules(b.findings(), "gpc-signal-mismatch")
    assert {s["source"] for s in f.evidence["signals"]} == {
        "GPP passed to vendors (gpp to prebid.adnxs.com)", "US Privacy passed to vendors (us_privacy to prebid.adnxs.com)"}

"""The Global Privacy Control rules: gpc-ignored, gpc-signal-mismatch, gpc-honoured, each where it
fires and a near miss; and the gpc phase's evidence joining the EU facts before consent."""

from __future__ import annotations

import json

from tests.analysis_store import StoreBuilder, cookie, request, store_fixture

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


# -- the law that applies (--jurisdiction), service-provider modes, /.well-known/gpc.json ----------
# strings encoded by the IAB's @iabgpp/cmpapi (GppModel.setFieldValue + encode):
USCA_NOT_USCO_OUT = "DBACBmA~BAoAAACA.QA~BAUAAIA.QA"  # usca Sale/SharingOptOut = 2; usco opt-outs = 1
USCO_NOT = "DBABJg~BFoAAIA.QA"  # usco SaleOptOut, TargetedAdvertisingOptOut = 2 (did not opt out)
USCO_SERVICE_PROVIDER = "DBABJg~BAAAAGQ.QA"  # usco opt-outs 0 (not applicable), MspaServiceProviderMode = 1
USVA_NOT = "DBABRg~BAoAACA"  # usva opt-outs = 2: Virginia has no duty to honour GPC


def builder(tmp_path, *laws: str) -> StoreBuilder:
    return StoreBuilder(tmp_path / f"{'-'.join(laws) or 'default'}.db",
                        config={"jurisdiction": list(laws)} if laws else {})


def _gpp(b: StoreBuilder, gpp: str, evidence=()) -> None:
    b.consent("gpc", clicked=False, banner=False, details={"gpp": {"status": "ok", "gppString": gpp}})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"), *evidence])


def test_only_the_sections_of_states_in_scope_are_judged(tmp_path):
    """California's section says "not opted out", Colorado's says opted out: a Colorado audit has
    nothing to say about California's section; a California one (and the default) has."""
    for laws, expected in (((), ["usca"]), (("us-ca",), ["usca"]), (("us-co",), [])):
        b = builder(tmp_path, *laws)
        _gpp(b, USCA_NOT_USCO_OUT)
        found = b.findings()
        mismatch = rules(found, "gpc-signal-mismatch")
        assert [s for f in mismatch for w in f.evidence["signals"] for s in w["contradicting"]] == expected, laws
        if expected:
            [f] = mismatch
            assert [c["cite"] for c in f.evidence["statutes"]] == ["Cal. Civ. Code § 1798.135(b)(1), (e)",
                                                                   "Cal. Code Regs. tit. 11, § 7025(b)-(c)"]
            assert f.title.endswith("(Cal. Civ. Code § 1798.135(b)(1), (e))")
        else:
            assert rules(found, "gpc-honoured")
        b.store.close()


def test_a_usnat_mismatch_cites_every_state_in_scope(tmp_path):
    b = builder(tmp_path, "us-co", "us-ct")
    _gpp(b, USNAT_NOT_OPTED_OUT)
    [f] = rules(b.findings(), "gpc-signal-mismatch")
    assert {c["jurisdiction"] for c in f.evidence["statutes"]} == {"us-co", "us-ct"}
    assert "C.R.S. § 6-1-1306(1)(a)(IV)" in [c["cite"] for c in f.evidence["statutes"]]
    assert f.title.endswith("(C.R.S. § 6-1-1306(1)(a)(IV) and the laws of 1 more state)")


def test_the_default_cites_every_state_whose_duty_is_in_force(b):
    b.visit("gpc", _meta())
    [f] = [f for f in b.findings() if f.rule == "gpc-ignored" and f.domain == "facebook.com"]
    states = {c["jurisdiction"] for c in f.evidence["statutes"]}
    assert {"us-ca", "us-co", "us-ct", "us-tx", "us-or", "us-de"} <= states  # in force at the scan (2026-09)
    assert not states & {"us-va", "us-ut"}  # no opt-out signal duty there
    assert f.title.endswith(f"(Cal. Civ. Code § 1798.135(b)(1), (e) and the laws of {len(states) - 1} more states)")


def test_no_gpc_finding_without_a_us_law_that_makes_gpc_binding(tmp_path):
    eu = builder(tmp_path, "eu")
    eu.visit("gpc", _meta())
    found = eu.findings()
    assert not [f for f in found if f.rule.startswith("gpc-")] and rules(found, "tracking-before-consent")
    va = builder(tmp_path, "us-va")  # Virginia: no duty to honour GPC, and not the EU either
    _gpp(va, USVA_NOT, _meta()[1:])
    assert va.findings() == []  # the pixel ignores GPC and the string says "not opted out": no law in scope says so
    eu.store.close()
    va.store.close()


def test_a_section_in_mspa_service_provider_mode_may_say_not_applicable(tmp_path):
    sp, near = builder(tmp_path, "us-co"), builder(tmp_path, "us-co", "eu")
    _gpp(sp, USCO_SERVICE_PROVIDER)
    _gpp(near, USCO_NOT)
    assert rules(sp.findings(), "gpc-signal-mismatch") == []
    [f] = rules(near.findings(), "gpc-signal-mismatch")
    assert f.evidence["signals"][0]["contradicting"] == {"usco": {"SaleOptOut": 2, "TargetedAdvertisingOptOut": 2}}
    sp.store.close()
    near.store.close()


GTAG = "https://www.googletagmanager.com/gtag/js?id=AW-123456789"
ADS_RDP = ("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456789/?random=1&cv=11"
           "&fst=1790000000000&num=1&rdp=1&url=https%3A%2F%2Fwww.maison-exemple.fr%2F")
FB_LDU = FB_TR + "&dpo=LDU&dpoco=1&dpost=1000"


def _in_mode(fb_tr: str = FB_LDU, ads: str = ADS_RDP):
    return [request(SITE, 0.0, resource_type="Document"), request(GTAG, 0.2), request(ads, 0.4, resource_type="Image"),
            request(FB_JS, 0.5), request(fb_tr, 0.8, resource_type="Image", initiator_url=FB_JS),
            cookie("_fbp", "fb.1.1790000000.123456789", 0.9, host="www.maison-exemple.fr",
                   domain=".maison-exemple.fr", origin="js", script_url=FB_JS)]


def test_requests_in_a_service_provider_mode_are_evidence_of_honouring(b):
    """Google Ads told restricted data processing (rdp=1) and Meta's pixel Limited Data Use
    (dpo=LDU, California): service providers under the CCPA, no sale or share. The tags' script
    downloads and the pixel's cookie go with them."""
    b.visit("baseline", _meta())
    b.visit("gpc", _in_mode())
    found = b.findings()
    assert rules(found, "gpc-ignored") == []
    [ok] = rules(found, "gpc-honoured")
    modes = {(m["domain"], m["vendor"], m["mode"], m["parameter"]) for m in ok.evidence["service_provider"]}
    assert modes == {("doubleclick.net", "Google LLC", "restricted data processing (rdp=1)", "rdp=1"),
                     ("facebook.com", "Meta Platforms, Inc.", "Limited Data Use (dpo=LDU)", "dpo=LDU")}
    ldu = next(m for m in ok.evidence["service_provider"] if m["domain"] == "facebook.com")
    assert ldu["declared"] == {"dpoco": "1", "dpost": "1000"} and "us-ca" in ldu["covers"]
    assert "us-nj" in ldu["not_covered"]  # Meta documents LDU for seven states only
    assert any("developers.facebook.com" in s for s in ldu["sources"])
    assert ok.evidence["stopped"] == []  # Meta was contacted, in its service-provider mode
    assert "in service-provider mode: Google LLC restricted data processing (rdp=1), Meta Platforms, Inc. " \
           "Limited Data Use (dpo=LDU)" in ok.title


def test_a_tag_that_sends_both_is_judged_by_each_request(b):
    b.visit("gpc", [*_in_mode(), request(FB_TR + "&ev=ViewContent", 1.2, resource_type="Image",
                                         initiator_url=FB_JS)])
    ignored = {f.domain: f for f in rules(b.findings(), "gpc-ignored")}
    assert set(ignored) == {"facebook.com", "facebook.net"}  # Google's requests were all restricted
    com = ignored["facebook.com"]
    assert com.evidence["requests"] == 1 and com.evidence["request"]["url"].endswith("&ev=ViewContent")
    assert [(m["mode"], m["requests"]) for m in com.evidence["service_provider_requests"]] == [
        ("Limited Data Use (dpo=LDU)", 1)]


def test_service_provider_mode_near_misses(tmp_path):
    """An empty dpo (Limited Data Use off) and rdp=0 are no mode; Limited Data Use is no mode for a
    state Meta does not apply it in (New Jersey)."""
    off = builder(tmp_path)
    off.visit("gpc", _in_mode(fb_tr=FB_TR + "&dpo=&dpoco=0&dpost=0", ads=ADS_RDP.replace("rdp=1", "rdp=0")))
    assert {f.domain for f in rules(off.findings(), "gpc-ignored")} == {"doubleclick.net", "facebook.com",
                                                                       "facebook.net"}
    nj = builder(tmp_path, "us-nj")
    nj.visit("gpc", _in_mode())
    assert {f.domain for f in rules(nj.findings(), "gpc-ignored")} == {"facebook.com", "facebook.net"}
    off.store.close()
    nj.store.close()


def _declare(b: StoreBuilder, gpc: bool) -> None:
    b.store.update_site(b.site_id, gpc_json={"url": SITE + ".well-known/gpc.json", "status": 200,
                                             "json": {"gpc": gpc, "lastUpdate": "2026-03-01"}})


def test_a_site_that_declares_gpc_and_ignores_it_contradicts_itself(b):
    b.visit("gpc", _meta())
    _declare(b, True)
    found = rules(b.findings(), "gpc-ignored")
    assert found and all("although the site's /.well-known/gpc.json declares it honours the signal" in f.title
                         for f in found)
    assert found[0].evidence["gpc_json"]["declares_gpc"] is True


def test_declaring_false_or_nothing_is_no_contradiction_and_honouring_undeclared_is_said(tmp_path):
    ignores = builder(tmp_path, "us-ca")
    ignores.visit("gpc", _meta())
    _declare(ignores, False)
    assert all("gpc.json" not in f.title for f in rules(ignores.findings(), "gpc-ignored"))
    honours = builder(tmp_path)
    honours.visit("gpc", [request(SITE, 0.0, resource_type="Document")])
    [ok] = rules(honours.findings(), "gpc-honoured")
    assert ok.title.endswith("not declared in /.well-known/gpc.json") and ok.evidence["declares_gpc"] is False
    ignores.store.close()
    honours.store.close()


def test_the_gpc_rules_are_checked_only_by_a_scan_with_a_gpc_phase():
    """What a report lists as checked (JUnit's cases): a scan without the gpc phase cannot fire
    them, whatever the law; with it, they apply under a US opt-out law, not under the EU's alone."""
    from leakmap.analysis import RULES
    from leakmap.blocklists.laws import parse_jurisdiction

    gpc_rules = {"gpc-ignored", "gpc-signal-mismatch", "gpc-honoured", "gpc-status-not-displayed",
                 "opt-out-link-missing"}
    us, eu = parse_jurisdiction("us"), parse_jurisdiction("eu")

    def checked(phases, law):
        return {r.id for r in RULES.values() if r.applies(phases, law)}

    assert not checked(("baseline", "accept", "reject"), us) & gpc_rules
    assert gpc_rules <= checked(("baseline", "accept", "reject", "gpc"), us)
    assert gpc_rules <= checked(("gpc",), us)
    assert not checked(("baseline", "gpc"), eu) & gpc_rules
    assert "tracking-before-consent" in checked(("baseline",), eu)  # the near miss: other rules stay

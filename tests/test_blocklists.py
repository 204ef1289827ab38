"""Knowledge base: registrable domains, classification, first party, cookies, filters, explanations."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from leakmap.blocklists import (
    ALL_CATEGORIES,
    ESSENTIAL_CATEGORIES,
    TRACKING_CATEGORIES,
    CookieInfo,
    Knowledge,
    registrable_domain,
)
from leakmap.blocklists.bundled import load_bundle
from leakmap.blocklists.sources import SOURCES
from leakmap.cli import main


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> Knowledge:
    # an empty cache: only the bundled knowledge, whatever the developer has downloaded
    return Knowledge.load(root=tmp_path_factory.mktemp("empty-cache"))


def test_taxonomy_has_the_required_ids():
    assert {"advertising", "analytics", "social", "data-broker", "session-replay", "fingerprinting"} <= TRACKING_CATEGORIES
    assert {"cdn", "payment", "anti-fraud", "consent-management", "hosting"} <= ESSENTIAL_CATEGORIES
    assert not TRACKING_CATEGORIES & ESSENTIAL_CATEGORIES


@pytest.mark.parametrize(("query", "expected"), [
    ("region1.google-analytics.com", "google-analytics.com"),
    ("https://Region1.Google-Analytics.com:443/g/collect?v=2", "google-analytics.com"),
    ("a.b.c.example.co.uk", "example.co.uk"),
    ("shop.example.com.", "example.com"),
    ("bücher.de", "xn--bcher-kva.de"),
    ("https://www.BÜCHER.de/x", "xn--bcher-kva.de"),
    ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("127.0.0.1", "127.0.0.1"),
    ("http://127.0.0.1:8080/x", "127.0.0.1"),
    ("http://[::1]:8443/", "::1"),
    ("localhost", "localhost"),
    ("http://localhost:3000/", "localhost"),
    ("alice.github.io", "alice.github.io"),  # private PSL suffix: sites are separate parties
])
def test_registrable_domain(query, expected):
    assert registrable_domain(query) == expected


REAL_HOSTS = {
    "advertising": ["securepubads.g.doubleclick.net", "ib.adnxs.com", "static.criteo.net", "fastlane.rubiconproject.com",
                    "ads.pubmatic.com", "match.adsrvr.org", "c.amazon-adsystem.com", "cdn.taboola.com",
                    "widgets.outbrain.com", "bat.bing.com", "ads.yieldmo.com", "sync.smartadserver.com"],
    "analytics": ["region1.google-analytics.com", "sb.scorecardresearch.com", "api-js.mixpanel.com", "cdn.segment.com",
                  "secure-gl.imrworldwide.com", "static.chartbeat.com", "mc.yandex.ru", "cdn.matomo.cloud"],
    "social": ["connect.facebook.net", "platform.twitter.com", "px.ads.linkedin.com", "s.pinimg.com",
               "analytics.tiktok.com", "www.redditstatic.com"],
    "data-broker": ["idsync.rlcdn.com", "bcp.crwdcntrl.net", "dpm.demdex.net", "tags.bluekai.com", "pixel.tapad.com",
                    "ps.eyeota.net", "aa.agkn.com", "loadm.exelator.com", "id5-sync.com", "rp.liadm.com",
                    "ml314.com", "j.6sc.co", "tag.demandbase.com", "ws.zoominfo.com"],
    "session-replay": ["static.hotjar.com", "t.contentsquare.net", "www.clarity.ms", "edge.fullstory.com",
                       "cdn.mouseflow.com", "cdn.logrocket.io"],
    "fingerprinting": ["api.fpjs.io"],
    "cdn": ["cdnjs.cloudflare.com", "cdn.jsdelivr.net", "fonts.gstatic.com", "code.jquery.com", "d111111abcdef8.cloudfront.net"],
    "payment": ["js.stripe.com", "www.paypalobjects.com", "checkoutshopper-live.adyen.com", "x.klarnacdn.net"],
    "anti-fraud": ["www.recaptcha.net", "js.hcaptcha.com", "challenges.cloudflare.com", "client.perimeterx.net",
                   "js.datadome.co", "h.online-metrix.net", "mpsnare.iesnare.com"],
    "consent-management": ["cdn.cookielaw.org", "consent.cookiebot.com", "app.usercentrics.eu", "sdk.privacy-center.org",
                           "cdn.cookiehub.eu", "cdn.cookie-script.com", "cdn.kiprotect.com", "app.secureprivacy.ai",
                           "cdn.gravito.net", "app.enzuzo.com", "cdn.pandectes.io", "cache.consentframework.com",
                           # the consent domains publisher groups redirect a first visit through
                           "consent.google.com", "guce.yahoo.com", "myprivacy.dpgmedia.net"],
    "hosting": ["mybucket.s3.amazonaws.com", "myapp.azurewebsites.net"],
    "tag-manager": ["www.googletagmanager.com", "tags.tiqcdn.com", "assets.adobedtm.com"],
    "embedded-content": ["www.youtube-nocookie.com", "player.vimeo.com", "w.soundcloud.com"],
}


@pytest.mark.parametrize(("category", "host"), [(c, h) for c, hosts in REAL_HOSTS.items() for h in hosts])
def test_real_hosts_are_classified(kb, category, host):
    c = kb.classify(host)
    assert c.known and c.entity, host
    assert category in c.categories, (host, c.categories)
    assert c.country and len(c.country) == 2
    assert "leakmap" in c.sources
    if category == "data-broker":
        assert c.broker


def test_a_groups_consent_host_is_consent_management_only(kb):
    # the host listed for consent wins over the group's other domains' categories
    assert kb.classify("consent.google.com").categories == ("consent-management",)
    assert "advertising" in kb.classify("www.google.com").categories
    assert not kb.classify("cmp.sirdata.com").broker and kb.classify("sirdata.com").broker


def test_cookieless_measurement_services_are_documented(kb):
    for host in ("plausible.io", "cdn.usefathom.com", "scripts.simpleanalyticscdn.com", "cloud.umami.is",
                 "api.pirsch.io", "static.cloudflareinsights.com", "cdn.matomo.cloud"):
        svc = kb.measurement(host)
        assert svc is not None and svc.sources and svc.behaviour, host
        assert "analytics" in kb.classify(host).categories, host
    assert "disableCookies" in kb.measurement("cdn.matomo.cloud").configuration
    assert kb.measurement("www.google-analytics.com") is None
    assert kb.exemption.authority == "CNIL" and any("25 months" in c for c in kb.exemption.conditions)
    assert any("audience measurement" in f.what for f in kb.explain("plausible.io"))


def test_measurement_services_name_listed_domains():
    from leakmap.blocklists.bundled import load_bundle, parse_measurement

    text = """[exemption]
authority = "CNIL"
title = "t"
sources = ["https://example.org/"]
checked = []
conditions = []
[[service]]
name = "Nowhere"
domains = ["not-listed-anywhere.example"]
configuration = "default"
behaviour = "b"
sources = ["https://example.org/"]
"""
    with pytest.raises(ValueError, match="listed by no entity"):
        parse_measurement(text, load_bundle().entities)


def test_subdomain_walks_to_the_longest_listed_suffix(kb):
    c = kb.classify("https://region1.google-analytics.com/g/collect?v=2&tid=G-1")
    assert (c.host, c.domain, c.matched) == ("region1.google-analytics.com", "google-analytics.com", "google-analytics.com")
    assert (c.entity, c.parent, c.country) == ("Google LLC", "Alphabet Inc.", "US")
    assert c.categories == ("analytics",)
    assert kb.classify("a.b.c.d.doubleclick.net").entity == "Google LLC"


def test_a_listed_domain_does_not_match_lookalikes(kb):
    for host in ("notdoubleclick.net", "doubleclick.net.evil.example", "google-analytics.com.co"):
        assert not kb.classify(host).known, host


def test_unknown_hosts_stay_unknown(kb):
    for host in ("www.lemonde.fr", "cdn.some-unknown-shop.example", "intranet", "10.0.0.7", "[2001:db8::1]",
                 "localhost", "http://localhost:8080/app.js", "münchen.de"):
        c = kb.classify(host)
        assert not c.known and c.entity is None and c.categories == () and not c.broker and c.sources == (), host


def test_ip_localhost_and_idn_hosts(kb):
    assert kb.classify("http://127.0.0.1:9000/x").domain == "127.0.0.1"
    assert kb.classify("http://[::1]/").host == "::1"
    assert kb.classify("LOCALHOST").domain == "localhost"
    c = kb.classify("https://www.münchen.de/")
    assert (c.host, c.domain) == ("www.xn--mnchen-3ya.de", "xn--mnchen-3ya.de")
    # an IDN spelling of a tracker's host still resolves to it (punycode is what the network sees)
    assert kb.classify("XN--BCHER-KVA.de").domain == "xn--bcher-kva.de"


def test_classification_is_memoised_but_equal(kb):
    assert kb.classify("static.hotjar.com") is kb.classify("static.hotjar.com")
    assert kb.classify("Static.Hotjar.com") == kb.classify("static.hotjar.com")


def test_first_party(kb):
    assert kb.is_first_party("www.example.com", "example.com")
    assert kb.is_first_party("cdn.example-static.net", "https://www.example.com/", aliases=["example-static.net"])
    assert not kb.is_first_party("cdn.example-static.net", "example.com")
    # the site's own entity owning several domains
    assert kb.is_first_party("www.youtube.com", "https://www.google.com/")
    assert kb.is_first_party("static.xx.fbcdn.net", "www.facebook.com")
    assert not kb.is_first_party("www.google-analytics.com", "lemonde.fr")
    # two unrelated sites on a shared hosting suffix are not one party
    assert not kb.is_first_party("a.cloudfront.net", "b.cloudfront.net")
    assert not kb.is_first_party("bob.github.io", "alice.github.io")


def test_cookies_exact_and_patterns(kb):
    ga = kb.cookie("_ga")
    assert (ga.platform, ga.category, ga.lifetime) == ("Google Analytics", "analytics", "2 years")
    assert kb.cookie("_ga_3XZ9ABCD1").name == "_ga_*"
    assert kb.cookie("_hjSessionUser_123456").category == "session-replay"
    assert kb.cookie("mp_0123abcd_mixpanel").platform == "Mixpanel"  # wildcard in the middle
    assert kb.cookie("OptanonConsent").category == "consent-management"
    assert kb.cookie("__cf_bm").category == "anti-fraud"
    assert kb.cookie("definitely-not-a-known-cookie") is None


def test_cookie_host_disambiguates(kb):
    # "i" is set by OpenX and by Yandex with different purposes
    assert kb.cookie("i", host="u.openx.net").platform == "OpenX"
    assert kb.cookie("i", host="mc.yandex.ru").platform == "Yandex"


def test_a_cookie_listed_for_another_domain_is_never_guessed(kb):
    # a site's own short-named cookies are not the ad network's, broker's or player's of that name
    for name in ("u", "i", "ts", "m", "uid", "id"):
        assert kb.cookie(name, host="www.example-shop.fr") is None, name
        assert kb.cookie(name) is None, name  # no host: only entries listed for no domain apply
    assert kb.cookie("u", host="ml314.com").platform == "Bombora"
    assert kb.cookie("ts", host="www.dailymotion.com").platform == "Dailymotion"
    # prefix patterns listed for a domain follow the same rule
    assert kb.cookie("SyncRTB3", host="www.example-shop.fr") is None
    assert kb.cookie("SyncRTB3", host="ads.pubmatic.com").platform == "PubMatic"
    # entries listed for no domain apply anywhere
    assert kb.cookie("_ga", host="www.example-shop.fr").platform == "Google Analytics"
    # `lists explain` still shows every entry of the name
    assert {f.detail["platform"] for f in kb.explain("i")} >= {"OpenX", "Yandex"}


def test_glob_cookie_patterns_listed_for_a_domain_apply_only_there():
    def info(name: str, platform: str, domain: str | None) -> CookieInfo:
        return CookieInfo(name, platform, "advertising", "", "", "t", domain=domain, pattern="*" in name)

    kb = Knowledge([], [info("ab_*_id", "Bound", "ads.example"), info("cd_*", "BoundPrefix", "ads.example"),
                        info("cd_*", "Anywhere", None)], {"t": "1"})
    assert kb.cookie("ab_7_id", host="cdn.ads.example").platform == "Bound"
    assert kb.cookie("ab_7_id", host="shop.example") is None
    assert kb.cookie("cd_1", host="shop.example").platform == "Anywhere"
    assert kb.cookie("cd_1", host="x.ads.example").platform == "BoundPrefix"
    assert [c.platform for c in kb.cookies_named("cd_1")] == ["BoundPrefix", "Anywhere"]


def test_filter_lists_report_list_and_filter(kb):
    m = kb.match_url("https://region1.google-analytics.com/g/collect?v=2", "https://www.lemonde.fr/", "ping")
    assert m and m.list == "easyprivacy" and "google-analytics" in m.filter and m.version
    m = kb.match_url("https://securepubads.g.doubleclick.net/tag/js/gpt.js", "https://www.lemonde.fr/", "script")
    assert m and m.list == "easylist"
    assert kb.match_url("https://www.lemonde.fr/static/app.js", "https://www.lemonde.fr/", "script") is None


def test_explain_gives_sources_and_versions(kb):
    facts = kb.explain("doubleclick.net")
    assert any(f.source == "leakmap" and "Google LLC" in f.what and f.version == kb.versions()["leakmap"] for f in facts)
    assert any(f.source == "public-suffix-list" for f in facts)
    url_facts = kb.explain("https://securepubads.g.doubleclick.net/tag/js/gpt.js")
    assert any(f.source == "easylist" and "filter" in f.detail for f in url_facts)
    assert [f.source for f in kb.explain("_fbp")] == ["leakmap"]
    unknown = kb.explain("www.lemonde.fr")
    assert any("unknown" in f.what for f in unknown)
    assert {f.source for f in kb.explain("_ce.s")} == {"leakmap"}  # a cookie name with a dot
    assert not any("unknown" in f.what for f in kb.explain("_ce.s"))


def test_bundled_sizes_meet_the_minimums_and_show_prints_them(tmp_path):
    bundle = load_bundle()
    domains = sum(len(e.domains) for e in bundle.entities)
    brokers = [e for e in bundle.entities if e.broker]
    assert domains >= 600 and len(bundle.entities) >= 250 and len(brokers) >= 80 and len(bundle.cookies) >= 300
    assert all(e.sources for e in bundle.entities)
    # the headquarters country is left out where no source states it
    assert sum(1 for e in bundle.entities if e.country) >= 480
    assert all(e.domains.get(d) for e in brokers for d in e.domains)
    result = CliRunner().invoke(main, ["lists", "show"], env={"LEAKMAP_CACHE": str(tmp_path), "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for number in (domains, len(bundle.entities), len(brokers), len(bundle.cookies)):
        assert str(number) in result.output
    print(f"bundled: {domains} domains, {len(bundle.entities)} entities, {len(brokers)} brokers, "
          f"{len(bundle.cookies)} cookies")


def test_explain_and_show_print_the_same_facts_as_json(kb, tmp_path):
    def run(*args: str) -> dict:
        result = CliRunner().invoke(main, ["lists", *args], env={"LEAKMAP_CACHE": str(tmp_path)})
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    url = "https://securepubads.g.doubleclick.net/tag/js/gpt.js"
    doc = run("explain", "--json", url)
    assert doc["query"] == url
    assert [(f["subject"], f["what"], f["source"], f["version"]) for f in doc["facts"]] == \
        [(f.subject, f.what, f.source, f.version) for f in kb.explain(url)]
    sources = {f["source"]: f for f in doc["facts"]}
    assert sources["leakmap"]["detail"]["entity"] == "Google LLC"
    assert sources["leakmap"]["detail"]["categories"] == ["advertising"]
    assert sources["easylist"]["detail"]["filter"]
    registrations = [f["detail"]["registrations"] for f in run("explain", "--json", "rlcdn.com")["facts"]
                     if f["source"] == "leakmap"][0]
    assert [(r["registry"], r["name"]) for r in registrations] == [("ca", "LiveRamp, Inc.")]
    assert {f["detail"]["platform"] for f in run("explain", "--json", "i")["facts"]} == {"OpenX", "Yandex"}
    assert run("explain", "--json", "no-such-cookie-name")["facts"] == []
    show = run("show", "--json")
    assert {k: show["bundled"][k] for k in kb.stats} == kb.stats and show["bundled"]["version"] == kb.versions()["leakmap"]
    rows = {r["source"]: r for r in show["sources"]}
    assert set(rows) == set(SOURCES) and len(rows) == len(show["sources"])
    assert rows["ghostery"]["noncommercial"] and not rows["ghostery"]["cached"]
    assert rows["easylist"]["kind"] == "filters" and rows["easylist"]["version"] == kb.versions()["easylist"]


def test_piped_tables_never_cut_a_name(tmp_path):
    """Piped into a file or a pager there is no terminal width to fit: rows are as wide as they need."""
    host = "a-rather-long-subdomain-name-for-this-test.securepubads.g.doubleclick.net"
    env = {"LEAKMAP_CACHE": str(tmp_path), "COLUMNS": "80"}
    result = CliRunner().invoke(main, ["lists", "explain", host], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(host in line and "public-suffix-list" in line for line in lines), result.output
    assert any("owner: Google LLC (parent: Alphabet Inc.)" in line and "categories: advertising" in line
               for line in lines), result.output
    result = CliRunner().invoke(main, ["lists", "show"], env=env)
    assert any("GPL-3.0-or-later OR CC-BY-SA-3.0" in line and "braveblock wheel" in line
               for line in result.output.splitlines()), result.output


def test_bundled_categories_are_in_the_taxonomy():
    for ent in load_bundle().entities:
        for cats in ent.domains.values():
            assert set(cats) <= ALL_CATEGORIES
    assert {c.category for c in load_bundle().cookies} <= ALL_CATEGORIES

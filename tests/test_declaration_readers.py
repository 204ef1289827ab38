"""The declaration readers against the real consent platforms (the npm packages the test web
serves: klaro, vanilla-cookieconsent, tarteaucitronjs, Osano's cookieconsent), read by the
crawler's own visit of their fixture sites; OneTrust, Cookiebot and an IAB TCF CMP (not on npm)
through the same page-side reader on small synthetic pages written to their documented formats."""

from __future__ import annotations

import asyncio
import json

import pytest
from playwright.async_api import async_playwright

from leakmap.crawler.browser import find_browser
from leakmap.crawler.collectors.declaration import _READER, policy_pages
from leakmap.declaration import cmps
from leakmap.declaration.items import Declared
from leakmap.records import DeclarationRecord
from leakmap.wording import texts
from tests.browser_visit import visit

SITES = {
    "klaro": "https://www.kiezrad-berlin.de/",
    "vanilla-cookieconsent": "https://www.tidewater-kayaks.ie/",
    "tarteaucitron": "https://www.cave-saint-vincent.fr/",
    "osano": "https://www.lindenhof-weingut.de/",  # Klaro and a left-over Osano cookieconsent
}


@pytest.fixture(scope="module")
def landing(testweb, tmp_path_factory) -> dict[str, list[DeclarationRecord]]:
    """The declaration records of each site's landing page, as a scan's lead phase stores them."""
    out = {}
    for name, url in SITES.items():
        outcome = visit(testweb, url, tmp_path_factory.mktemp(name), job={"declaration": True})
        out[name] = [r for r in outcome.evidence if isinstance(r, DeclarationRecord)]
    return out


def items(records: list[DeclarationRecord], source: str) -> list[Declared]:
    [record] = [r for r in records if r.kind == "cmp" and r.source == source]
    return cmps.read(source, record.content)


def links(records: list[DeclarationRecord]) -> dict:
    [record] = [r for r in records if r.kind == "links"]
    return record.details


def test_klaro(landing):
    got = items(landing["klaro"], "klaro")
    # the configuration's regular expression, kept as one: it matches GA's cookies and nothing else
    assert [(d.name, d.regex, d.category, d.source.where) for d in got] == [
        ("^_ga(_.*)?$", "^_ga(_.*)?$", "analytics", "services[google-analytics]")]
    assert got[0].matches("_ga_KZR7B1E4LN", "kiezrad-berlin.de") and not got[0].matches("_fbp", "kiezrad-berlin.de")
    assert got[0].purpose == "Besucherstatistik" and got[0].provider == "Google Analytics"
    # the Meta pixel's service declares no cookie (the fixture's flaw); the policy link is Klaro's and the page's
    assert links(landing["klaro"])["policy_pages"] == ["https://www.kiezrad-berlin.de/datenschutz.html"]
    assert {"url": "https://www.kiezrad-berlin.de/datenschutz.html", "text": "klaro privacyPolicy", "where": "cmp"} in \
        links(landing["klaro"])["links"]


def test_vanilla_cookieconsent(landing):
    got = {(d.name, d.source.where): d for d in items(landing["vanilla-cookieconsent"], "vanilla-cookieconsent")}
    auto = got[("^_ga", "categories.analytics.autoClear")]
    assert auto.regex == "^_ga" and auto.category == "analytics" and auto.matches("_ga_TWK5N3C8VR", "tidewater-kayaks.ie")
    assert got[("_fbp", "categories.marketing.autoClear")].category == "advertising"
    # the preferences' cookie tables, with the lifetimes and descriptions the site wrote
    necessary = got[("_ga", "preferences section 1 (Strictly necessary), row 2")]
    assert (necessary.category, necessary.lifetime_days, necessary.purpose) == \
        ("necessary", 730.5, "Keeps your booking basket working")
    session = got[("_ga_TWK5N3C8VR", "preferences section 2 (Analytics), row 1")]
    assert (session.category, session.lifetime, session.lifetime_days) == ("analytics", "1 year", 365.25)
    fr = got[("fr", "preferences section 3 (Marketing), row 2")]
    assert (fr.domain, fr.category, fr.lifetime_days) == ("facebook.com", "advertising", 91.3125)
    assert links(landing["vanilla-cookieconsent"])["policy_pages"] == ["https://www.tidewater-kayaks.ie/privacy.html"]


def test_tarteaucitron(landing):
    got = items(landing["tarteaucitron"], "tarteaucitron")
    by_service = {}
    for d in got:
        by_service.setdefault(d.source.where, []).append(d)
    gtag = by_service["services.gtag"]
    # the built-in service's list, its GA4 cookie named after the site's measurement id
    assert {"_ga", "_gid", "_ga_CSV2H8Q5TM"} <= {d.name for d in gtag} and {d.category for d in gtag} == {"analytics"}
    assert [(d.name, d.category, d.provider) for d in by_service["services.metapixel"]] == [
        ("_fbp", "advertising", "Pixel Meta")]
    assert links(landing["tarteaucitron"])["policy_pages"] == ["https://www.cave-saint-vincent.fr/mentions-legales.html"]


def test_osano_cookieconsent_declares_no_cookie_but_links_its_policy(landing):
    records = landing["osano"]
    [osano] = [r for r in records if r.kind == "cmp" and r.source == "osano"]
    assert cmps.read("osano", osano.content) == []
    assert json.loads(osano.content) == {"href": "https://www.lindenhof-weingut.de/datenschutz.html",
                                         "text": "Mehr erfahren"}
    assert [d.name for d in items(records, "klaro")] == ["^_ga(_.*)?$"]
    assert links(records)["policy_pages"] == ["https://www.lindenhof-weingut.de/datenschutz.html"]


# -- platforms not on npm: their documented formats, through the page-side reader ----------------

ONETRUST = {"Groups": [
    {"OptanonGroupId": "C0001", "GroupName": "Strictly Necessary Cookies", "Cookies": [
        {"Name": "OptanonConsent", "Host": "www.example-shop.com", "IsSession": False, "Length": "365",
         "description": "Stores the consent choices"}], "Hosts": []},
    {"OptanonGroupId": "C0002", "GroupName": "Performance Cookies", "FirstPartyCookies": [
        {"Name": "_ga_xxxxxxxxxx", "Host": "example-shop.com", "IsSession": False, "Length": "730"}], "Hosts": []},
    {"OptanonGroupId": "C0004", "GroupName": "Cookies de ciblage", "Cookies": [], "Hosts": [
        {"HostName": "doubleclick.net", "Cookies": [{"Name": "IDE", "Host": "doubleclick.net", "IsSession": False,
                                                     "Length": "390", "description": "Ad serving"}]}]},
    {"OptanonGroupId": "C0003", "GroupName": "Functional Cookies", "Cookies": [
        {"Name": "lang", "Host": "example-shop.com", "IsSession": True, "Length": "0"}]},
]}
COOKIEBOT = {
    "cookieTableNecessary": [["CookieConsent", "example-shop.com", "Stores the user's consent state", "1 year", "HTTP"]],
    "cookieTableStatistics": [["_ga_#", "example-shop.com", "Used by Google Analytics", "2 years", "HTTP"]],
    "cookieTableAdvertising": [["IDE", "doubleclick.net", "Ad serving", "400 days", "HTTP"]],
    "cookieTableUnclassified": [["mystery", "example-shop.com", "", "Session", "HTML"]],
}
TCF_VENDOR_LIST = {"vendorListVersion": 80, "vendors": {"755": {
    "id": 755, "name": "Google Advertising Products", "usesCookies": True, "cookieMaxAgeSeconds": 34190000,
    "deviceStorageDisclosures": {"disclosures": [
        {"identifier": "IDE", "type": "cookie", "maxAgeSeconds": 34190000, "domain": "doubleclick.net",
         "purposes": [1, 2, 3, 4, 7]},
        {"identifier": "_gcl_*", "type": "cookie", "maxAgeSeconds": 7776000, "purposes": [1, 8]}]}}}}

PAGE = """<!doctype html><html><head><script>
window.OneTrust = { GetDomainData: () => (ONETRUST) };
window.CookieConsentDialog = COOKIEBOT;
window.__tcfapi = (command, version, callback) => {
  if (command === "getVendorList") setTimeout(() => callback(TCF, true), 10); else callback(null, false);
};
</script></head><body><footer><a href="/legal/cookie-notice">Cookie notice</a> <a href="/about">About us</a>
<a href="#">Cookies</a></footer></body></html>"""


@pytest.fixture(scope="module")
def synthetic() -> dict:
    """What the page-side reader returns on a page holding the three platforms' globals."""
    html = (PAGE.replace("ONETRUST", json.dumps(ONETRUST)).replace("COOKIEBOT", json.dumps(COOKIEBOT))
            .replace("TCF", json.dumps(TCF_VENDOR_LIST)))

    async def run() -> dict:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(find_browser()))
            try:
                page = await browser.new_page()
                await page.route("https://www.example-shop.com/", lambda route: route.fulfill(body=html,
                                                                                             content_type="text/html"))
                await page.goto("https://www.example-shop.com/")
                return await page.evaluate(_READER, {"words": list(texts("policy-link"))})
            finally:
                await browser.close()

    return asyncio.run(run())


def read_synthetic(found: dict, source: str) -> list[Declared]:
    [config] = [c["config"] for c in found["cmps"] if c["source"] == source]
    return cmps.read(source, json.dumps(config))


def test_onetrust_domain_data(synthetic):
    got = {d.name: d for d in read_synthetic(synthetic, "onetrust")}
    assert set(got) == {"OptanonConsent", "_ga_xxxxxxxxxx", "IDE", "lang"}
    assert (got["OptanonConsent"].category, got["OptanonConsent"].lifetime_days) == ("necessary", 365.0)
    assert got["_ga_xxxxxxxxxx"].category == "analytics" and got["_ga_xxxxxxxxxx"].matches("_ga_AB12CD34", "example-shop.com")
    assert (got["IDE"].category, got["IDE"].domain, got["IDE"].lifetime_days) == ("advertising", "doubleclick.net", 390.0)
    assert (got["lang"].category, got["lang"].lifetime) == ("functional", "Session")


def test_cookiebot_tables(synthetic):
    got = {d.name: d for d in read_synthetic(synthetic, "cookiebot")}
    assert {n: d.category for n, d in got.items()} == {"CookieConsent": "necessary", "_ga_#": "analytics",
                                                        "IDE": "advertising", "mystery": None}
    assert got["IDE"].lifetime_days == 400.0 and got["IDE"].domain == "doubleclick.net" and got["mystery"].type == "HTML"


def test_tcf_device_storage_disclosures(synthetic):
    got = {d.name: d for d in read_synthetic(synthetic, "tcf")}
    assert (got["IDE"].category, got["IDE"].domain, got["IDE"].provider) == \
        ("advertising", "doubleclick.net", "Google Advertising Products")
    assert round(got["IDE"].lifetime_days, 1) == 395.7 and got["_gcl_*"].category == "analytics"


def test_policy_links_found_and_ranked(synthetic):
    found = synthetic["links"]
    assert found == [{"url": "https://www.example-shop.com/legal/cookie-notice", "text": "Cookie notice",
                      "where": "footer"}]  # "About us" names no policy; "#" goes nowhere
    ranked = policy_pages([{"url": "https://other.example/privacy", "text": "Privacy", "where": "footer"},
                           {"url": "https://www.example-shop.com/privacy", "text": "Privacy", "where": "page"},
                           {"url": "https://www.example-shop.com/cookies", "text": "Cookies", "where": "footer"},
                           {"url": "https://www.example-shop.com/privacy", "text": "Datenschutz", "where": "cmp"}],
                          "https://www.example-shop.com/")
    assert ranked == ["https://www.example-shop.com/cookies", "https://www.example-shop.com/privacy",
                      "https://other.example/privacy"]

"""The declaration rules on crafted stores: cookie-undeclared, cookie-declaration-missing,
cookie-purpose-mismatch, cookie-lifetime-mismatch, each beside a near miss; a store from before
declarations were read; the policy's severities."""

from __future__ import annotations

import json

from leakmap import records as r
from leakmap import workflow
from leakmap.declaration.document import for_scan
from leakmap.report.policy import Policy
from leakmap.report.policy import load as load_policy
from leakmap.store import Store
from tests.analysis_store import CLICK, DAY, cookie, store_fixture

SITE = "https://www.maison-exemple.fr/"
POLICY = SITE + "cookies.html"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"
PIXEL = "https://connect.facebook.net/en_US/fbevents.js"

b = store_fixture()


def ga(lifetime: float = 730 * DAY) -> r.CookieRecord:
    return cookie("_ga", "GA1.1.7123649219.1790000000", CLICK + 1, host="www.maison-exemple.fr",
                  domain="maison-exemple.fr", origin="js", script_url=GTAG, lifetime=lifetime)


def fbp() -> r.CookieRecord:
    return cookie("_fbp", "fb.1.1790000003100.4941233738", CLICK + 2, host="www.maison-exemple.fr",
                  domain=".maison-exemple.fr", origin="js", script_url=PIXEL, lifetime=90 * DAY)


def session() -> r.CookieRecord:
    return cookie("PHPSESSID", "a1b2c3d4e5f60718", 1.0, host="www.maison-exemple.fr", lifetime=None)


def cmp(source: str, config: dict) -> r.DeclarationRecord:
    return r.DeclarationRecord(kind="cmp", source=source, url=SITE, content=json.dumps(config))


def links(*pages: str) -> r.DeclarationRecord:
    return r.DeclarationRecord(kind="links", url=SITE, details={
        "links": [{"url": p, "text": "Cookies", "where": "footer"} for p in pages], "policy_pages": list(pages)})


def table(*rows: tuple[str, str, str], heading: str = "Our cookies") -> str:
    body = "".join(f"<tr><td>{n}</td><td>{c}</td><td>{life}</td></tr>" for n, c, life in rows)
    return (f"<h2>{heading}</h2><table><tr><th>Cookie</th><th>Category</th><th>Expiry</th></tr>{body}</table>")


def policy_page(b, html: str, status: int = 200, error: str | None = None, url: str = POLICY) -> None:
    b.store.add(r.DeclarationRecord(site_id=b.site_id, kind="policy-page", url=url, content=html, status=status,
                                    error=error))


def accepted(b, evidence: list) -> None:
    """The accept phase: the landing page read for its declaration, then the tags after the click."""
    b.consent("accept")
    b.visit("accept", evidence)


KLARO_GA = {"lang": "fr", "services": [
    {"name": "google-analytics", "purposes": ["analytics"], "cookies": [{"$regexp": "^_ga(_.*)?$", "flags": ""}]},
    {"name": "meta-pixel", "purposes": ["marketing"]}]}


def names(findings) -> list[tuple[str, str, str | None]]:
    return sorted((f.rule, f.severity, f.evidence.get("item", {}).get("name")) for f in findings)


def test_undeclared_non_essential_cookie_of_a_published_declaration(b):
    # Scenario a reviewer signs: the site's Klaro lists Google Analytics' cookies but none for its
    # Meta pixel; the pixel's _fbp is undeclared (medium). The session cookie is not declared either,
    # but it is strictly necessary: no finding. _ga is declared by Klaro's regular expression.
    accepted(b, [cmp("klaro", KLARO_GA), links(), session(), ga(), fbp()])
    [f] = b.findings("cookie-undeclared")
    assert (f.severity, f.domain, f.moment, f.phase) == ("medium", "maison-exemple.fr", None, None)
    assert f.evidence["item"]["name"] == "_fbp" and f.evidence["observed"]["category"] == "advertising"
    assert f.evidence["declarations_read"]["cmps"] == ["klaro"] and "value" not in json.dumps(f.evidence["item"])
    assert b.findings("cookie-declaration-missing") == []


def test_undeclared_near_misses_declared_by_name_in_the_policy_text_or_unread_page(b):
    # the policy page names _fbp in its text: declared (no purpose, but named)
    accepted(b, [cmp("klaro", KLARO_GA), links(POLICY), ga(), fbp()])
    policy_page(b, "<p>Our Meta pixel sets <code>_fbp</code> for 90 days.</p>")
    assert b.findings("cookie-undeclared") == []


def test_a_policy_page_that_could_not_be_read_leaves_the_declaration_unjudged(b):
    accepted(b, [cmp("klaro", KLARO_GA), links(POLICY), ga(), fbp()])
    policy_page(b, "", status=0, error="net::ERR_CONNECTION_RESET")
    assert b.findings("cookie-undeclared") == [] and b.findings("cookie-declaration-missing") == []
    [view] = for_scan(b.store.db.conn, b.scan_id).sites
    assert view.declaration.status == "incomplete"
    assert {row.name: row.declared for row in view.declaration.observed} == {"_fbp": None, "_ga": True}


def test_declaration_missing_once_per_site(b):
    # Scenario: no consent platform lists cookies and the privacy page has no cookie table nor
    # names any; GA and the Meta pixel set their cookies: one finding for the site (medium)
    accepted(b, [links(POLICY), session(), ga(), fbp()])
    policy_page(b, "<h1>Privacy</h1><p>We respect your privacy.</p>")
    [f] = b.findings("cookie-declaration-missing")
    assert (f.severity, f.domain, f.moment) == ("medium", "maison-exemple.fr", None)
    assert sorted(i["name"] for i in f.evidence["non_essential"]) == ["_fbp", "_ga"]
    assert f.evidence["declarations_read"]["policy_pages"][0]["status"] == 200
    assert b.findings("cookie-undeclared") == []  # nothing published: nothing is "left out of" it


def test_no_declaration_but_only_necessary_cookies_is_no_finding(b):
    accepted(b, [links(), session(),
                 cookie("euconsent-v2", "CPxyzAAAA", CLICK, host="www.maison-exemple.fr", origin="js",
                        script_url=SITE + "cmp.js", lifetime=390 * DAY)])
    assert b.findings("cookie-declaration-missing") == []


def test_a_store_without_the_declaration_reading_is_not_judged(b):
    # a store from before leakmap read declarations: no links row at all
    accepted(b, [session(), ga(), fbp()])
    for rule in ("cookie-declaration-missing", "cookie-undeclared", "cookie-purpose-mismatch"):
        assert b.findings(rule) == []
    [view] = for_scan(b.store.db.conn, b.scan_id).sites
    assert view.declaration.status == "not-read" and all(row.declared is None for row in view.declaration.observed)


def test_old_store_gets_the_table(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    store.db["declarations"].drop()
    store.close()
    store = Store(path)  # opened by this leakmap: the table is added, empty
    assert "declarations" in store.db.table_names() and store.db["declarations"].count == 0
    store.close()


def test_purpose_mismatch_necessary_but_tracking_is_high(b):
    # Scenario: vanilla-cookieconsent's always-on "necessary" category clears _ga: the site declares
    # Google Analytics' client id strictly necessary; the known-cookie table says analytics (high)
    config = {"categories": {"necessary": {"readOnly": True, "autoClear": {"cookies": [{"name": "_ga"}]}},
                             "marketing": {"autoClear": {"cookies": [{"name": "_fbp"}]}}}}
    accepted(b, [cmp("vanilla-cookieconsent", config), links(), ga(), fbp()])
    [f] = b.findings("cookie-purpose-mismatch")
    assert (f.severity, f.evidence["item"]["name"]) == ("high", "_ga")
    [declared] = f.evidence["declared"]
    assert declared["category"] == "necessary" and declared["source"]["name"] == "vanilla-cookieconsent"
    assert f.evidence["observed"]["category"] == "analytics" and "known cookie" in f.evidence["observed"]["basis"]


def test_purpose_mismatch_analytics_but_advertising_is_medium_and_overstatement_none(b):
    ide = cookie("IDE", "AHWqTUk9x2LmQ0pZ", CLICK + 3, host="ad.doubleclick.net", domain=".doubleclick.net",
                 lifetime=390 * DAY)
    accepted(b, [links(POLICY), ga(), fbp(), ide])
    # IDE filed under statistics (understated: medium); _ga under marketing and _fbp under
    # advertising (over- or truly stated: no finding)
    policy_page(b, table(("IDE", "Statistics", "13 months"), ("_ga", "Marketing", "2 years"),
                         ("_fbp", "Advertising", "3 months")))
    assert names(b.findings("cookie-purpose-mismatch")) == [("cookie-purpose-mismatch", "medium", "IDE")]


def test_lifetime_set_longer_than_declared(b):
    accepted(b, [links(POLICY), ga(730 * DAY), fbp(),
                 cookie("_gcl_au", "1.1.1790000000.1790000000", CLICK + 3, host="www.maison-exemple.fr",
                        domain="maison-exemple.fr", origin="js", script_url=GTAG, lifetime=90.5 * DAY)])
    # _ga asks for 2 years, declared 1 (info); _fbp 90 days declared 3 months and _gcl_au 90.5 days
    # declared 90 days (within the day of slack): near misses
    policy_page(b, table(("_ga", "Analytics", "1 year"), ("_fbp", "Advertising", "3 months"),
                         ("_gcl_au", "Advertising", "90 days")))
    [f] = b.findings("cookie-lifetime-mismatch")
    assert (f.severity, f.evidence["item"]["name"], f.evidence["set_days"], f.evidence["declared_days"]) == \
        ("info", "_ga", 730.0, 365.25)


def test_storage_key_of_a_tracking_script_is_undeclared(b):
    bing = "https://bat.bing.com/bat.js"
    accepted(b, [cmp("klaro", KLARO_GA), links(), ga(),
                 r.StorageRecord(kind="local", origin=SITE.rstrip("/"), frame_url=SITE, key="_uetvid",
                                 value="3f9a1c2be81d11ef9d5e2b7c4a6f8e01", time=CLICK + 2, script_url=bing,
                                 stack=[bing]),
                 r.StorageRecord(kind="local", origin=SITE.rstrip("/"), frame_url=SITE, key="theme", value="dark",
                                 time=CLICK + 2, script_url=SITE + "app.js", stack=[SITE + "app.js"])])
    [f] = b.findings("cookie-undeclared")
    assert f.evidence["item"]["name"] == "_uetvid" and f.evidence["item"]["types"] == ["localStorage"]
    assert f.domain == "maison-exemple.fr" and f.entity == "Microsoft Corporation"


def test_the_policy_sets_these_rules_severities(tmp_path):
    """``check --policy leakmap.toml``: these rules' severities are set like any other's."""
    from tests.analysis_store import StoreBuilder

    b = StoreBuilder(tmp_path / "leakmap.db")
    accepted(b, [cmp("klaro", KLARO_GA), links(), ga(), fbp()])
    b.store.end_scan(b.scan_id)
    b.store.close()
    (tmp_path / "leakmap.toml").write_text('fail_on = "high"\n[severity]\n"cookie-undeclared" = "high"\n'
                                           '"cookie-declaration-missing" = "off"\n')
    report, verdict = workflow.report(tmp_path / "leakmap.db", policy=load_policy(tmp_path / "leakmap.toml"))
    [f] = [f for _, f in report.findings() if f.rule == "cookie-undeclared"]
    assert (f.severity, f.original_severity, f.gate) == ("high", "medium", "fail") and verdict.exit_code == 1
    # near miss: the default policy leaves it medium, which does not fail
    report, verdict = workflow.report(tmp_path / "leakmap.db", policy=Policy())
    [f] = [f for _, f in report.findings() if f.rule == "cookie-undeclared"]
    assert (f.severity, f.gate) == ("medium", "pass") and verdict.exit_code == 0


def test_a_policy_naming_only_its_consent_cookie_declares_nothing_more(b):
    # Scenario: the privacy page says the choice is kept in the cookie "consent" and names no other
    # cookie: that is no cookie declaration; GA and Meta's cookies make one missing-declaration finding
    accepted(b, [links(POLICY), ga(), fbp(),
                 cookie("consent", "accepted", CLICK, host="www.maison-exemple.fr", origin="js",
                        script_url=SITE + "banner.js", lifetime=365 * DAY)])
    policy_page(b, "<p>Your choice is kept a year in the cookie <code>consent</code>.</p>")
    assert [f.rule for f in b.findings("cookie-declaration-missing")] == ["cookie-declaration-missing"]
    assert b.findings("cookie-undeclared") == []
    [view] = for_scan(b.store.db.conn, b.scan_id).sites
    assert {row.name: row.declared for row in view.declaration.observed} == {"consent": True, "_fbp": None, "_ga": None}

"""Cookie tables of policy pages in English, French and German (tests/data/declaration), and the
declared items' names, purposes and lifetimes as leakmap reads them."""

from __future__ import annotations

import pytest

from leakmap.declaration import policy
from leakmap.declaration.items import Declared, Source, domain_like
from leakmap.declaration.lifetimes import parse_days
from leakmap.declaration.purposes import category_of, understated


def read(test_data, language: str) -> policy.Page:
    path = test_data / "declaration" / f"policy-{language}.html"
    return policy.read(f"https://www.example.{language}/policy.html", path.read_text(encoding="utf-8"))


def rows(page: policy.Page) -> dict[str, Declared]:
    return {i.name: i for i in page.items}


def test_english_policy_tables_by_heading_and_category_column(test_data):
    page = read(test_data, "en")
    got = rows(page)
    # three cookie tables; the opening-hours table has no name column, the script-written one never ran
    assert page.tables == 3 and "not_a_declaration" not in got
    assert set(got) == {"eo_session", "OptanonConsent", "_ga", "_ga_<container-id>", "IDE", "eo_cart"}
    assert (got["eo_session"].category, got["eo_session"].lifetime_days) == ("necessary", 0.0)
    assert (got["_ga"].category, got["_ga"].lifetime_days, got["_ga"].provider) == ("analytics", 730.5, "Google")
    assert got["_ga"].domain is None  # "Google" is a company, not a domain
    ide = got["IDE"]
    assert (ide.category, ide.domain, ide.lifetime, ide.type) == ("advertising", "doubleclick.net", "13 months", "HTTP cookie")
    assert ide.source.where == "table 3, row 1" and ide.source.name == "https://www.example.en/policy.html"
    # a name set as code in the text is declared too, without purpose or lifetime
    assert got["eo_cart"].source.kind == "policy-text" and got["eo_cart"].purpose is None
    # the variable part of a declared name matches any container id, nothing else
    pattern = got["_ga_<container-id>"]
    assert pattern.matches("_ga_HSD8K2M4QX", "example-outfitters.com") and not pattern.matches("_gat", "x.com")


def test_french_policy_caption_and_columns(test_data):
    got = rows(read(test_data, "fr"))
    assert set(got) == {"_pk_id.*", "_fbp", "fr"}
    assert (got["_pk_id.*"].category, got["_pk_id.*"].lifetime_days) == ("analytics", parse_days("13 months"))
    assert got["_pk_id.*"].matches("_pk_id.1.a4f2", "www.cave-exemple.fr")
    assert (got["_fbp"].category, got["_fbp"].lifetime_days, got["_fbp"].provider) == ("advertising", 91.3125, "Meta")
    assert (got["fr"].category, got["fr"].domain) == ("social", "facebook.com")
    assert got["fr"].matches("fr", "facebook.com") and not got["fr"].matches("fr", "www.cave-exemple.fr")


def test_german_policy_headings_line_breaks_and_units(test_data):
    got = rows(read(test_data, "de"))
    assert set(got) == {"klaro", "_ga", "_gid"}  # "_ga<br>_gid": two names
    assert (got["klaro"].category, got["klaro"].lifetime_days, got["klaro"].type) == ("necessary", 180.0, "HTTP-Cookie")
    assert (got["_gid"].category, got["_gid"].lifetime, got["_gid"].provider) == ("analytics", "2 Jahre", "Google Ireland Ltd.")


def test_pages_that_declare_nothing():
    assert policy.read("https://x/", "").items == []
    page = policy.read("https://x/", "<p>We use cookies to improve your experience.</p>"
                                     "<table><tr><th>Purpose</th><th>Expiry</th></tr><tr><td>a</td><td>b</td></tr></table>")
    assert page.items == [] and page.tables == 0


@pytest.mark.parametrize(("text", "name", "found"), [
    ("We use _ga and _gid to count visits.", "_gid", True),
    ("Cookies (_ga) are set.", "_ga", True),
    ("We use _gat_UA-1 for throttling.", "_ga", False),  # inside another name
    ("Shop at www.example.fr today", "fr", False),  # too short to be taken from prose
    ("see https://example.com/klaro/docs", "klaro", False),  # inside a URL
    ("klaro.js loads", "klaro", False),  # a file name
])
def test_names_in_prose(text, name, found):
    assert policy.mentions(text, name) is found


@pytest.mark.parametrize(("text", "days"), [
    ("2 years", 730.5), ("13 mois", 395.6875), ("1 Jahr", 365.25), ("Session", 0.0), ("Sitzung", 0.0),
    ("Expires after 12 days", 12.0), ("24 hours", 1.0), ("1,5 Jahre", 547.875), ("90 jours", 90.0),
    ("1 year or 13 months", None), ("persistent", None), ("until you log out", None), ("", None),
])
def test_lifetimes(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize(("texts", "category"), [
    (("Strictly necessary",), "necessary"), (("Mesure d'audience",), "analytics"), (("Werbung",), "advertising"),
    (("Notwendige Cookies",), "necessary"), (("Targeting Cookies",), "advertising"), (("Social Media Cookies",), "social"),
    (("necessary for our statistics",), None),  # names two purposes: not recognised
    (("Keeps your basket", "Analytics"), "analytics"),  # the first recognisable text decides
    (("",), None),
])
def test_declared_purposes(texts, category):
    assert category_of(*texts) == category


def test_only_understatement_is_a_contradiction():
    assert understated("necessary", "analytics") == understated("functional", "advertising") == "high"
    assert understated("necessary", "identifier-tracking") == "high"
    assert understated("analytics", "advertising") == understated("analytics", "social") == "medium"
    # near misses: declared for more than it does, or as what it is, or not judged
    assert understated("advertising", "analytics") is None and understated("analytics", "analytics") is None
    assert understated("analytics", "identifier-tracking") is None  # a tracker of no known kind
    assert understated("necessary", "consent-management") is None and understated(None, "advertising") is None


def test_declared_names_and_domains():
    src = Source("cmp", "klaro", "services[x]")
    regex = Declared("^_ga(_.*)?$", src, regex="^_ga(_.*)?$")
    assert regex.matches("_ga", "a.fr") and regex.matches("_ga_X1", "a.fr") and not regex.matches("_gat", "a.fr")
    assert Declared("_ga_#", src).matches("_ga_ABC", "a.fr")  # Cookiebot's variable part
    assert Declared("_ga_xxxxxxxxxx", src).matches("_ga_HSD8K2M4QX", "a.fr")  # OneTrust's
    assert not Declared("xxxx", src).matches("abcd", "a.fr")  # a name, not a variable part
    scoped = Declared("IDE", src, domain="doubleclick.net")
    assert scoped.matches("IDE", "doubleclick.net") and scoped.matches("IDE", "ad.doubleclick.net")
    assert not scoped.matches("IDE", "example.com")
    assert domain_like(".facebook.com") == "facebook.com" and domain_like("Google Ireland Ltd.") is None
    assert not Declared("(", src, regex="(").matches("(", "a.fr")  # a broken regular expression matches nothing

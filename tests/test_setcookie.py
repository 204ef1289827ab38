"""Raw cookie attributes are what CNIL's lifetime rule is judged on, not the browser's capped expiry."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from leakmap.crawler.setcookie import parse_cookie_date, parse_set_cookie

NOW = 1_800_000_000.0


def test_full_attribute_set():
    c = parse_set_cookie("IDE=AHWqTU; expires=Wed, 21 Oct 2026 07:28:00 GMT; path=/; domain=.doubleclick.net; "
                         "Secure; HttpOnly; SameSite=none; Partitioned")
    assert (c.name, c.value, c.domain, c.path) == ("IDE", "AHWqTU", ".doubleclick.net", "/")
    assert c.secure and c.http_only and c.partitioned
    assert c.same_site == "None"
    assert c.expires == "Wed, 21 Oct 2026 07:28:00 GMT"


def test_max_age_wins_over_expires():
    c = parse_set_cookie("a=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Max-Age=60")
    assert c.lifetime(NOW) == 60


def test_two_year_expiry_is_kept_beyond_the_browser_cap():
    expires = datetime.fromtimestamp(NOW, UTC) + timedelta(days=730)
    c = parse_set_cookie(f"_ga=GA1.1.1.2; expires={format_datetime(expires, usegmt=True)}")
    assert abs(c.lifetime(NOW) - 730 * 86400) < 2  # more than Chromium's 400-day cap


def test_session_cookie_has_no_lifetime():
    assert parse_set_cookie("sid=abc; Path=/").lifetime(NOW) is None


def test_value_with_equals_and_spaces():
    c = parse_set_cookie(" tok = a=b=c ; path=/x")
    assert (c.name, c.value, c.path) == ("tok", "a=b=c", "/x")


def test_nameless_and_empty():
    assert parse_set_cookie("justvalue").name == ""
    assert parse_set_cookie("justvalue").value == "justvalue"
    assert parse_set_cookie("") is None


def test_bad_max_age_is_ignored():
    assert parse_set_cookie("a=1; Max-Age=soon").max_age is None


def test_cookie_date_variants():
    assert parse_cookie_date("Wed, 21 Oct 2026 07:28:00 GMT") == parse_cookie_date("Wed, 21-Oct-2026 07:28:00 GMT")
    assert parse_cookie_date("not a date") is None

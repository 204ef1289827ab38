"""``pii-leak``: typed canary values found in third-party requests, in every encoding."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import pytest

from leakmap import records as r
from leakmap.analysis.rules.pii import needles, prefix_lengths
from tests.analysis_store import request, store_fixture

SITE = "https://www.maison-exemple.fr/"
EMAIL = "Leakmap.5f2a9c1e@Example.org"
PHONE = "+447700900123"

b = store_fixture()


def fill(field: str, value: str, at: float, frame: str = SITE) -> r.FormFill:
    return r.FormFill(field=field, value=value, time=at, page_url=SITE, frame_url=frame, selector=f"#{field}",
                      input_name=field)


def _email_encodings() -> dict[str, str]:
    low = EMAIL.strip().lower().encode()
    return {
        "plain": EMAIL,
        "url-encoded": quote(EMAIL, safe=""),
        "base64": base64.b64encode(EMAIL.encode()).decode(),
        "lower-cased md5": hashlib.md5(low).hexdigest(),
        "lower-cased sha1": hashlib.sha1(low).hexdigest(),
        "lower-cased sha256": hashlib.sha256(low).hexdigest(),
    }


@pytest.mark.parametrize(("encoding", "needle"), list(_email_encodings().items()))
def test_each_encoding_is_found_and_named(b, encoding, needle):
    b.visit("baseline", [fill("email", EMAIL, 1.0),
                         request(f"https://www.facebook.com/tr/?id=1&ev=Lead&ud[em]={needle}", 2.0, resource_type="Image")])
    [f] = b.findings("pii-leak")
    assert f.evidence["encoding"] == encoding and f.evidence["field"]["kind"] == "email"
    assert f.evidence["field"]["value"] == EMAIL and f.severity == "high" and f.domain == "facebook.com"
    assert f.evidence["found_in"] == "url"


def test_phone_in_a_post_body_and_national_format(b):
    b.visit("baseline", [
        fill("phone", PHONE, 1.0),
        request("https://in.hotjar.com/api/v2/client/sites/1/visit-data", 2.0, method="POST", resource_type="Fetch",
                post_data='{"events":[{"value":"+447700900123"}]}'),
        request("https://bat.bing.com/action/0?ti=5&ph=07700900123", 2.5, resource_type="Image"),
    ])
    found = {f.domain: f for f in b.findings("pii-leak")}
    assert found["hotjar.com"].evidence["found_in"] == "post_data" and found["hotjar.com"].evidence["encoding"] == "plain"
    assert found["bing.com"].evidence["encoding"] == "national plain"


def test_near_misses(b):
    b.visit("baseline", [
        request("https://www.facebook.com/tr/?id=1&em=" + hashlib.sha256(EMAIL.lower().encode()).hexdigest(), 0.5),
        fill("email", EMAIL, 1.0),  # typed after that request: it cannot have leaked there
        fill("given-name", "Sam", 1.0),  # too short to search
        request(SITE + "api/check?email=" + quote(EMAIL), 2.0),  # the site itself
        request("https://bat.bing.com/action/0?ti=5&fn=Sam", 2.0),
        request("https://www.facebook.com/tr/?id=1&em=" + hashlib.sha256(b"someone@else.org").hexdigest(), 2.0),
    ])
    assert b.findings("pii-leak") == []


def test_the_frame_holding_the_field_is_not_a_leak(b):
    frame = "https://js.stripe.com/v3/elements-inner-card.html"
    b.visit("baseline", [fill("email", EMAIL, 1.0, frame=frame),
                         request("https://m.stripe.com/6", 2.0, method="POST", post_data="email=" + quote(EMAIL))])
    assert b.findings("pii-leak") == []


def test_needles_cover_the_normalised_value():
    encodings = {n.encoding for n in needles("email", "  Someone@Example.ORG ")}
    assert {"plain", "lower-cased plain", "lower-cased sha256", "base64", "url-encoded"} <= encodings
    assert needles("given-name", "Sam") == []


def test_a_typed_value_cut_short_is_found(b):
    """What the field held when the typing was cut (read back, shorter than the canary) leaves."""
    partial = EMAIL[:20]
    b.visit("baseline", [r.FormFill(field="email", value=partial, typed=partial, time=1.0, page_url=SITE, frame_url=SITE,
                                    selector="#email"),
                         request("https://k.clarity.ms/collect", 2.0, method="POST", post_data=f'{{"v":"{partial}"}}')])
    [f] = b.findings("pii-leak")
    assert f.evidence["field"]["value"] == partial and f.evidence["partial"] is None and f.domain == "clarity.ms"


def test_the_beginning_of_the_value_a_key_logger_sent_is_found(b):
    """A key-logger's batch a few keys short of the whole value: found under the encoding the whole
    value would have (the finding is the same however many keys a batch carried), with how many."""
    sent = EMAIL[:24]
    b.visit("baseline", [fill("email", EMAIL, 1.0),
                         request("https://k.clarity.ms/collect", 2.0, method="POST", post_data=f'{{"v":"{sent}"}}'),
                         request("https://www.facebook.com/tr/?id=1&em=" + hashlib.sha256(EMAIL[:22].lower().encode()).hexdigest(),
                                 2.5)])
    found = {f.domain: f for f in b.findings("pii-leak")}
    assert found["clarity.ms"].evidence["encoding"] == "plain"
    assert found["clarity.ms"].evidence["partial"] == {"characters": 24, "of": len(EMAIL)}
    assert found["facebook.com"].evidence["encoding"] == "lower-cased sha256"


def test_beginnings_too_short_to_name_the_value_are_not_searched(b):
    """Near misses: fewer than three quarters of the value (20 of 28 characters), a common head
    (the phone range every canary shares), and the page rewriting what was typed (found by the
    keys typed, not by what the field held)."""
    b.visit("baseline", [
        fill("email", EMAIL, 1.0),
        fill("phone", PHONE, 1.0),
        request("https://k.clarity.ms/collect", 2.0, method="POST", post_data=f'{{"v":"{EMAIL[:20]}"}}'),
        request("https://bat.bing.com/action/0?ti=5&ph=+447700900", 2.0, resource_type="Image"),
        request("https://bat.bing.com/action/0?ti=5&ph=" + quote(PHONE[:11], safe=""), 2.0, resource_type="Image"),
    ])
    assert b.findings("pii-leak") == []


def test_the_keys_typed_are_searched_when_the_page_rewrote_the_field(b):
    shown = "07700 900123"  # the page rewrites the number in national format as it is typed
    b.visit("baseline", [r.FormFill(field="phone", value=shown, typed=PHONE, time=1.0, page_url=SITE, frame_url=SITE,
                                    selector="#phone"),
                         request("https://k.clarity.ms/collect", 2.0, method="POST", post_data=f'{{"keys":"{PHONE}"}}')])
    [f] = b.findings("pii-leak")
    assert f.evidence["field"]["typed"] == PHONE and f.evidence["encoding"] == "plain"


def test_prefix_lengths_keep_three_quarters_and_twelve_characters():
    assert list(prefix_lengths(EMAIL)) == list(range(len(EMAIL) - 1, 20, -1))  # 28 characters: 27 down to 21
    assert list(prefix_lengths("Sam Leakmapper")) == [13, 12]
    assert list(prefix_lengths(PHONE)) == [12]
    assert list(prefix_lengths("0770090012")) == []

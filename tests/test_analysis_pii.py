"""``pii-leak``: typed canary values found in third-party requests, in every encoding."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import pytest

from leakmap import records as r
from leakmap.analysis.rules.pii import needles
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

"""The law knowledge (``data/laws.toml``, ``data/service-modes.toml``): what --jurisdiction accepts,
which states' duties apply on a day, the GPP sections each speaks for, and that the data hangs
together (every duty cited, every section and vendor domain known)."""

from __future__ import annotations

from datetime import date

import pytest

from leakmap.analysis.gpp import layouts
from leakmap.analysis.service_modes import request_params, service_mode
from leakmap.blocklists import Knowledge
from leakmap.blocklists.laws import Jurisdiction, JurisdictionError, laws, parse_jurisdiction, service_modes


def test_parse_and_default():
    assert parse_jurisdiction(None).ids == ("eu", "us")
    assert parse_jurisdiction("US-CA, eu,us-ca").ids == ("us-ca", "eu")
    assert parse_jurisdiction(["us-co"]).ids == ("us-co",)
    with pytest.raises(JurisdictionError, match="did you mean 'us-ca'"):
        parse_jurisdiction("us-cal")
    with pytest.raises(JurisdictionError):
        parse_jurisdiction(",")


def test_duties_follow_the_day():
    default = Jurisdiction()
    ids = lambda day: {law.id for law in default.us_laws(day)}  # noqa: E731
    assert ids(date(2024, 6, 1)) == {"us-ca"}
    assert ids(date(2024, 7, 1)) == {"us-ca", "us-co"}
    assert {"us-ct", "us-tx", "us-mt", "us-nh", "us-ne"} <= ids(date(2025, 1, 1)) and "us-or" not in ids(date(2025, 1, 1))
    assert {"us-or", "us-de", "us-nj", "us-mn", "us-md"} <= ids(date(2026, 1, 1))
    assert not {"us-va", "us-ut", "us-fl", "us-ia", "us-tn"} & ids(date(2026, 12, 1))  # no such duty


def test_sections_in_scope():
    day = date(2026, 6, 1)
    ca = Jurisdiction(("us-ca",)).sections(day)
    assert set(ca) == {"usnat", "usca", "uspv1"}
    assert set(Jurisdiction(("us-co", "us-ct")).sections(day)) == {"usnat", "usco", "usct"}
    assert Jurisdiction(("eu",)).sections(day) == {} and Jurisdiction(("us-va",)).sections(day) == {}
    assert not Jurisdiction(("us-va",)).us_opt_out and Jurisdiction(("us-ct",)).us_opt_out


def test_the_data_hangs_together():
    sections = {spec["name"] for spec in layouts().values()}
    kb = Knowledge.load()
    for law in laws().values():
        if law.us:
            assert law.gpp_section in sections, law.id
        if law.signal_since:
            assert law.statutes["opt-out-signal"] and law.sources, law.id
    assert laws()["us-ca"].display_texts and laws()["us-ca"].link_texts
    for mode in service_modes():
        assert mode.sources and all(s.startswith("https://") for s in mode.sources)
        for domain in mode.domains:
            assert kb.classify(domain).entity == mode.vendor, (mode.name, domain)


def test_parameters_are_read_where_tags_put_them():
    url = "https://ct.pinterest.com/v3/?tid=1&ed=%7B%22opt_out_type%22%3A%22LDP%22%7D"
    assert ("opt_out_type", "LDP") in request_params(url, None)
    assert ("dpo", "LDU") in request_params("https://www.facebook.com/tr/", "id=1&ev=PageView&dpo=LDU")
    assert ("us_privacy", "1YYN") in request_params("https://x.example/", '{"regs": {"ext": {"us_privacy": "1YYN"}}}')
    ca = [laws()["us-ca"]]
    assert service_mode(url, None, "pinterest.com", ca)["mode"] == "Limited Data Processing (opt_out_type=LDP)"
    assert service_mode("https://googleads.g.doubleclick.net/x?us_privacy=1YYN", None, "doubleclick.net", ca)
    assert service_mode("https://googleads.g.doubleclick.net/x?us_privacy=1YNN", None, "doubleclick.net", ca) is None
    assert service_mode("https://x.example/p?rdp=1", None, "example.com", ca) is None  # not the vendor's domain

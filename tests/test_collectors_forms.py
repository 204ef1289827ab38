"""The forms collector in a real Chromium: canary values typed (never submitted), and the
pii-leak rule on what left. ``www.lettre-du-quartier.fr`` sends the hashed e-mail to the Meta
pixel on blur, the phone as typed to a session-replay API, and the e-mail to its own server."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from leakmap.analysis import run
from leakmap.crawler.collectors.base import VisitContext
from leakmap.crawler.collectors.forms import FormsCollector, field_kind
from leakmap.crawler.config import ScanConfig
from leakmap.records import FormFill, RequestRecord
from tests.analysis_store import knowledge
from tests.browser_visit import store_of, visit

SITE = "https://www.lettre-du-quartier.fr/"
EMAIL = "leakmap.c4a7e912@example.org"


@pytest.fixture(scope="module")
def outcome(testweb, tmp_path_factory):
    start = len(testweb.log)
    result = visit(testweb, SITE, tmp_path_factory.mktemp("forms"), email=EMAIL)
    assert testweb.wait_idle()  # the browser is gone: what it sent is in the log
    return result, testweb.log[start:]


def test_fields_get_the_canary_values(outcome):
    result, _ = outcome
    fills = {f.field: f for f in result.evidence if isinstance(f, FormFill)}
    assert set(fills) == {"email", "phone", "name"}  # the search box and the hidden input are left alone
    assert fills["email"].value == EMAIL and fills["email"].selector == "#courriel" and fills["email"].input_name == "courriel"
    assert fills["phone"].value.startswith("+447700900") and fills["name"].value == "Sam Leakmapper"
    assert fills["email"].frame_url == SITE and fills["email"].page_url == SITE


def test_nothing_is_submitted(outcome):
    _, served = outcome
    assert not any(e.path.startswith("/merci.html") for e in served)


def test_the_leaks_are_found_and_named(outcome, tmp_path):
    result, _ = outcome
    sent = [r.url for r in result.evidence if isinstance(r, RequestRecord)]
    assert any(hashlib.sha256(EMAIL.encode()).hexdigest() in u for u in sent)
    store, scan_id = store_of(result, tmp_path / "leakmap.db")
    found = {(f.domain, f.evidence["field"]["kind"], f.evidence["encoding"]) for f in
             run(store, scan_id, knowledge(), rules=["pii-leak"]).findings}
    assert found == {("facebook.com", "email", "sha256"), ("hotjar.com", "phone", "plain")}
    store.close()


def test_field_kinds():
    assert field_kind({"type": "email"}) == "email"
    assert field_kind({"type": "text", "name": "courriel"}) == "email"
    assert field_kind({"type": "tel", "name": "x"}) == "phone"
    assert field_kind({"type": "text", "label": "Prénom"}) == "given-name"
    assert field_kind({"type": "text", "autocomplete": "family-name"}) == "family-name"
    assert field_kind({"type": "text", "id": "full_name"}) == "name"
    assert field_kind({"type": "text", "name": "username"}) is None
    assert field_kind({"type": "search", "name": "q"}) is None
    assert field_kind({"type": "password", "name": "email_password"}) is None


def test_no_forms_option_types_nothing(tmp_path):
    collector = FormsCollector(VisitContext(ScanConfig(fill_forms=False), 1, "baseline", SITE, tmp_path, "k"))
    asyncio.run(collector.on_loaded(page=None))  # returns before touching any page
    assert collector.records() == []


def test_cli_options_reach_the_config():
    import click
    from click.testing import CliRunner

    from leakmap.cli.options import browsing_options, config_from

    seen = []

    @click.command()
    @browsing_options
    def probe(**kwargs):
        seen.append(config_from(kwargs))

    CliRunner().invoke(probe, ["--email", EMAIL, "--no-forms"], catch_exceptions=False)
    CliRunner().invoke(probe, [], catch_exceptions=False)
    assert (seen[0].email, seen[0].fill_forms) == (EMAIL, False)
    assert seen[1].fill_forms and seen[1].email.startswith("leakmap.") and seen[1].email.endswith("@example.org")
    assert seen[1].email != ScanConfig().email  # a fresh canary per scan

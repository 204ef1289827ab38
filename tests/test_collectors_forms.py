"""The forms collector in a real Chromium: canary values typed (never submitted), and the
pii-leak rule on what left. ``www.lettre-du-quartier.fr`` sends the hashed e-mail to the Meta
pixel on blur, the phone as typed to a session-replay API, and the e-mail to its own server.
Under load (a CPU hog on every core, a page whose key handlers are slow) every key is still typed,
what a field holds is read back, and a value the field cut short is still found leaving."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys

import pytest

from leakmap.analysis import run
from leakmap.crawler.collectors.base import VisitContext
from leakmap.crawler.collectors.forms import FormsCollector, field_kind
from leakmap.crawler.config import ScanConfig
from leakmap.records import ErrorRecord, FormFill, RequestRecord
from tests.analysis_store import knowledge
from tests.browser_visit import store_of, visit
from tests.web.server import TestWeb, write_sites

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


SLOW = "https://www.slow-keys.fr/"
SLOW_PAGES = {
    "www.slow-keys.fr/index.html": """<!doctype html><title>Slow keys</title><link rel="icon" href="data:,">
        <label>E-mail <input type="email" id="email" name="email"></label>
        <label>Name <input type="text" id="fullname" name="name" maxlength="12"></label>
        <script>
          const email = document.getElementById('email'), name = document.getElementById('fullname');
          // heavy handlers: 150 ms of work at every key (28 keys overran the 3 s a field used to get)
          email.addEventListener('keydown', () => { const until = Date.now() + 150; while (Date.now() < until) {} });
          // a key-logger: every change of a field leaves for a session-replay service
          for (const field of [email, name]) field.addEventListener('input', () =>
            navigator.sendBeacon('https://k.clarity.ms/collect', JSON.stringify({[field.name]: field.value})));
        </script>""",
    "www.slow-keys.fr/stuck.html": """<!doctype html><title>Stuck</title><link rel="icon" href="data:,">
        <label>E-mail <input type="email" id="email" name="email"></label>
        <script>const field = document.getElementById('email');
          field.addEventListener('keydown', () => { if (field.value.length >= 6) for (;;) {} });</script>""",
}


@pytest.fixture(scope="module")
def slow_web(tmp_path_factory):
    with TestWeb(write_sites(tmp_path_factory.mktemp("slow-keys-web"), SLOW_PAGES)) as web:
        yield web


@pytest.fixture(scope="module")
def loaded(slow_web, tmp_path_factory):
    """A visit of the slow-keys page while a CPU hog runs on every core."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        return visit(slow_web, SLOW, tmp_path_factory.mktemp("slow-keys"), email=EMAIL)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(10)


def test_every_key_is_typed_under_load_and_what_the_field_holds_is_read_back(loaded):
    fills = {f.field: f for f in loaded.evidence if isinstance(f, FormFill)}
    assert (fills["email"].typed, fills["email"].value) == (EMAIL, EMAIL)
    # the name box takes 12 characters: all keys were typed, the field holds what it took
    assert (fills["name"].typed, fills["name"].value) == ("Sam Leakmapper", "Sam Leakmapp")
    assert not [e.message for e in loaded.evidence if isinstance(e, ErrorRecord) and e.kind == "form-fill"]


def test_a_value_the_field_cut_short_is_found_leaving(loaded, tmp_path):
    store, scan_id = store_of(loaded, tmp_path / "leakmap.db")
    found = {(f.domain, f.evidence["field"]["kind"], f.evidence["field"]["value"]) for f in
             run(store, scan_id, knowledge(), rules=["pii-leak"]).findings}
    assert found == {("clarity.ms", "email", EMAIL), ("clarity.ms", "name", "Sam Leakmapp")}
    store.close()


def test_typing_cut_short_keeps_what_was_typed_and_says_so(slow_web, tmp_path):
    """A page that stops answering after the sixth key (its handler never returns): the typing
    stops when the field's time is up, the six keys typed are kept (the field cannot be read back
    from a page that does not answer), and the visit has an error saying how far it got: never
    silence."""
    from playwright.async_api import async_playwright

    from leakmap.crawler.browser import find_browser

    async def fill():
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(find_browser()), args=[
                f"--host-resolver-rules={slow_web.host_rules}", "--ignore-certificate-errors"])
            page = await browser.new_page()
            await page.goto(SLOW + "stuck.html")
            collector = FormsCollector(VisitContext(ScanConfig(email=EMAIL), 1, "baseline", SLOW, tmp_path, "k"))
            await collector.on_loaded(page)
            await browser.close()
            return collector.records()

    records = asyncio.run(fill())
    [fill] = [f for f in records if isinstance(f, FormFill)]
    [error] = [e.message for e in records if isinstance(e, ErrorRecord) and e.kind == "form-fill"]
    assert (fill.typed, fill.value) == (EMAIL[:6], EMAIL[:6])
    assert f"stopped after 6 of {len(EMAIL)} characters" in error

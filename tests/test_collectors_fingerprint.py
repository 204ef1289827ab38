"""The fingerprinting collector in a real Chromium, and the rule on what it stored.

``www.fingerprint-lab.de`` loads a third-party fingerprinting agent (fpcdn.io: canvas, fonts,
WebGL, audio, navigator), a third-party emoji check that draws two flags (a canvas near miss),
and a first-party chart exported with save/restore (not a third party, and excluded anyway).
"""

from __future__ import annotations

import pytest

from leakmap.analysis import run
from leakmap.records import ApiCallRecord
from tests.analysis_store import knowledge
from tests.browser_visit import store_of, visit

AGENT = "https://fpcdn.io/v3/agent.js"
EMOJI = "https://s.w.org/wp-includes/js/wp-emoji-release.min.js"
CHART = "https://www.fingerprint-lab.de/js/chart.js"


@pytest.fixture(scope="module")
def outcome(testweb, tmp_path_factory):
    return visit(testweb, "https://www.fingerprint-lab.de/", tmp_path_factory.mktemp("fp"))


@pytest.fixture(scope="module")
def calls(outcome):
    return {(c.script_url, c.api): c for c in outcome.evidence if isinstance(c, ApiCallRecord)}


def test_calls_are_attributed_to_the_calling_script(calls):
    assert {api for script, api in calls if script == AGENT} == {"canvas", "canvas-font", "webgl", "audio", "navigator"}
    assert (EMOJI, "canvas") in calls and (CHART, "canvas") in calls
    assert all(c.phase == "baseline" and c.frame_url == "https://www.fingerprint-lab.de/" for c in calls.values())


def test_what_the_criteria_need_is_recorded(calls):
    canvas = calls[(AGENT, "canvas")].details
    assert len(set(canvas["chars"])) >= 10 and len(canvas["colors"]) == 2 and canvas["save_restore"] == 0
    assert canvas["extractions"][0] == {"method": "toDataURL", "width": 240, "height": 60, "type": "image/png"}
    fonts = calls[(AGENT, "canvas-font")].details
    assert fonts["fonts"] >= 60 and fonts["max_same_text"] == 60 and fonts["text"] == "mmmmmmmmmmlli"
    assert 37446 in calls[(AGENT, "webgl")].details["params"]
    assert "WEBGL_debug_renderer_info" in calls[(AGENT, "webgl")].details["extensions"]
    audio = calls[(AGENT, "audio")].details
    assert audio["offline"] == 1 and audio["oscillator"] == 1 and audio["compressor"] == 1 and audio["channel_data"] == 1
    assert {"navigator.userAgent", "navigator.hardwareConcurrency", "screen.colorDepth"} <= set(
        calls[(AGENT, "navigator")].details["props"])
    assert calls[(CHART, "canvas")].details["save_restore"] == 10
    assert calls[(AGENT, "canvas")].stack[0] == AGENT


def test_the_rule_flags_the_agent_only(outcome, tmp_path):
    store, scan_id = store_of(outcome, tmp_path / "leakmap.db")
    found = run(store, scan_id, knowledge(), rules=["fingerprinting"]).findings
    assert {(f.domain, f.evidence["technique"]) for f in found} == {
        ("fpcdn.io", t) for t in ("canvas", "canvas-font", "webgl", "audio", "navigator")}
    store.close()

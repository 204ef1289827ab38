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


PROBE = "https://h.online-metrix.net/fp/tags.js?org_id=lk7q2x9a&session_id=lcu-video-9b2e"
CALL = "https://meet.jit.si/external_api.js"


@pytest.fixture(scope="module")
def rtc(testweb, tmp_path_factory):
    """www.lakeshore-creditunion.com's video page: a fraud-prevention tag's WebRTC probe (data
    channel, offer, ICE candidates read, no media) beside a call widget (a video transceiver)."""
    out = visit(testweb, "https://www.lakeshore-creditunion.com/video-banking.html", tmp_path_factory.mktemp("rtc"))
    return out, {(c.script_url, c.api): c for c in out.evidence if isinstance(c, ApiCallRecord)}


def test_webrtc_probe_and_call_are_recorded_per_script(rtc):
    _, found = rtc
    probe, call = found[(PROBE, "webrtc")].details, found[(CALL, "webrtc")].details
    assert (probe["connections"], probe["data_channels"], probe["offers"], probe["media"]) == (1, 1, 1, 0)
    assert probe["ice_listeners"] == 1 and probe["ice_servers"] == []
    assert (call["connections"], call["data_channels"], call["media"]) == (1, 1, 1)


def test_the_rule_flags_the_probe_not_the_call(rtc, tmp_path):
    outcome, _ = rtc
    store, scan_id = store_of(outcome, tmp_path / "leakmap.db")
    found = run(store, scan_id, knowledge(), rules=["fingerprinting"]).findings
    assert [(f.domain, f.evidence["technique"], f.severity) for f in found] == [("online-metrix.net", "webrtc", "info")]
    store.close()


def test_geolocation_calls_are_recorded(testweb, tmp_path):
    outcome = visit(testweb, "https://www.lakeshore-creditunion.com/", tmp_path)
    [geo] = [c for c in outcome.evidence if isinstance(c, ApiCallRecord) and c.api == "geolocation"]
    assert geo.script_url == "https://www.lakeshore-creditunion.com/js/branches.js"
    assert geo.details == {"get_position": 1, "watch_position": 0}

"""``fingerprinting``: Englehardt & Narayanan 2016 criteria over stored API-call aggregates."""

from __future__ import annotations

from leakmap import records as r
from leakmap.analysis.rules import techniques as fp
from tests.analysis_store import CLICK, StoreBuilder, store_fixture

SITE = "https://www.maison-exemple.fr/"
AGENT = "https://fpcdn.io/v3/agent.js?k=1"
PANGRAM = "Cwm fjordbank glyphs vext quiz"
CANVAS = {"chars": PANGRAM, "text_calls": 2, "colors": ["#069"], "save_restore": 0, "listeners": 0,
          "extractions": [{"method": "toDataURL", "width": 240, "height": 60}]}


def call(api: str, details: dict, at: float, script: str = AGENT) -> r.ApiCallRecord:
    return r.ApiCallRecord(api=api, details=details, time=at, script_url=script, frame_url=SITE, document="d1",
                           calls=10, stack=[script])

b = store_fixture()


def test_canvas_criteria():
    assert fp.canvas(CANVAS) == {"distinct_characters": 27, "colors": 1,  # the pangram: 26 letters and the space
                                 "extraction": {"method": "toDataURL", "width": 240, "height": 60}}
    assert fp.canvas({**CANVAS, "chars": "\U0001f1fa\U0001f1f3"}) is None  # few characters, one colour (emoji check)
    assert fp.canvas({**CANVAS, "chars": "ab", "colors": ["#069", "#f60"]})["colors"] == 2  # two colours suffice
    assert fp.canvas({**CANVAS, "save_restore": 2}) is None
    assert fp.canvas({**CANVAS, "listeners": 1}) is None
    assert fp.canvas({**CANVAS, "extractions": [{"method": "toDataURL", "width": 15, "height": 60}]}) is None
    assert fp.canvas({**CANVAS, "extractions": [{"method": "getImageData", "width": 16, "height": 16}]})["extraction"] == {
        "method": "getImageData", "width": 16, "height": 16}
    assert fp.canvas({**CANVAS, "extractions": []}) is None


def test_font_webgl_audio_navigator_criteria():
    assert fp.canvas_font({"fonts": 50, "max_same_text": 50, "text": "mmmmmlli"}) == {
        "fonts": 50, "measure_text_same_string": 50, "text": "mmmmmlli"}
    assert fp.canvas_font({"fonts": 49, "max_same_text": 200}) is None
    assert fp.canvas_font({"fonts": 80, "max_same_text": 20}) is None
    assert fp.webgl({"params": [37446], "extensions": ["WEBGL_debug_renderer_info"]}) == {
        "unmasked_renderer": True, "parameters": 1, "extensions": ["WEBGL_debug_renderer_info"]}
    assert fp.webgl({"params": [7936, 7937, 7938]}) is None
    assert fp.webgl({"params": list(range(3000, 3025))}) == {"unmasked_renderer": False, "parameters": 25}
    assert fp.webgl({"params": list(range(3000, 3024))}) is None  # 24 distinct parameters: one short
    full = {"offline": 1, "oscillator": 1, "compressor": 1, "render": 1, "channel_data": 1}
    assert fp.audio(full) == full
    assert fp.audio({**full, "compressor": 0}) is None
    assert fp.audio({**full, "render": 0, "channel_data": 0}) is None
    assert fp.navigator({"props": [f"navigator.p{i}" for i in (3, 1, 2, 0, 4, 5, 6, 7, 8, 9, 10, 11)]}) == {
        "properties": ["navigator.p0", "navigator.p1", "navigator.p10", "navigator.p11", "navigator.p2",
                       "navigator.p3", "navigator.p4", "navigator.p5", "navigator.p6", "navigator.p7",
                       "navigator.p8", "navigator.p9"]}
    assert fp.navigator({"props": [f"navigator.p{i}" for i in range(11)]}) is None  # 11: one short
    assert fp.navigator({"props": ["navigator.userAgent", "screen.width", "screen.height"]}) is None


def test_third_party_script_before_consent(b):
    b.visit("baseline", [call("canvas", CANVAS, 1.0), call("audio", {"offline": 1, "oscillator": 1, "compressor": 1,
                                                                       "render": 1}, 1.2)])
    found = {f.evidence["technique"]: f for f in b.findings("fingerprinting")}
    assert set(found) == {"canvas", "audio"}
    f = found["canvas"]
    assert f.domain == "fpcdn.io" and f.category == "fingerprinting" and f.evidence["script_url"] == AGENT
    assert f.evidence["criteria"]["extraction"]["method"] == "toDataURL" and f.evidence["before_consent"] is True
    # FingerprintJS also sells fraud prevention (anti-fraud): legitimate interest may apply
    assert f.severity == "medium"


def test_after_reject_counts_after_accept_does_not(b):
    b.consent("accept")
    b.consent("reject")
    b.visit("accept", [call("canvas", CANVAS, CLICK + 1, "https://cdn.unlisted-fp.fr/fp.js")])
    b.visit("reject", [call("canvas", CANVAS, CLICK + 1, "https://cdn.unlisted-fp.fr/fp.js")])
    [f] = b.findings("fingerprinting")
    assert (f.phase, f.severity) == ("reject", "high") and "after \"reject all\"" in f.title


def test_first_party_and_essential_scripts(b):
    b.visit("baseline", [call("canvas", CANVAS, 1.0, SITE + "js/chart.js"),
                         call("canvas", CANVAS, 1.0, "https://js.stripe.com/v3/")])
    [f] = b.findings("fingerprinting")  # the site's own chart is not a finding
    assert f.domain == "stripe.com" and f.severity == "info"


def test_id_ignores_the_script_query_string(tmp_path):
    ids = []
    for i, url in enumerate(("https://fpcdn.io/v3/agent.js?k=1", "https://fpcdn.io/v3/agent.js?k=2")):
        b = StoreBuilder(tmp_path / f"{i}.db", SITE)
        b.visit("baseline", [call("canvas", CANVAS, 1.0 + i, url)])
        ids.append([f.id for f in b.findings("fingerprinting")])
    assert ids[0] == ids[1] and len(ids[0]) == 1


PROBE = {"connections": 1, "data_channels": 1, "offers": 1, "ice_listeners": 1, "candidate_reads": 4,
         "local_description": 0, "media": 0, "ice_servers": ["stun:stun.l.google.com:19302"]}


def test_webrtc_local_address_probe_criteria():
    met = fp.webrtc(PROBE)
    assert met["data_channels"] == 1 and met["ice_listeners"] == 1 and met["ice_servers"] == PROBE["ice_servers"]
    assert fp.webrtc({**PROBE, "ice_listeners": 0, "candidate_reads": 0}) is None  # offer made, candidates never read
    assert fp.webrtc({**PROBE, "ice_listeners": 0, "candidate_reads": 0, "local_description": 1}) is not None
    assert fp.webrtc({**PROBE, "data_channels": 0}) is None
    assert fp.webrtc({**PROBE, "offers": 0}) is None
    assert fp.webrtc({**PROBE, "media": 1}) is None  # a call: a track, a transceiver or getUserMedia


def test_a_third_party_webrtc_probe_is_fingerprinting_a_call_is_not(b):
    prober, call_widget = "https://cdn.unlisted-probe.net/rtc.js", "https://meet.unlisted-calls.net/widget.js"
    b.visit("baseline", [call("webrtc", PROBE, 1.0, prober), call("webrtc", {**PROBE, "media": 2}, 1.0, call_widget),
                         call("geolocation", {"get_position": 1, "watch_position": 0}, 1.1, prober)])
    [f] = b.findings("fingerprinting")
    assert (f.domain, f.severity, f.evidence["technique"]) == ("unlisted-probe.net", "high", "webrtc")
    assert f.evidence["criteria"]["candidate_reads"] == 4 and "(webrtc)" in f.title

"""Which stored API calls are fingerprinting. The page hook (``leakmap/crawler/collectors/fingerprint.js``)
stores what each script did per document; a call is fingerprinting when it meets these criteria:

- canvas (Englehardt & Narayanan 2016, §6.1): the script writes text with at least two colours
  or at least 10 distinct characters, never calls ``save``/``restore``/``addEventListener`` on
  it, and extracts the image with ``toDataURL``/``toBlob`` (canvas at least 16x16 px) or with a
  ``getImageData`` call over at least 16x16 px;
- canvas-font (ibid., §6.3): at least 50 distinct valid fonts set and ``measureText`` called at
  least 50 times on the same text;
- WebGL: the unmasked vendor/renderer read through ``WEBGL_debug_renderer_info``, or at least
  25 distinct ``getParameter`` values;
- audio (ibid., §6.4): an (Offline)AudioContext with an oscillator feeding a compressor or an
  analyser, whose output is read (rendering, ``getChannelData``, ``getFloatFrequencyData``);
- navigator/screen enumeration: at least 12 distinct ``navigator``/``screen`` properties read;
- WebRTC local-address discovery (as OpenWPM and Blacklight record it): the script opens an
  ``RTCPeerConnection`` with a data channel and an offer and collects its ICE candidates
  (``onicecandidate`` or an ``icecandidate`` listener, a candidate or the local description read),
  with no media use (no track, transceiver or ``getUserMedia``): the candidates reveal the
  device's local and public addresses, nothing a call without media would need.

``navigator.geolocation`` calls are recorded (``api = 'geolocation'``) but are no fingerprint.

The rule (:mod:`~leakmap.analysis.rules.fingerprints`) judges who did it and when; the tracking
verdict (:mod:`~leakmap.analysis.rules.behaviour`) counts it against an analytics party that
claims to measure without identifiers.
"""

from __future__ import annotations

from typing import Any

from leakmap.analysis.data import ApiCall

MIN_CANVAS = 16
MIN_CHARS, MIN_COLORS = 10, 2
MIN_FONTS, MIN_MEASURES = 50, 50
MIN_WEBGL_PARAMS = 25
MIN_PROPERTIES = 12
UNMASKED = {37445, 37446}  # UNMASKED_VENDOR_WEBGL, UNMASKED_RENDERER_WEBGL


def canvas(d: dict[str, Any]) -> dict[str, Any] | None:
    chars = len(set(d.get("chars", "")))
    colors = len(d.get("colors", []))
    if d.get("save_restore") or d.get("listeners"):
        return None
    if chars < MIN_CHARS and colors < MIN_COLORS:
        return None
    big = [e for e in d.get("extractions", []) if (e.get("width") or 0) >= MIN_CANVAS and (e.get("height") or 0) >= MIN_CANVAS]
    if not big:
        return None
    return {"distinct_characters": chars, "colors": colors, "extraction": big[0]}


def canvas_font(d: dict[str, Any]) -> dict[str, Any] | None:
    if d.get("fonts", 0) >= MIN_FONTS and d.get("max_same_text", 0) >= MIN_MEASURES:
        return {"fonts": d["fonts"], "measure_text_same_string": d["max_same_text"], "text": d.get("text")}
    return None


def webgl(d: dict[str, Any]) -> dict[str, Any] | None:
    params = set(d.get("params", []))
    if params & UNMASKED or d.get("unmasked"):
        return {"unmasked_renderer": True, "parameters": len(params), "extensions": d.get("extensions", [])[:20]}
    if len(params) >= MIN_WEBGL_PARAMS:
        return {"unmasked_renderer": False, "parameters": len(params)}
    return None


def audio(d: dict[str, Any]) -> dict[str, Any] | None:
    if not (d.get("offline") or d.get("realtime")) or not d.get("oscillator"):
        return None
    if not (d.get("compressor") or d.get("analyser")):
        return None
    if not (d.get("render") or d.get("channel_data") or d.get("frequency_data")):
        return None
    return {k: d[k] for k in ("offline", "realtime", "oscillator", "compressor", "analyser", "render",
                              "channel_data", "frequency_data") if d.get(k)}


def navigator(d: dict[str, Any]) -> dict[str, Any] | None:
    props = d.get("props", [])
    return {"properties": sorted(props)} if len(set(props)) >= MIN_PROPERTIES else None


def webrtc(d: dict[str, Any]) -> dict[str, Any] | None:
    if d.get("media") or not (d.get("data_channels") and d.get("offers")):
        return None
    gathered = {k: d[k] for k in ("ice_listeners", "candidate_reads", "local_description") if d.get(k)}
    if not gathered:
        return None
    return {"data_channels": d["data_channels"], "offers": d["offers"], **gathered,
            "ice_servers": list(d.get("ice_servers") or [])[:10], "media": 0}


CRITERIA = {"canvas": canvas, "canvas-font": canvas_font, "webgl": webgl, "audio": audio, "navigator": navigator,
            "webrtc": webrtc}


def technique(call: ApiCall) -> dict[str, Any] | None:
    """What makes ``call`` fingerprinting (None: it is not)."""
    judge = CRITERIA.get(call.api)
    return judge(call.details) if judge is not None else None

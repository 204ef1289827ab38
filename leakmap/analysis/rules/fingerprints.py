"""``fingerprinting``: a third-party script uses fingerprinting APIs before consent or after
"reject all". The page hook (``leakmap/crawler/collectors/fingerprint.js``) stores what each
script did per document; this module judges it:

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

Severity: high when the script's party is tracking at that moment (the verdict every rule uses:
its listing, a filter, or what its requests did) or is neither listed as tracking nor as
essential; medium when its owner also sells fraud prevention (mixed listing) and nothing made it
tracking then; info when it is listed as an essential service only (bot protection, payment).
"""

from __future__ import annotations

from typing import Any

from leakmap.analysis.data import ApiCall, SiteData
from leakmap.analysis.findings import MOMENTS, make, moment_of_row, party_evidence, timing
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.behaviour import strict
from leakmap.analysis.rules.common import verdict_of
from leakmap.records import Finding

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


def _base(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def fingerprinting(site: SiteData, parties: Parties) -> list[Finding]:
    found: dict[tuple[str, str, str, str], tuple[ApiCall, dict[str, Any], int]] = {}
    for call in site.api_calls:
        judge = CRITERIA.get(call.api)
        if judge is None or not call.script_url:
            continue
        if not MOMENTS[moment_of_row(call)].violating:
            continue
        party = parties.of_url(site.id, call.script_url)
        if party is None or party.first_party:
            continue
        met = judge(call.details)
        if met is None:
            continue
        key = (call.phase, moment_of_row(call), call.api, _base(call.script_url))
        previous = found.get(key)
        found[key] = (previous[0], previous[1], previous[2] + 1) if previous else (call, met, 1)
    out = []
    for (phase, moment, api, script), (call, met, documents) in found.items():
        party = parties.of_url(site.id, call.script_url)
        hit = verdict_of(site, parties, party, phase, moment)
        severity = "high" if hit is not None else "info" if strict(party) else "medium" if party.essential else "high"
        when = MOMENTS[moment].label
        out.append(make(
            site, "fingerprinting", severity, phase=phase, domain=party.domain, key=f"{api}:{script}", party=party,
            category="fingerprinting", page=site.page(call.visit_id), moment=moment,
            title=f"{party.label} script fingerprints the browser ({api}) {when}",
            evidence={"technique": api, "criteria": met, "script_url": call.script_url, "stack": call.stack,
                      "frame_url": call.frame_url, "calls": call.calls, "documents": documents, **timing(call),
                      "details": call.details,
                      "classification": {**party_evidence(parties, party), "basis": hit.basis if hit else None}}))
    return out

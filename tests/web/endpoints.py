"""Dynamic endpoints of the test web: the fake third parties the fixture sites use beyond the demo
web's (:mod:`leakmap.demo.vendors`, whose helpers these are written with), and the fixture sites'
own endpoints.

Everything here is a hand-written test emulation of what a vendor does at the network, cookie and
storage level, never its code (see :mod:`leakmap.demo.vendors` for the conventions). More raw
cookie lifetimes, beside the demo web's:

========================  ==================  ==========================================
cookie (domain)           attributes          lifetime asked for
========================  ==================  ==========================================
VISITOR_INFO1_LIVE        Max-Age + Expires   180 days; YSC is a session cookie
MUID (bing.com)           Expires only        390 days
bcookie (linkedin.com)    Max-Age + Expires   1 year; lidc 1 day
t_gid (taboola.com)       Max-Age only        1 year
========================  ==================  ==========================================
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import struct
import time
import uuid
import zlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from leakmap.demo import vendors
from leakmap.demo.server import Request, Response
from leakmap.demo.vendors import (
    DAY,
    JS,
    Registry,
    b64id,
    bad_request,
    gtm_container,
    ide_cookie,
    json_response,
    pixel,
    redirect,
    set_cookie,
    visitor_id,
)
from leakmap.demo.vendors import fake_script as _fake_script
from leakmap.demo.vendors import tracker_html as _tracker_html

WEB_DIR = Path(__file__).parent
TRACKERS_DIR = WEB_DIR / "trackers"

TESTS = Registry()
route = TESTS.route

# Google Tag Manager containers of the fixture sites (and the demo shop's): tags fire once the
# listed Consent Mode signals are granted (no list: on every page, whatever the visitor chose).
GTM_CONTAINERS: dict[str, list[dict]] = {**vendors.GTM_CONTAINERS,
    "GTM-HSD4T7Q": [  # www.harbourside-dental.co.uk (loaded only after "Accept all")
        {"type": "google", "id": "G-HSD8K2M4QX", "consent": ["analytics_storage"]},
        {"type": "meta", "id": "734019385512094", "consent": ["ad_storage"]},
    ],
    "GTM-NPK88QD": [  # www.northpeak-outdoor.com.au (grants everything on any answer)
        {"type": "google", "id": "G-NPK3W7T1ZB", "consent": ["analytics_storage"]},
        {"type": "google", "id": "AW-10987654321", "consent": ["ad_storage"]},
        {"type": "meta", "id": "918273645501122", "consent": ["ad_storage"]},
    ],
    "GTM-DHN5R2W": [  # www.dailyharbour-news.co.uk (loaded only after "Accept all")
        {"type": "google", "id": "G-DHN6Y1P9LC", "consent": ["analytics_storage"]},
        {"type": "gpt", "id": "/21775744923/dailyharbour/home", "size": [728, 90], "div": "ad-leaderboard",
         "consent": ["ad_storage"]},
    ],
}

YOUTUBE_VIDEOS = {  # embed id -> (title, seconds)
    "hB7rQe2LmXs": ("Harbour Regatta 2024: the final race in four minutes", 238),
    "Wd3kP9vTnQa": ("Bridge vote: what the council decided, explained", 174),
    "Kp3xV8nRt2Q": ("Nordlicht Kino: Trailer der Woche", 132),
}

YOUTUBE_VIDEOS = {  # embed id -> (title, seconds)
    "hB7rQe2LmXs": ("Harbour Regatta 2024: the final race in four minutes", 238),
    "Wd3kP9vTnQa": ("Bridge vote: what the council decided, explained", 174),
    "Kp3xV8nRt2Q": ("Nordlicht Kino: Trailer der Woche", 132),
}



def fake_script(name: str, config: dict | None = None) -> Response:
    return _fake_script(name, config, trackers=TRACKERS_DIR)


def tracker_html(name: str, headers: list | None = None, **values: str) -> Response:
    return _tracker_html(name, headers, trackers=TRACKERS_DIR, **values)


@lru_cache(maxsize=16)
def png(width: int, height: int, seed: str) -> bytes:
    """A gradient PNG (thumbnails), coloured after *seed*."""
    r0, g0, b0 = hashlib.sha256(seed.encode()).digest()[:3]
    rows = []
    for y in range(height):
        shade = y * 160 // height
        row = bytes((r0 // 2 + shade // 2, g0 // 3 + shade // 3, b0 // 2 + shade // 4)) * width
        rows.append(b"\x00" + row)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack("!I", len(data)) + tag + data + struct.pack("!I", zlib.crc32(tag + data))

    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


TESTS.static({
    ("securepubads.g.doubleclick.net", "/tag/js/gpt.js"): "gpt.js",
    ("tpc.googlesyndication.com", "/safeframe/*"): "safeframe-container.html",
    ("www.youtube.com", "/s/player/*"): "youtube-player.js",
    ("bat.bing.com", "/bat.js"): "bat.js",
    ("analytics.tiktok.com", "/i18n/pixel/events.js"): "tiktok.js",
    ("snap.licdn.com", "/li.lms-analytics/insight.min.js"): "insight.js",
    ("plausible.io", "/js/script.js"): "plausible.js",
}, trackers=TRACKERS_DIR)


@route("www.googletagmanager.com", "/gtm.js")
def gtm(request: Request) -> Response:
    return gtm_container(request, GTM_CONTAINERS)


# -- Google: Ads, Publisher Tag, SafeFrame ------------------------------------------


@route("googleads.g.doubleclick.net", "/pagead/viewthroughconversion/*")
def ads_remarketing(request: Request) -> Response:
    return pixel(ide_cookie(request)[1])


@route("googleads.g.doubleclick.net", "/pagead/id")
def ads_id(request: Request) -> Response:
    ide, headers = ide_cookie(request)
    return json_response({"id": hashlib.sha256(ide.encode()).hexdigest()[:32]}, headers)


@route("static.doubleclick.net", "/instream/ad_status.js")
def ad_status(request: Request) -> Response:
    return Response(200, "window.google_ad_status = 1;\n", JS)


@route("securepubads.g.doubleclick.net", "/gampad/ads")
def gampad_ads(request: Request) -> Response:
    size = request.query.get("prev_iu_szs", "300x250")
    width, _, height = size.partition("x")
    creative = secrets.token_hex(6)
    query = urlencode({"xai": b64id(24), "sai": b64id(16), "sig": b64id(12), "cid": creative})
    return json_response({"creative": {
        "id": creative,
        "image": f"https://tpc.googlesyndication.com/simgad/{creative}?w={width}&h={height}",
        "click": "https://www.homefinder-listings.ie/?utm_source=dailyharbour&utm_medium=display",
        "impression": f"https://securepubads.g.doubleclick.net/pcs/view?{query}",
        "alt": "HomeFinder: find your next home in Ireland",
    }}, ide_cookie(request)[1])


@route("securepubads.g.doubleclick.net", "/pcs/view")
def ad_impression(request: Request) -> Response:
    return pixel(ide_cookie(request)[1])


@route("tpc.googlesyndication.com", "/simgad/*")
def ad_image(request: Request) -> Response:
    w, h = int(request.query.get("w", 300)), int(request.query.get("h", 250))
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">
<rect width="{w}" height="{h}" fill="#0b5563"/><rect x="0" y="{h - 6}" width="{w}" height="6" fill="#f2a541"/>
<text x="16" y="{h // 2 - 4}" font-family="Arial" font-size="{max(14, h // 5)}" font-weight="bold" fill="#fff">HomeFinder</text>
<text x="16" y="{h // 2 + 18}" font-family="Arial" font-size="{max(11, h // 8)}" fill="#d8f3f0">Over 12,000 homes to rent and buy in Ireland</text>
</svg>"""
    return Response(200, svg, "image/svg+xml")


# -- YouTube --------------------------------------------------------------------


@route("www.youtube.com", "/embed/*")
def youtube_embed(request: Request) -> Response:
    video = urlsplit(request.path).path.removeprefix("/embed/")
    if video not in YOUTUBE_VIDEOS:
        return Response(404, "<p>Video unavailable</p>")
    title, seconds = YOUTUBE_VIDEOS[video]
    visitor, headers = visitor_id(request, "VISITOR_INFO1_LIVE", lambda: b64id(8)[:11], ".youtube.com",
                                  max_age=180 * DAY, expires=180 * DAY)
    if "YSC" not in request.cookies:
        headers.append(set_cookie("YSC", b64id(8)[:11], ".youtube.com"))
    headers.append(("X-Frame-Options", "ALLOWALL"))
    return tracker_html("youtube-embed.html", headers, video_id=video, title=title, visitor=visitor,
                        duration=str(seconds))


@route("www.youtube.com", "/youtubei/v1/log_event")
def youtube_log(request: Request) -> Response:
    return json_response({"responseContext": {"visitorData": request.cookies.get("VISITOR_INFO1_LIVE", "")}})


@route("www.youtube.com", "/api/stats/playback")
def youtube_playback(request: Request) -> Response:
    return Response(204, "", "text/plain")


@route("i.ytimg.com", "/vi/*")
def youtube_thumbnail(request: Request) -> Response:
    return Response(200, png(480, 360, request.path.split("/")[2]), "image/png")


# -- Microsoft (Bing UET), TikTok, LinkedIn, Taboola ----------------------------------


@route("bat.bing.com", "/action/0")
def bing_action(request: Request) -> Response:
    if not request.query.get("ti"):
        return bad_request("ti is required")
    _, headers = visitor_id(request, "MUID", lambda: secrets.token_hex(16).upper(), ".bing.com", expires=390 * DAY,
                            http_only=False)
    return Response(204, "", "text/plain", headers)


@route("analytics.tiktok.com", "/api/v2/pixel")
def tiktok_collect(request: Request) -> Response:
    return json_response({"code": 0, "message": "OK"})


@route("px.ads.linkedin.com", "/collect/", "/collect")
def linkedin_collect(request: Request) -> Response:
    if not request.query.get("pid"):
        return bad_request("pid is required")
    _, headers = visitor_id(request, "bcookie", lambda: f'"v=2&{uuid.uuid4()}"', ".linkedin.com",
                            max_age=365 * DAY, expires=365 * DAY, http_only=False)
    headers.append(set_cookie("lidc", f'"b=OGST0{secrets.randbelow(10)}:s=O:r=O:a=O:p=O:g=3000"', ".linkedin.com",
                              max_age=DAY, http_only=False))
    return pixel(headers)


@route("cdn.taboola.com", "/libtrc/unip/*")
def taboola_pixel(request: Request) -> Response:
    if not re.fullmatch(r"/libtrc/unip/\d+/tfa\.js", urlsplit(request.path).path):
        return Response(404, "", "text/plain")
    return fake_script("tfa.js")


@route("trc.taboola.com", "*")
def taboola_log(request: Request) -> Response:
    if not re.fullmatch(r"/\d+/log/3/unip", urlsplit(request.path).path):
        return Response(404, "", "text/plain")
    # <uuid>-tuct<hex> with an unpadded hex counter: 45 or 46 characters, depending on the profile
    _, headers = visitor_id(request, "t_gid", lambda: f"{uuid.uuid4()}-tuct{0x1000 + secrets.randbelow(0x1f000):x}",
                            ".taboola.com", max_age=365 * DAY)
    return pixel(headers)


# -- FingerprintJS Pro (listed both as fingerprinting and as fraud prevention) ---------------


@route("api.fpjs.io", "/")
def fpjs_identify(request: Request) -> Response:
    """The identification call: the browser's signals in, a visitor id out, kept a year in _iidt."""
    if request.method != "POST":
        return Response(405, "", "text/plain", [("Allow", "POST")])
    visitor, headers = visitor_id(request, "_iidt", lambda: b64id(24), ".fpjs.io", max_age=365 * DAY)
    headers += [("Access-Control-Allow-Origin", request.headers.get("origin", "*")),
                ("Access-Control-Allow-Credentials", "true")]
    return json_response({"visitorId": visitor[:20], "requestId": f"{int(time.time() * 1000)}.{b64id(4)}"}, headers)


# -- ThreatMetrix-like device profiling (fraud prevention; registered data broker's host) ----


@route("h.online-metrix.net", "/fp/profile")
def device_profile(request: Request) -> Response:
    """The device profile the WebRTC probe posts (sendBeacon): accepted, nothing set."""
    if request.method != "POST" or not request.body:
        return bad_request("a POSTed profile is required")
    return Response(204, "", "text/plain", [("Access-Control-Allow-Origin", request.headers.get("origin", "*"))])


# -- Microsoft Clarity (session replay) ------------------------------------------------------


@route("www.clarity.ms", "/tag/*")
def clarity_tag(request: Request) -> Response:
    match = re.fullmatch(r"/tag/([a-z0-9]{10})", urlsplit(request.path).path)
    if not match:
        return Response(404, "", "text/plain")
    return fake_script("clarity.js", {"project": match.group(1)})


@route("k.clarity.ms", "/collect")
def clarity_collect(request: Request) -> Response:
    if request.method != "POST" or not request.body:
        return bad_request("a POSTed recording is required")
    return Response(204, "", "text/plain")


# -- Page-hide beacons: Amplitude HTTP API, Vercel Speed Insights ------------------------


@route("api2.amplitude.com", "/2/httpapi")
def amplitude(request: Request) -> Response:
    try:
        batch = json.loads(request.body or b"{}")
    except ValueError:
        return json_response({"code": 400, "error": "Invalid JSON request body"}, status=400)
    if not batch.get("api_key") or not batch.get("events"):
        return json_response({"code": 400, "error": "Request missing required field"}, status=400)
    return json_response({"code": 200, "events_ingested": len(batch["events"]),
                          "payload_size_bytes": len(request.body), "server_upload_time": 0})


@route("vitals.vercel-insights.com", "/v1/vitals")
def vercel_vitals(request: Request) -> Response:
    return Response(200, "OK", "text/plain")


# -- Plausible Analytics: audience measurement without cookies or identifiers -----------------


@route("plausible.io", "/api/event")
def plausible_event(request: Request) -> Response:
    """A page view or custom event: counted, nothing set (no cookie; Plausible hashes IP address and
    user agent with a daily salt on its side)."""
    if request.method != "POST":
        return Response(405, "", "text/plain", [("Allow", "POST")])
    try:
        event = json.loads(request.body or b"{}")
    except ValueError:
        return bad_request("the body must be JSON")
    if not (event.get("n") and event.get("u") and event.get("d")):
        return bad_request("n, u and d are required")
    return Response(202, "ok", "text/plain", [("Access-Control-Allow-Origin", "*")])


# -- Zustimmly: a hosted consent platform unknown to the lists (sites/app.zustimmly.eu) --------------


@route("app.zustimmly.eu", "/v1/consent")
def zustimmly_consent(request: Request) -> Response:
    """The banner frame stores the answer on the platform's side: the word, in zm_consent (1 year)."""
    if request.method != "POST":
        return Response(405, "", "text/plain", [("Allow", "POST")])
    choice = parse_qs(request.body.decode("utf-8", "replace")).get("choice", [""])[0]
    if choice not in ("accept", "reject"):
        return bad_request("choice is accept or reject")
    return json_response({"ok": True, "choice": choice},
                         [set_cookie("zm_consent", choice, ".zustimmly.eu", max_age=365 * DAY, http_only=False)])


@route("app.zustimmly.eu", "/v1/status")
def zustimmly_status(request: Request) -> Response:
    """The loader checks the platform's record on every page with an answer (the cookie rides along)."""
    return json_response({"choice": request.cookies.get("zm_consent")})


# -- Hanse Medien: a publisher group whose sites send the answer through its consent domain ---------


@route("consent.hanse-medien.de", "/v2/decide")
def hanse_decide(request: Request) -> Response:
    """The banner's links land here: the answer and a consent id are kept on the group's domain (1 year),
    then the visitor goes back where they came from."""
    choice, back = request.query.get("choice", ""), request.query.get("return", "")
    if choice not in ("accept", "reject") or not back.startswith("https://"):
        return bad_request("choice (accept or reject) and return (an https URL) are required")
    return redirect(back, [set_cookie("hm_consent", choice, ".hanse-medien.de", max_age=365 * DAY),
                           set_cookie("hm_cid", str(uuid.uuid4()), ".hanse-medien.de", max_age=365 * DAY)])


@route("consent.hanse-medien.de", "/v2/state.js")
def hanse_state(request: Request) -> Response:
    """What the group's sites read on every page: the visitor's answer, from the group's cookies."""
    choice = request.cookies.get("hm_consent")
    state = {"choice": choice if choice in ("accept", "reject") else None, "id": request.cookies.get("hm_cid")}
    return Response(200, f"window.HanseConsent = {json.dumps(state)};\n", JS)


# -- first-party endpoints of the fixture sites ---------------------------------------------


@route("newsletter.dailyharbour-news.co.uk", "/embed/subscribe")
def newsletter_subscribe(request: Request) -> Response:
    if request.method != "POST":
        return Response(405, "", "text/plain", [("Allow", "POST")])
    email = parse_qs(request.body.decode("utf-8", "replace")).get("email", [""])[0]
    if "@" not in email:
        return json_response({"ok": False, "error": "Please enter a valid e-mail address."}, status=422)
    return json_response({"ok": True, "message": "Thanks! Check your inbox to confirm."})


# -- www.ridgeway-courier.co.uk: a home page that never finishes loading, sub-pages that fail -----


@route("www.ridgeway-courier.co.uk", "/live/traffic-cam.jpg")
def traffic_cam(request: Request) -> Response:
    """The live camera still: never answered (the page's load event never fires)."""
    return Response(hold=True)


@route("www.ridgeway-courier.co.uk", "/e-edition/latest")
def e_edition(request: Request) -> Response:
    """This week's e-edition: a 20 MB PDF sent as a download."""
    return Response(200, b"%PDF-1.7\n" + bytes(20 * 1024 * 1024), "application/pdf",
                    [("Content-Disposition", 'attachment; filename="ridgeway-courier-e-edition.pdf"')])


@route("www.ridgeway-courier.co.uk", "/planning-notices.html")
def planning_notices(request: Request) -> Response:
    """The planning notices database is down."""
    return Response(500, "<!doctype html><title>Error</title><h1>Internal Server Error</h1>"
                         "<p>The planning notices database is not responding.</p>")

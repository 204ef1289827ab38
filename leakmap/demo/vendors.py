"""The demo web's vendors: FAKE third parties at their real host names, and the helpers that fake
vendors are written with (the test suite's test web adds its own with the same helpers).

Everything here is a hand-written emulation. Each fake reproduces what the real service does at
the network and cookie level (request shapes, redirects, ``Set-Cookie`` with realistic raw
attributes, ids that are random per fresh browser profile and stable within one), never its
code. The fake vendor scripts live in ``trackers/``; each is served wrapped with the shared
helpers of ``trackers/runtime.js`` and a ``CONFIG`` object.

Third-party cookies are ``SameSite=None; Secure``. Raw lifetimes are deliberately varied so the
store's raw-vs-stored expiry can be tested (Chromium caps stored expiry at 400 days):

========================  ==================  ==========================================
cookie (domain)           attributes          lifetime asked for
========================  ==================  ==========================================
fr (facebook.com)         Max-Age + Expires   90 days
uid (criteo.com)          Expires only        2 years (over 400 days)
rlas3 (rlcdn.com)         Max-Age only        2 years (over 400 days)
demdex (demdex.net)       Max-Age + Expires   180 days
IDE (doubleclick.net)     Max-Age + Expires   396 days (over 13 months, under 400 days)
========================  ==================  ==========================================

The data-broker ID-sync chain: ``gum.criteo.com/sync`` -> 302 ``idsync.rlcdn.com/711187.gif
?partner_uid=<criteo uid>`` -> 302 ``dpm.demdex.net/ibs:dpid=2340&dpuuid=<rlcdn id>&redir=...``
-> 302 ``cm.g.doubleclick.net/pixel?...&google_hm=<demdex id>`` -> 200 (a 1x1 GIF).
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from leakmap.demo import KIT_DIR
from leakmap.demo.server import Endpoint, Request, Response, WebSocketHandler

HERE = Path(__file__).parent
TRACKERS_DIR = HERE / "trackers"

DAY = 24 * 3600
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
JS = "text/javascript; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Registry:
    """Dynamic endpoints of a web: ``routes[(host, path)]`` and ``websockets[(host, path)]``."""

    routes: dict[tuple[str, str], Endpoint] = field(default_factory=dict)
    websockets: dict[tuple[str, str], WebSocketHandler] = field(default_factory=dict)

    def route(self, host: str, *paths: str):
        """Register the decorated function for *host* and each of *paths*."""

        def register(fn):
            for path in paths:
                self.routes[(host, path)] = fn
            return fn

        return register

    def static(self, fakes: dict[tuple[str, str], str], trackers: Path = TRACKERS_DIR) -> None:
        """Serve fake vendor scripts (``*.js``, wrapped) and frames (HTML) of *trackers* as they are."""
        for key, name in fakes.items():
            self.routes[key] = ((lambda request, n=name: fake_script(n, trackers=trackers)) if name.endswith(".js")
                                else (lambda request, n=name: tracker_html(n, trackers=trackers)))


DEMO = Registry()
route = DEMO.route

# Google Tag Manager containers: tags fire once the listed Consent Mode signals are granted (no
# list: on every page, whatever the visitor chose). The test web adds its fixture sites' own.
GTM_CONTAINERS: dict[str, list[dict]] = {
    "GTM-ML4X9Z2": [  # www.maison-lumiere.fr, the demo shop (loaded before any answer)
        {"type": "google", "id": "G-ML7Q2R5D8N"},  # advanced consent mode: cookieless pings when denied
        {"type": "hotjar", "id": 3817264},  # misconfigured: no consent check at all
        {"type": "criteo", "id": 64511, "consent": ["ad_storage"]},
    ],
}

FONTS = {  # Google Fonts family -> file under fonts.gstatic.com (served from sites/fonts.gstatic.com)
    "Source Serif 4": "/s/sourceserif4/v8/vEFy2_tTDB4M7-auWDN0ahZJW3IX2ih5nk3AucvUHf6OAVIJmeUDygwjihdqrhxXD-w.woff2",
}
FONT_UNICODE_RANGE = ("U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, "
                      "U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD")


# -- helpers --------------------------------------------------------------


def set_cookie(name: str, value: str, domain: str, *, max_age: int | None = None, expires: int | None = None,
               http_only: bool = True) -> tuple[str, str]:
    """A third-party ``Set-Cookie`` header; *max_age* and *expires* in seconds from now."""
    parts = [f"{name}={value}"]
    if expires is not None:
        when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=expires)
        parts.append("Expires=" + email.utils.format_datetime(when, usegmt=True))
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    parts += [f"Domain={domain}", "Path=/", "Secure", "SameSite=None"]
    if http_only:
        parts.append("HttpOnly")
    return ("Set-Cookie", "; ".join(parts))


def visitor_id(request: Request, name: str, make: Callable[[], str], domain: str, **attrs) -> tuple[str, list]:
    """The visitor's id in cookie *name*: reused when the browser sent it, else a new random one.

    The cookie is (re)set either way, so its lifetime slides like the real ones.
    """
    value = request.cookies.get(name) or make()
    return value, [set_cookie(name, value, domain, **attrs)]


def fake_script(name: str, config: dict | None = None, *, prelude: tuple[Path, ...] = (),
                trackers: Path = TRACKERS_DIR) -> Response:
    """A fake vendor script: runtime helpers, CONFIG, optional bundled files, then ``<trackers>/<name>``."""
    parts = [(TRACKERS_DIR / "runtime.js").read_text(), f"const CONFIG = {json.dumps(config or {})};"]
    parts += [p.read_text() for p in prelude]
    parts.append((trackers / name).read_text())
    return Response(200, "(() => {\n" + "\n".join(parts) + "\n})();\n", JS)


def tracker_html(name: str, headers: list | None = None, *, trackers: Path = TRACKERS_DIR, **values: str) -> Response:
    text = (trackers / name).read_text()
    for key, value in values.items():
        text = text.replace(f"__{key.upper()}__", value)
    return Response(200, text, "text/html; charset=utf-8", headers or [])


def pixel(headers: list | None = None) -> Response:
    return Response(200, GIF, "image/gif", headers or [])


def json_response(data, headers: list | None = None, status: int = 200) -> Response:
    return Response(status, json.dumps(data), JSON_TYPE, headers or [])


def redirect(location: str, headers: list | None = None) -> Response:
    return Response(302, "", "text/plain", [("Location", location), *(headers or [])])


def bad_request(why: str) -> Response:
    return Response(400, why, "text/plain; charset=utf-8")


def all_values(request: Request, name: str) -> list[str]:
    return parse_qs(urlsplit(request.path).query, keep_blank_values=True).get(name, [])


def b64id(nbytes: int) -> str:
    return secrets.token_urlsafe(nbytes)


# -- fake vendor scripts and frames served as they are ---------------------------

DEMO.static({
    ("connect.facebook.net", "/en_US/fbevents.js"): "fbevents.js",
    ("static.criteo.net", "/js/ld/publishertag.js"): "criteo.js",
    ("static.criteo.net", "/js/ld/ld.js"): "criteo.js",
    ("js.stripe.com", "/v3/"): "stripe.js",
    ("js.stripe.com", "/v3"): "stripe.js",
    ("js.stripe.com", "/v3/controller-*"): "stripe-controller.html",
    ("js.stripe.com", "/v3/elements-inner-card-*"): "stripe-card.html",
})


# -- Google: Tag Manager, gtag.js, Analytics 4 ------------------------------


def gtm_container(request: Request, containers: dict[str, list[dict]]) -> Response:
    """``gtm.js?id=GTM-...``: the container's tags, or 404 for a container *containers* does not hold."""
    container = request.query.get("id", "")
    if container not in containers:
        return Response(404, "", "text/plain")
    return fake_script("gtm.js", {"id": container, "tags": containers[container]},
                       prelude=(KIT_DIR / "tag-snippets.js",))


@route("www.googletagmanager.com", "/gtm.js")
def gtm(request: Request) -> Response:
    return gtm_container(request, GTM_CONTAINERS)


@route("www.googletagmanager.com", "/gtag/js")
def gtag(request: Request) -> Response:
    if not re.fullmatch(r"(G|AW|GT|DC)-[A-Z0-9-]{4,20}", request.query.get("id", "")):
        return bad_request("invalid id")
    return fake_script("gtag.js", {"id": request.query["id"]})


@route("www.google-analytics.com", "/g/collect")
@route("region1.google-analytics.com", "/g/collect")
def ga_collect(request: Request) -> Response:
    q = request.query
    if q.get("v") != "2" or not q.get("tid", "").startswith("G-") or not q.get("cid"):
        return bad_request("v=2, tid and cid are required")
    return Response(204, "", "text/plain")


# -- Google: DoubleClick cookie matching ----------------------------------------


def ide_cookie(request: Request) -> tuple[str, list]:
    return visitor_id(request, "IDE", lambda: "AHWqTU" + b64id(30), ".doubleclick.net", max_age=396 * DAY,
                      expires=396 * DAY)


@route("cm.g.doubleclick.net", "/pixel")
def cookie_matching(request: Request) -> Response:
    """Google cookie matching, the last hop of the ID-sync chain: ``google_hm`` is the partner's id."""
    if not request.query.get("google_nid"):
        return bad_request("google_nid is required")
    return pixel(ide_cookie(request)[1])


# -- Google Fonts ---------------------------------------------------------------


@route("fonts.googleapis.com", "/css2", "/css")
def google_fonts_css(request: Request) -> Response:
    rules = []
    for spec in all_values(request, "family"):
        family, _, axes = spec.partition(":")
        if family not in FONTS:
            return bad_request(f"Font family not found: {family}")
        weights = re.findall(r"\d{3}", axes.partition("@")[2] if "@" in axes else axes) or ["400"]
        for weight in weights:
            rules.append(f"""/* latin */
@font-face {{
  font-family: '{family}';
  font-style: normal;
  font-weight: {weight};
  font-display: {request.query.get("display", "auto")};
  src: url(https://fonts.gstatic.com{FONTS[family]}) format('woff2');
  unicode-range: {FONT_UNICODE_RANGE};
}}""")
    if not rules:
        return bad_request("Missing font family")
    return Response(200, "\n".join(rules) + "\n", "text/css; charset=utf-8",
                    [("Access-Control-Allow-Origin", "*")])


# -- Meta -----------------------------------------------------------------------


@route("connect.facebook.net", "/signals/config/*")
def fb_signals_config(request: Request) -> Response:
    pixel_id = urlsplit(request.path).path.rsplit("/", 1)[1]
    if not pixel_id.isdigit():
        return Response(404, "", "text/plain")
    return fake_script("fb-signals-config.js", {"pixel": pixel_id})


@route("www.facebook.com", "/tr/", "/tr")
def facebook_tr(request: Request) -> Response:
    if not request.query.get("id") or not request.query.get("ev"):
        return bad_request("id and ev are required")
    _, headers = visitor_id(request, "fr", lambda: "0" + b64id(24) + ".." + b64id(6), ".facebook.com",
                            max_age=90 * DAY, expires=90 * DAY)
    return pixel(headers)


# -- Criteo and the data-broker ID-sync chain --------------------------------------


def criteo_uid(request: Request) -> tuple[str, list]:
    return visitor_id(request, "uid", lambda: str(uuid.uuid4()), ".criteo.com", expires=730 * DAY)


def criteo_bundle(uid: str) -> str:
    return b64id(6) + "%7C" + hashlib.sha1(uid.encode()).hexdigest()[:24]


@route("bidder.criteo.com", "/cdb")
def criteo_bidder(request: Request) -> Response:
    uid, headers = criteo_uid(request)
    try:
        bid_request = json.loads(request.body or b"{}")
    except ValueError:
        return bad_request("invalid JSON")
    slots = []
    for slot in bid_request.get("slots", []):
        creative = ('<a href="https://www.maison-lumiere.fr/produit/bougie-figuier.html?utm_source=criteo" target="_blank" '
                    'style="display:block;height:100%;text-decoration:none;font:15px Georgia,serif;color:#3b2f2a;'
                    'background:#f6efe6;padding:18px;box-sizing:border-box"><small style="color:#8a7565">Sponsorisé</small>'
                    '<strong style="display:block;font-size:22px;margin:14px 0 6px">Maison Lumière</strong>'
                    'Bougie Figuier, 60 heures de douceur. <u>-15% cette semaine</u></a>')
        slots.append({"impid": slot.get("impid"), "zoneid": slot.get("zoneid"), "cpm": 0.61, "currency": "EUR",
                      "width": 300, "height": 250, "creative": creative})
    return json_response({"slots": slots, "ext": {"bundle": criteo_bundle(uid)}}, headers)


@route("sslwidget.criteo.com", "/event")
def criteo_event(request: Request) -> Response:
    if not request.query.get("a"):
        return bad_request("account is required")
    uid, headers = criteo_uid(request)
    return json_response({"bundle": criteo_bundle(uid), "status": "ok"}, headers)


@route("gum.criteo.com", "/sync")
def criteo_sync(request: Request) -> Response:
    """First hop of the ID-sync chain: Criteo hands its user id to LiveRamp."""
    uid, headers = criteo_uid(request)
    return redirect("https://idsync.rlcdn.com/711187.gif?" + urlencode({"partner_uid": uid, "redirect": 1}), headers)


@route("idsync.rlcdn.com", "*")
def liveramp_sync(request: Request) -> Response:
    """LiveRamp: keeps its rlas3 id, then hands it to Adobe Audience Manager (demdex)."""
    if not re.fullmatch(r"/\d+\.gif", urlsplit(request.path).path) or not request.query.get("partner_uid"):
        return Response(404, "", "text/plain")
    rl_id, headers = visitor_id(request, "rlas3", lambda: b64id(18), ".rlcdn.com", max_age=730 * DAY)
    if request.query.get("redirect") != "1":
        return pixel(headers)
    next_hop = "https://cm.g.doubleclick.net/pixel?google_nid=adobe_dmp&google_cm&google_sc&google_hm=${DD_UUID}"
    return redirect(f"https://dpm.demdex.net/ibs:dpid=2340&dpuuid={rl_id}&redir={quote(next_hop, safe='')}", headers)


@route("dpm.demdex.net", "*")
def demdex_sync(request: Request) -> Response:
    """Adobe Audience Manager ``/ibs:dpid=..&dpuuid=..[&redir=..]``: stores the partner id against
    its own demdex id and redirects to ``redir`` with ``${DD_UUID}`` replaced by that id."""
    path = urlsplit(request.path).path
    if not path.startswith("/ibs:"):
        return Response(404, "", "text/plain")
    params = {k: v[0] for k, v in parse_qs(path[len("/ibs:"):], keep_blank_values=True).items()}
    if not params.get("dpid") or not params.get("dpuuid"):
        return bad_request("dpid and dpuuid are required")
    demdex, headers = visitor_id(request, "demdex", lambda: str(secrets.randbelow(10**38)).zfill(38), ".demdex.net",
                                 max_age=180 * DAY, expires=180 * DAY)
    if params.get("redir"):
        return redirect(unquote(params["redir"]).replace("${DD_UUID}", demdex), headers)
    return pixel(headers)


# -- Hotjar (session replay) ----------------------------------------------------------

HOTJAR_BUILD = "8f1b3a70c2e4d915"


@route("static.hotjar.com", "/c/*")
def hotjar_loader(request: Request) -> Response:
    match = re.fullmatch(r"/c/hotjar-(\d+)\.js", urlsplit(request.path).path)
    if not match:
        return Response(404, "", "text/plain")
    return fake_script("hotjar-loader.js", {"site": int(match.group(1)), "build": HOTJAR_BUILD})


@route("script.hotjar.com", "*")
def hotjar_modules(request: Request) -> Response:
    if urlsplit(request.path).path != f"/modules.{HOTJAR_BUILD}.js":
        return Response(404, "", "text/plain")
    return fake_script("hotjar-modules.js")


@route("in.hotjar.com", "*")
def hotjar_api(request: Request) -> Response:
    if not urlsplit(request.path).path.startswith("/api/"):
        return Response(404, "", "text/plain")
    return json_response({"success": True})


def hotjar_socket(request: Request, message: str | bytes) -> str | None:
    """Acknowledges each recording message, as Hotjar's collector does."""
    try:
        action = json.loads(message).get("action")
    except (ValueError, AttributeError):
        return None
    return json.dumps({"ack": action})


DEMO.websockets[("ws.hotjar.com", "/api/v2/client/ws")] = hotjar_socket


# -- Stripe (payment: essential) ----------------------------------------------------------


@route("m.stripe.com", "/6")
def stripe_signals(request: Request) -> Response:
    form = parse_qs(request.body.decode("utf-8", "replace"))
    return json_response({"muid": form.get("muid", [""])[0], "guid": str(uuid.uuid4()), "sid": form.get("sid", [""])[0]})



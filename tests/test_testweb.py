"""The test web itself: routing, TLS and plain HTTP, static rules, the fake trackers, the fixtures.

Fast and browser-free: stdlib HTTP clients against the session's ``testweb`` server. Whether the
fixture sites' ``_expect.toml`` match what a real Chromium does is checked by
``python -m tests.web.verify`` (and by the crawler's end-to-end tests).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import threading
import time
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import pytest

from leakmap.blocklists.domains import registrable_domain as registrable
from leakmap.demo import KIT_DIR, vendors
from tests.web import endpoints
from tests.web.server import SITES_DIR, WEB_DIR, WEB_ROOTS, TestWeb, expectations, site_dir

FIXTURES = sorted(expectations())
PHASES = ("baseline", "accept", "reject")
TLS = ssl._create_unverified_context()


def served_hosts(web: TestWeb) -> set[str]:
    return set(web.sites) | {h for h, _ in web.endpoints} | {h for h, _ in web.websockets}


class Reply:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.msg
        self.body = response.read()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def cookies(self) -> dict[str, dict[str, str]]:
        """Set-Cookie headers as {name: {"value": ..., attribute (lower case): value or ""}}."""
        jar = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            first, *attrs = [part.strip() for part in header.split(";")]
            name, _, value = first.partition("=")
            jar[name] = {"value": value} | {a.partition("=")[0].lower(): a.partition("=")[2] for a in attrs}
        return jar


def fetch(web: TestWeb, url: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None) -> Reply:
    parts = urlsplit(url)
    conn = (http.client.HTTPSConnection("127.0.0.1", web.port, context=TLS, timeout=10) if parts.scheme == "https"
            else http.client.HTTPConnection("127.0.0.1", web.port, timeout=10))
    try:
        path = parts.path + ("?" + parts.query if parts.query else "")
        conn.request(method, path or "/", body=body, headers={"Host": parts.hostname, **(headers or {})})
        return Reply(conn.getresponse())
    finally:
        conn.close()


# -- the server ---------------------------------------------------------------------------


def test_routes_on_host_over_tls_and_plain_http_on_one_port(testweb):
    secure = fetch(testweb, "https://www.harbourside-dental.co.uk/")
    plain = fetch(testweb, "http://www.harbourside-dental.co.uk/")
    other = fetch(testweb, "https://www.ledgerly.io/")
    assert secure.status == plain.status == other.status == 200
    assert secure.body == plain.body
    assert "Harbourside Dental" in secure.text and "Ledgerly" in other.text
    assert secure.headers["Content-Type"] == "text/html; charset=utf-8"


def test_unknown_host_and_missing_file_are_404(testweb):
    assert fetch(testweb, "https://nobody-lives-here.co.uk/").status == 404
    assert fetch(testweb, "https://www.ledgerly.io/no-such-page.html").status == 404


def test_underscore_files_and_paths_outside_a_site_are_never_served(testweb):
    site = "https://www.maison-lumiere.fr"
    for path in ("/_expect.toml", "/_headers", "/_redirects", "/_mounts", "/_head.html", "/../www.ledgerly.io/index.html",
                 "/assets/kit/../../endpoints.py"):
        assert fetch(testweb, site + path).status == 404, path


def test_headers_file(testweb):
    page = fetch(testweb, "https://www.harbourside-dental.co.uk/treatments.html")
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    font_css = fetch(testweb, "https://fonts.googleapis.com/css2?family=Source+Serif+4")
    font_url = re.search(r"url\((https://[^)]+)\)", font_css.text).group(1)
    font = fetch(testweb, font_url, headers={"Origin": "https://www.ledgerly.io"})
    assert font.headers["Access-Control-Allow-Origin"] == "*"  # from fonts.gstatic.com/_headers, not reflected


def test_redirects_file(testweb):
    reply = fetch(testweb, "https://www.harbourside-dental.co.uk/appointments.php")
    assert (reply.status, reply.headers["Location"]) == (301, "/book.html")
    assert fetch(testweb, "https://www.maison-lumiere.fr/shop").headers["Location"] == "/boutique.html"


def test_mounts_serve_shared_first_party_code_without_copies(testweb):
    shared = (KIT_DIR / "consent-banner.js").read_bytes()
    for host in ("www.harbourside-dental.co.uk", "www.maison-lumiere.fr"):
        reply = fetch(testweb, f"https://{host}/assets/kit/consent-banner.js")
        assert (reply.status, reply.body) == (200, shared)
        assert reply.headers["Content-Type"].startswith("text/javascript")
    assert fetch(testweb, "https://www.ledgerly.io/assets/kit/consent-banner.js").status == 404  # no _mounts there


def test_server_side_includes_assemble_pages_from_partials(testweb, tmp_path):
    page = fetch(testweb, "https://www.maison-lumiere.fr/boutique.html").text
    assert "<!--#include" not in page
    assert (site_dir("www.maison-lumiere.fr") / "_header.html").read_text().strip() in page
    assert page.index("<title>") < page.index('src="/assets/kit/consent-banner.js"') < page.index("</head>")
    site = tmp_path / "www.partials.fr"
    site.mkdir()
    (site / "_nav.html").write_text("<nav>menu</nav>\n")
    (tmp_path / "secret.html").write_text("secret")
    (site / "index.html").write_text('<!--#include virtual="/_nav.html" --><!--#include virtual="/../secret.html" -->')
    with TestWeb(tmp_path) as web:
        assert fetch(web, "https://www.partials.fr/").text == '<nav>menu</nav><!-- include failed: /../secret.html -->'


def test_prefix_routes_and_whole_host_routes(testweb):
    assert fetch(testweb, "https://www.youtube.com/embed/hB7rQe2LmXs").status == 200
    assert fetch(testweb, "https://www.youtube.com/embed/unknownvid0").status == 404
    assert fetch(testweb, "https://www.youtube.com/s/player/3d2f5e8c/www-embed-player.vflset/www-embed-player.js").status == 200
    assert fetch(testweb, "https://idsync.rlcdn.com/711187.gif?partner_uid=x").status == 200
    assert fetch(testweb, "https://idsync.rlcdn.com/robots.txt").status == 404


def test_request_log_records_what_the_server_received(testweb):
    start = time.time()
    fetch(testweb, "https://www.brightpath-travel.com/deals.html?from=test", headers={"Cookie": "a=1", "Referer": "https://x.example/"})
    fetch(testweb, "http://bat.bing.com/action/0?ti=1", method="POST", body=b"12345")
    entries = testweb.requests_between(start, time.time())
    page = next(e for e in entries if e.host == "www.brightpath-travel.com")
    assert (page.scheme, page.method, page.path, page.status) == ("https", "GET", "/deals.html?from=test", 200)
    assert page.url == "https://www.brightpath-travel.com/deals.html?from=test"
    assert page.headers["cookie"] == "a=1" and page.headers["referer"] == "https://x.example/"
    beacon = next(e for e in entries if e.host == "bat.bing.com")
    assert (beacon.scheme, beacon.method, beacon.body_size, beacon.status) == ("http", "POST", 5, 204)


def test_cors_preflight_and_credentialed_answers(testweb):
    preflight = fetch(testweb, "https://bidder.criteo.com/cdb", method="OPTIONS",
                      headers={"Origin": "https://www.homefinder-listings.ie", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status == 204 and preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    bid = fetch(testweb, "https://bidder.criteo.com/cdb?profileId=207", method="POST", body=b'{"slots": []}',
                headers={"Origin": "https://www.homefinder-listings.ie"})
    assert bid.headers["Access-Control-Allow-Origin"] == "https://www.homefinder-listings.ie"
    assert bid.headers["Access-Control-Allow-Credentials"] == "true"


def test_websocket_echoes_hotjar_recording_messages(testweb):
    raw = socket.create_connection(("127.0.0.1", testweb.port), timeout=5)
    sock = TLS.wrap_socket(raw, server_hostname="ws.hotjar.com")
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /api/v2/client/ws?v=6 HTTP/1.1\r\nHost: ws.hotjar.com\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += sock.recv(1)
    expected = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    assert head.startswith(b"HTTP/1.1 101") and expected.encode() in head

    def send(opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive() -> tuple[int, bytes]:
        first, length = sock.recv(2)
        return first & 0x0F, sock.recv(length & 0x7F) if length else b""

    send(0x1, json.dumps({"action": "identify", "user_id": "u1"}).encode())
    assert receive() == (0x1, b'{"ack": "identify"}')
    send(0x9, b"hi")
    assert receive() == (0xA, b"hi")
    send(0x8, b"\x03\xe8")
    assert receive() == (0x8, b"\x03\xe8")
    sock.close()
    entry = [e for e in testweb.log if e.host == "ws.hotjar.com"][-1]
    assert (entry.status, entry.url) == (101, "wss://ws.hotjar.com/api/v2/client/ws?v=6")


# -- fake trackers ---------------------------------------------------------------------------


def follow_chain(web: TestWeb, url: str, jar: dict[str, dict[str, str]]) -> list[tuple[str, Reply]]:
    """Follow redirects like a browser with third-party cookies: *jar* maps cookie domain -> cookies."""
    hops = []
    for _ in range(10):
        host = urlsplit(url).hostname
        sent = {k: v for domain, cookies in jar.items() if ("." + host).endswith(domain) for k, v in cookies.items()}
        reply = fetch(web, url, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in sent.items())} if sent else {})
        for name, cookie in reply.cookies().items():
            jar.setdefault(cookie["domain"], {})[name] = cookie["value"]
        hops.append((url, reply))
        if reply.status not in (301, 302):
            return hops
        url = urljoin(url, reply.headers["Location"])
    raise AssertionError("redirect loop")


def test_id_sync_chain_passes_each_partys_id_to_the_next(testweb):
    jar: dict[str, dict[str, str]] = {}
    hops = follow_chain(testweb, "https://gum.criteo.com/sync?c=8042&r=2&j=1", jar)
    assert [(urlsplit(u).hostname, r.status) for u, r in hops] == [
        ("gum.criteo.com", 302), ("idsync.rlcdn.com", 302), ("dpm.demdex.net", 302), ("cm.g.doubleclick.net", 200)]
    criteo, liveramp, adobe = jar[".criteo.com"]["uid"], jar[".rlcdn.com"]["rlas3"], jar[".demdex.net"]["demdex"]
    assert parse_qs(urlsplit(hops[1][0]).query)["partner_uid"] == [criteo]
    demdex_params = parse_qs(urlsplit(hops[2][0]).path.removeprefix("/ibs:"))
    assert demdex_params["dpuuid"] == [liveramp]
    assert "${DD_UUID}" in unquote(demdex_params["redir"][0])
    assert parse_qs(urlsplit(hops[3][0]).query, keep_blank_values=True)["google_hm"] == [adobe]
    assert hops[3][1].headers["Content-Type"] == "image/gif" and "IDE" in jar[".doubleclick.net"]

    again = follow_chain(testweb, "https://gum.criteo.com/sync?c=8042&r=2&j=2", jar)  # same profile: same ids
    assert [u for u, _ in again][1:] == [u for u, _ in hops][1:]
    fresh: dict[str, dict[str, str]] = {}
    other = follow_chain(testweb, "https://gum.criteo.com/sync?c=8042&r=2&j=3", fresh)  # fresh profile: new ids
    assert {fresh[d][n] for d, n in ((".criteo.com", "uid"), (".rlcdn.com", "rlas3"), (".demdex.net", "demdex"))}.isdisjoint(
        {criteo, liveramp, adobe})
    assert len(other) == 4


def cookie_days(cookie: dict[str, str], received: float) -> tuple[float | None, float | None]:
    max_age = int(cookie["max-age"]) / 86400 if "max-age" in cookie else None
    expires = (parsedate_to_datetime(cookie["expires"]).timestamp() - received) / 86400 if "expires" in cookie else None
    return max_age, expires


@pytest.mark.parametrize(("url", "name", "domain", "max_age", "expires"), [
    ("https://www.facebook.com/tr/?id=1&ev=PageView", "fr", ".facebook.com", 90, 90),
    ("https://gum.criteo.com/sync?c=1", "uid", ".criteo.com", None, 730),  # Expires only, > 400 days
    ("https://idsync.rlcdn.com/711187.gif?partner_uid=p", "rlas3", ".rlcdn.com", 730, None),  # Max-Age only, > 400 days
    ("https://dpm.demdex.net/ibs:dpid=1&dpuuid=p", "demdex", ".demdex.net", 180, 180),
    ("https://cm.g.doubleclick.net/pixel?google_nid=x", "IDE", ".doubleclick.net", 396, 396),  # > 13 months
    ("https://www.youtube.com/embed/Wd3kP9vTnQa", "VISITOR_INFO1_LIVE", ".youtube.com", 180, 180),
    ("https://www.youtube.com/embed/Wd3kP9vTnQa", "YSC", ".youtube.com", None, None),  # session cookie
    ("https://bat.bing.com/action/0?ti=1", "MUID", ".bing.com", None, 390),
    ("https://px.ads.linkedin.com/collect/?pid=1", "bcookie", ".linkedin.com", 365, 365),
    ("https://trc.taboola.com/1/log/3/unip?en=page_view", "t_gid", ".taboola.com", 365, None),
])
def test_third_party_set_cookie_attributes(testweb, url, name, domain, max_age, expires):
    received = time.time()
    cookie = fetch(testweb, url).cookies()[name]
    assert cookie["domain"] == domain and cookie["path"] == "/"
    assert cookie["samesite"] == "None" and "secure" in cookie  # third-party cookies a browser will keep
    got_max_age, got_expires = cookie_days(cookie, received)
    assert got_max_age == max_age
    assert got_expires == pytest.approx(expires, abs=0.01) if expires else got_expires is None


def test_visitor_ids_are_reused_when_the_cookie_comes_back(testweb):
    first = fetch(testweb, "https://www.facebook.com/tr/?id=1&ev=PageView").cookies()["fr"]["value"]
    again = fetch(testweb, "https://www.facebook.com/tr/?id=1&ev=PageView", headers={"Cookie": f"fr={first}"})
    assert again.cookies()["fr"]["value"] == first
    assert fetch(testweb, "https://www.facebook.com/tr/?id=1&ev=PageView").cookies()["fr"]["value"] != first


def test_google_analytics_collect_requires_v2_tid_and_cid(testweb):
    ok = fetch(testweb, "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=1.2&gcs=G100&gcd=13p3p3p3p5",
               method="POST")
    assert ok.status == 204
    assert fetch(testweb, "https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123", method="POST").status == 400


def test_gtm_and_gtag_serve_fake_scripts_per_id(testweb):
    container = fetch(testweb, "https://www.googletagmanager.com/gtm.js?id=GTM-ML4X9Z2")
    assert container.status == 200 and container.headers["Content-Type"].startswith("text/javascript")
    assert '"G-ML7Q2R5D8N"' in container.text and "const SiteTags" in container.text and "const T = " in container.text
    assert fetch(testweb, "https://www.googletagmanager.com/gtm.js?id=GTM-NOPE999").status == 404
    assert fetch(testweb, "https://www.googletagmanager.com/gtag/js?id=G-HSD8K2M4QX").status == 200
    assert fetch(testweb, "https://www.googletagmanager.com/gtag/js?id=<script>").status == 400


def test_google_fonts_css_points_at_a_real_woff2(testweb):
    css = fetch(testweb, "https://fonts.googleapis.com/css2?family=Source+Serif+4:wght@400;600&display=swap")
    assert css.status == 200 and css.text.count("@font-face") == 2 and "font-display: swap" in css.text
    font = fetch(testweb, re.search(r"url\((https://fonts\.gstatic\.com/[^)]+)\)", css.text).group(1))
    assert font.headers["Content-Type"] == "font/woff2" and font.body[:4] == b"wOF2"
    assert fetch(testweb, "https://fonts.googleapis.com/css2?family=Comic+Neue").status == 400


def test_youtube_embed_and_thumbnail(testweb):
    embed = fetch(testweb, "https://www.youtube.com/embed/hB7rQe2LmXs")
    assert "Harbour Regatta 2024" in embed.text and "__" not in embed.text  # every placeholder filled
    visitor = embed.cookies()["VISITOR_INFO1_LIVE"]["value"]
    assert f'VISITOR_DATA: "{visitor}"' in embed.text
    thumb = fetch(testweb, "https://i.ytimg.com/vi/hB7rQe2LmXs/hqdefault.jpg")
    assert thumb.body.startswith(b"\x89PNG\r\n\x1a\n") and thumb.headers["Content-Type"] == "image/png"


def test_beacon_endpoints_accept_what_the_pages_send(testweb):
    batch = json.dumps({"api_key": "k", "events": [{"event_type": "page_leave", "device_id": "d"}]}).encode()
    assert json.loads(fetch(testweb, "https://api2.amplitude.com/2/httpapi", method="POST", body=batch).body)["events_ingested"] == 1
    assert fetch(testweb, "https://api2.amplitude.com/2/httpapi", method="POST", body=b"{}").status == 400
    assert fetch(testweb, "https://vitals.vercel-insights.com/v1/vitals", method="POST", body=b"[]").status == 200


# -- fixture sites -------------------------------------------------------------------------------


def _handler_threads() -> int:
    return sum(1 for t in threading.enumerate() if "process_request" in t.name)


def test_a_held_request_is_never_answered_and_ties_up_nothing(testweb):
    """The never-answered camera still of www.ridgeway-courier.co.uk: no byte comes back, the server
    goes on answering others meanwhile, and its thread ends once the client gives up."""
    before = _handler_threads()
    sock = TLS.wrap_socket(socket.create_connection(("127.0.0.1", testweb.port), timeout=5),
                           server_hostname="www.ridgeway-courier.co.uk")
    sock.sendall(b"GET /live/traffic-cam.jpg HTTP/1.1\r\nHost: www.ridgeway-courier.co.uk\r\n\r\n")
    deadline = time.monotonic() + 10
    while not any(e.path == "/live/traffic-cam.jpg" for e in testweb.log) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fetch(testweb, "https://www.ridgeway-courier.co.uk/").status == 200  # answered meanwhile
    sock.settimeout(0.5)
    with pytest.raises(TimeoutError):
        sock.recv(1)
    sock.close()
    deadline = time.monotonic() + 10
    while _handler_threads() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _handler_threads() <= before
    entry = [e for e in testweb.log if e.path == "/live/traffic-cam.jpg"][-1]
    assert entry.status == 0  # logged as never answered


def test_the_unfinished_sites_pages_fail_as_they_say(testweb):
    base = "https://www.ridgeway-courier.co.uk"
    assert fetch(testweb, base + "/planning-notices.html").status == 500
    assert fetch(testweb, base + "/weather").headers["Location"] == "/weather/today"
    assert fetch(testweb, base + "/weather/today").headers["Location"] == "/weather"
    edition = fetch(testweb, base + "/e-edition/latest")
    assert edition.headers["Content-Disposition"].startswith("attachment") and len(edition.body) > 20_000_000


def load_expect(host: str) -> dict:
    return expectations([host])[host]


def test_there_are_at_least_nine_fixture_sites_and_one_demo():
    assert len(FIXTURES) >= 9
    assert all(not host.endswith((".test", ".example", ".localhost")) for host in FIXTURES)
    assert [host for host in FIXTURES if load_expect(host).get("demo")] == ["www.maison-lumiere.fr"]


@pytest.mark.parametrize("host", FIXTURES)
def test_expectation_file_is_complete_and_names_served_hosts(testweb, host):
    expect = load_expect(host)
    assert expect["description"] and isinstance(expect["banner"], bool)
    assert urlsplit(expect["start"]).hostname == host and expect["start"].startswith("https://")
    own = registrable(host)
    domains_served = {registrable(h) for h in served_hosts(testweb)}
    for phase in PHASES:
        parties = expect["phases"][phase]["third_parties"]
        assert len(parties) == len(set(parties)), f"{phase}: duplicates"
        assert own not in parties
        assert set(parties) <= domains_served, f"{phase}: not served by the test web: {set(parties) - domains_served}"
        assert all(registrable(d) == d for d in parties), f"{phase}: not registrable domains"
        assert set(expect["phases"][phase].get("before_action", [])) <= set(parties)
    for key in ("accept_selector", "reject_selector"):  # optional: some banners have no reject button
        assert isinstance(expect.get(key, ""), str)
    if not expect["banner"]:
        assert expect["phases"]["baseline"] == expect["phases"]["accept"] == expect["phases"]["reject"]
    for path in expect.get("pages", []):  # a page meant to fail names the error its visit records instead
        if path not in expect.get("failing_pages", {}):
            assert fetch(testweb, expect["start"].rstrip("/") + path).status == 200, path
    assert set(expect.get("failing_pages", {})) <= set(expect.get("pages", []))


def test_sites_with_the_shared_banner_name_its_buttons():
    for host in FIXTURES:
        if any("/assets/kit/consent-banner.js" in p.read_text() for p in site_dir(host).glob("*.html")):
            expect = load_expect(host)
            assert expect["banner"], host
            assert (expect["accept_selector"], expect["reject_selector"]) == ("#accept-all", "#reject-all"), host


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.policy: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "script" and attrs.get("data-policy"):
            self.policy.append(attrs["data-policy"])  # the banner renders it as a link


def same_site_pages(base: str, hrefs: list[str]) -> set[str]:
    pages = set()
    for href in hrefs:
        url = urlsplit(urljoin(base, href))
        if url.scheme in ("http", "https") and registrable(url.hostname) == registrable(urlsplit(base).hostname):
            pages.add(url.path or "/")
    return pages


@pytest.mark.parametrize("host", [h for h in FIXTURES if "pages" in load_expect(h)])
def test_pages_are_exactly_what_a_crawler_discovers(testweb, host):
    """Landing-page links and sitemap.xml give the expected page list, small enough to visit whole."""
    expect = load_expect(host)
    parser = Links()
    parser.feed(fetch(testweb, expect["start"]).text)
    linked = same_site_pages(expect["start"], parser.hrefs + parser.policy)
    robots = fetch(testweb, urljoin(expect["start"], "/robots.txt")).text
    sitemap_url = re.search(r"^Sitemap:\s*(\S+)", robots, re.M).group(1)
    sitemap = fetch(testweb, sitemap_url).text
    in_sitemap = {urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    assert linked | in_sitemap == set(expect["pages"])
    assert len(expect["pages"]) <= expect.get("scan_pages", 5) and expect["pages"][0] == "/"


def test_sitemap_only_page_is_not_linked_anywhere():
    site = SITES_DIR / "www.meridian-logistics.nl"
    assert "/partner-offer.html" in (site / "sitemap.xml").read_text()
    for page in site.glob("*.html"):
        assert "partner-offer" not in page.read_text() or page.name == "partner-offer.html"


TEXT_SUFFIXES = {".html", ".js", ".css", ".xml", ".txt", ".svg", ".toml", ".py"}


def referenced_hosts() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for root in WEB_ROOTS:  # sites, trackers, the kit, endpoints and vendors
        files = [p for p in root.rglob("*") if p.suffix in TEXT_SUFFIXES and p.is_file()
                 and not p.is_relative_to(WEB_DIR / "cmp") and p.name not in ("server.py", "verify.py", "capture.py")]
        for path in files:
            for host in re.findall(r"(?:https|wss)://([a-z0-9][a-z0-9.-]*\.[a-z]{2,})", path.read_text()):
                found.setdefault(host, set()).add(str(path.relative_to(root)))
    return found


def test_every_referenced_host_is_served_by_the_test_web(testweb):
    missing = {host: files for host, files in referenced_hosts().items() if host not in served_hosts(testweb)}
    assert not missing


def test_every_gtm_container_and_youtube_video_in_the_fixtures_exists():
    text = "\n".join(p.read_text() for root in WEB_ROOTS for p in (root / "sites").rglob("*") if p.suffix in (".html", ".js"))
    assert set(re.findall(r"GTM-[A-Z0-9]+", text)) <= set(endpoints.GTM_CONTAINERS)
    assert set(re.findall(r"youtube\.com/embed/([\w-]{11})", text)) <= set(endpoints.YOUTUBE_VIDEOS)


def test_every_script_parses(testweb, tmp_path):
    """The fixture JavaScript (files, inline scripts, the served fake vendor scripts) has no syntax error."""
    scripts, pages = {}, []
    for root in WEB_ROOTS:
        scripts |= {str(p): p.read_text() for p in root.rglob("*.js")
                    if not p.is_relative_to(root / "trackers")}  # trackers are checked as served, wrapped
        pages += [*(root / "sites").rglob("*.html"), *(root / "trackers").glob("*.html")]
    for page in pages:
        for i, body in enumerate(re.findall(r"<script>(.*?)</script>", page.read_text(), re.S)):
            scripts[f"{page}#{i}"] = body
    served = ["https://www.googletagmanager.com/gtm.js?id=GTM-HSD4T7Q", "https://www.googletagmanager.com/gtag/js?id=G-X1234",
              "https://connect.facebook.net/en_US/fbevents.js", "https://connect.facebook.net/signals/config/1",
              "https://static.criteo.net/js/ld/ld.js", "https://static.hotjar.com/c/hotjar-1.js?sv=6",
              f"https://script.hotjar.com/modules.{vendors.HOTJAR_BUILD}.js", "https://bat.bing.com/bat.js",
              "https://analytics.tiktok.com/i18n/pixel/events.js", "https://snap.licdn.com/li.lms-analytics/insight.min.js",
              "https://cdn.taboola.com/libtrc/unip/1/tfa.js", "https://js.stripe.com/v3/",
              "https://securepubads.g.doubleclick.net/tag/js/gpt.js", "https://www.youtube.com/s/player/x/embed.js",
              "https://static.doubleclick.net/instream/ad_status.js"]
    for url in served:
        reply = fetch(testweb, url)
        assert reply.status == 200, url
        scripts[url] = reply.text
    (tmp_path / "scripts.json").write_text(json.dumps(scripts))
    check = ("const vm = require('vm'); const scripts = require(process.argv[1]); const bad = [];"
             "for (const [name, code] of Object.entries(scripts)) { try { new vm.Script(code, {filename: name}); }"
             " catch (e) { bad.push(name + ': ' + e.message); } } console.log(JSON.stringify(bad));")
    result = subprocess.run(["node", "-e", check, str(tmp_path / "scripts.json")], capture_output=True, text=True, timeout=60)
    assert json.loads(result.stdout) == [], result.stderr


def test_a_broken_cmp_build_raises(monkeypatch, tmp_path):
    # the session fixture turns this error into a failure (conftest.tcf_cmp_bundle): never a skip
    from tests.web.cmp import build as cmp_build

    broken = tmp_path / "tcf-cmp.mjs"
    broken.write_text("import { nothing } from './does-not-exist.mjs';\n")
    monkeypatch.setattr(cmp_build, "BUNDLES", {tmp_path / "dist" / "tcf-cmp.js": (broken,)})
    with pytest.raises(cmp_build.BuildError, match="esbuild failed"):
        cmp_build.build(force=True)
    monkeypatch.setattr(cmp_build, "ESBUILD", tmp_path / "no-esbuild")
    with pytest.raises(cmp_build.BuildError, match="missing"):
        cmp_build.build(force=True)

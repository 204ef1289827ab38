"""A fixed store for the report tests, written through ``Store.save_visit``/``Store.add`` like the
crawler writes it, with fixed times so every report of it is byte-for-byte reproducible.

Findings are stored as ``leakmap analyze`` would store them (``save_findings``) rather than
computed, so the golden files test the renderers and change only when a renderer (or the
classification of a well-known tracker domain) changes, not with every rule tweak. ``hostile``
fills every page-controlled string with markup that must never run in the HTML report.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from leakmap import records as r
from leakmap.analysis import save_findings
from leakmap.analysis.findings import finding_id
from leakmap.blocklists import Knowledge
from leakmap.report.jsonreport import schema
from leakmap.store import Store

T0 = 1_790_000_000.0
SHOP = "https://www.boutique-exemple.fr/"
NEWS = "https://www.journal-exemple.de/"
FB_PIXEL = "https://www.facebook.com/tr/?id=1188459033221874&ev=PageView&dl=https%3A%2F%2Fwww.boutique-exemple.fr%2F"
GA = "https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123&gcs=G100&gcd=13p3p3p3p5"
GA_GRANTED = "https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST123&gcs=G111&gcd=13r3r3r3r5"
FR_VALUE = "0a7fsnx70chQm0FhFxkGz4U10CW3SjqE5..k38OqIDK"

# page-controlled text a hostile site can choose: each would run script if it reached the page unescaped
XSS = {
    "title": "Boutique <script>window.__pwned='title'</script>",
    "cookie": '"><script>window.__pwned="cookie"</script>',
    "value": "</script><script>window.__pwned='value'</script>",
    "url": "javascript:window.__pwned='url'",
    "page": 'https://www.boutique-exemple.fr/p?q="><img src=x onerror="window.__pwned=\'page\'">',
    "button": "<img src=x onerror=\"window.__pwned='button'\">Tout accepter",
    "error": "<svg onload=\"window.__pwned='error'\"></svg> it's \"quoted\" & </pre></details>",
}


def tiny_png(rgb: tuple[int, int, int]) -> bytes:
    """A valid 2x2 PNG of one colour (stands for a screenshot)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def validate_report(text: str) -> dict:
    """report.json parsed and checked against its JSON Schema (leakmap/report/schema/report-1.schema.json)."""
    doc = json.loads(text)
    jsonschema.validate(doc, schema(), format_checker=jsonschema.FormatChecker())
    return doc


def knowledge(tmp: Path) -> Knowledge:
    """The bundled knowledge only (an empty lists cache), whatever `lists update` left on this machine."""
    return Knowledge.load(root=tmp)


def request(url: str, at: float, *, phase: str, consent: float | None, **kw) -> r.RequestRecord:
    from urllib.parse import urlsplit

    rec = r.RequestRecord(url=url, host=urlsplit(url).hostname or "", time=at, phase=phase,
                          resource_type=kw.pop("resource_type", "Script"), **kw)
    rec.stamp(consent)
    return rec


@dataclass
class Fixed:
    store: Store
    scan_id: int
    shop: int
    news: int


def build(path: Path, hostile: bool = False) -> Fixed:
    """Two sites: a shop that tracks before consent and after "reject all", a news site without banner."""
    t = XSS if hostile else {}
    store = Store(path)
    shots = path.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    scan_id = store.begin_scan(r.Scan(started_at=T0, leakmap_version="0.1.0", browser="/usr/bin/chromium",
                                      browser_version="Chromium 140.0.0.0", config={
                                          "command": "scan", "phases": ["baseline", "accept", "reject"], "pages": 2,
                                          "locale": "fr-FR", "first_party": []}))
    pages = [SHOP, t.get("page", SHOP + "panier.html")]
    shop = store.add_site(r.Site(scan_id=scan_id, start_url=SHOP, domain="boutique-exemple.fr", final_url=SHOP,
                                 status="done", started_at=T0 + 1, finished_at=T0 + 90, pages=pages))
    cookie_name = t.get("cookie", "fr")
    cookie_value = t.get("value", FR_VALUE)
    cookie = r.CookieRecord(origin="http", url=FB_PIXEL, host="www.facebook.com", name=cookie_name, value=cookie_value,
                            domain=".facebook.com", path="/", max_age=7776000, lifetime=7776000.0, secure=True,
                            http_only=True, same_site="None", time=T0 + 3.2, phase="baseline",
                            raw=f"{cookie_name}={cookie_value}; Max-Age=7776000; Domain=.facebook.com; Path=/")
    cookie.stamp(None)
    fbp = r.CookieRecord(origin="js", url=SHOP, host="www.boutique-exemple.fr", name="_fbp",
                         value="fb.1.1790000003100.4941233738", domain=".boutique-exemple.fr", lifetime=7776000.0,
                         script_url="https://connect.facebook.net/en_US/fbevents.js", time=T0 + 3.1, phase="baseline",
                         raw="_fbp=fb.1.1790000003100.4941233738; max-age=7776000; domain=.boutique-exemple.fr")
    fbp.stamp(None)
    # baseline: the landing page, before any answer
    store.save_visit(r.Visit(site_id=shop, phase="baseline", seq=0, url=SHOP, final_url=SHOP, is_landing=True,
                             http_status=200, title=t.get("title", "Boutique Exemple — bougies"), started_at=T0 + 2,
                             ended_at=T0 + 6), [
        request(SHOP, T0 + 2.0, phase="baseline", consent=None, resource_type="Document", status=200),
        request("https://connect.facebook.net/en_US/fbevents.js", T0 + 2.5, phase="baseline", consent=None,
                initiator_url=SHOP, status=200),
        request(FB_PIXEL, T0 + 3.0, phase="baseline", consent=None, resource_type="Image", status=200,
                initiator_url="https://connect.facebook.net/en_US/fbevents.js"),
        request(GA, T0 + 3.3, phase="baseline", consent=None, resource_type="Ping", status=204),
        request("https://fonts.googleapis.com/css2?family=Inter", T0 + 2.2, phase="baseline", consent=None,
                resource_type="Stylesheet", status=200),
        cookie, fbp,
        r.Screenshot(phase="baseline", time=T0 + 4, kind="banner", path="screenshots/s1-baseline-0-banner.png"),
    ])
    store.save_visit(r.Visit(site_id=shop, phase="baseline", seq=1, url=pages[1], http_status=500, status="error",
                             started_at=T0 + 7, ended_at=T0 + 8), [
        r.ErrorRecord(phase="baseline", time=T0 + 7.5, kind="http-error", message=t.get("error", "HTTP 500"),
                      url=t.get("url", pages[1])),
    ])
    (shots / "s1-baseline-0-banner.png").write_bytes(tiny_png((200, 30, 30)))
    # accept: the click at T0 + 30
    click = T0 + 30
    store.add(r.ConsentRecord(site_id=shop, phase="accept", time=click, method="heuristic", action="accept",
                              banner_found=True, cmp=None, success=True, verified=True, steps=1,
                              details={"first_layer": {"accept": t.get("button", "Tout accepter"),
                                                       "reject": "Tout refuser", "settings": None},
                                       "button_text": t.get("button", "Tout accepter"),
                                       "changed": ["cookie:www.boutique-exemple.fr:consent"],
                                       "stored_choice": {"cookie:www.boutique-exemple.fr:consent": "accepted"},
                                       "tcf": {"status": "ok", "tcString": "CQAAAAAQAAAAAGPAAAENBJCAAP_AAAAAAAAAAAAAAAAA",
                                               "eventStatus": "useractioncomplete", "cmpId": 7, "gdprApplies": True,
                                               "decoded": {"purposes_consent": [1, 2, 3, 4], "vendors_consent": [91, 755]}},
                                       "gpp": {"status": "ok", "cmpId": 7, "signalStatus": "ready",
                                               "applicableSections": [2], "gppString": "DBABMA~CQAAAAAQAAAA"}},
                              screenshot_before="screenshots/s1-accept-0-before-accept.png",
                              screenshot_after="screenshots/s1-accept-0-after-accept.png"))
    store.save_visit(r.Visit(site_id=shop, phase="accept", seq=0, url=SHOP, final_url=SHOP, is_landing=True,
                             http_status=200, started_at=click - 5, ended_at=click + 8, consent_time=click), [
        request(SHOP, click - 5, phase="accept", consent=click, resource_type="Document", status=200),
        request(GA, click - 2, phase="accept", consent=click, resource_type="Ping", status=204),
        request(GA_GRANTED, click + 2, phase="accept", consent=click, resource_type="Ping", status=204),
        request("https://securepubads.g.doubleclick.net/tag/js/gpt.js", click + 3, phase="accept", consent=click,
                status=200),
        r.Screenshot(phase="accept", time=click - 0.1, kind="before-accept",
                     path="screenshots/s1-accept-0-before-accept.png"),
        r.Screenshot(phase="accept", time=click + 1, kind="after-accept", path="screenshots/s1-accept-0-after-accept.png"),
    ])
    (shots / "s1-accept-0-before-accept.png").write_bytes(tiny_png((30, 30, 200)))
    (shots / "s1-accept-0-after-accept.png").write_bytes(tiny_png((30, 200, 30)))
    # reject: the click at T0 + 60; the pixel fires anyway
    click = T0 + 60
    store.add(r.ConsentRecord(site_id=shop, phase="reject", time=click, method="heuristic", action="reject",
                              banner_found=True, success=True, verified=True, steps=1,
                              details={"first_layer": {"accept": "Tout accepter", "reject": "Tout refuser"},
                                       "button_text": "Tout refuser"},
                              screenshot_before=None, screenshot_after="../outside.png"))
    store.save_visit(r.Visit(site_id=shop, phase="reject", seq=0, url=SHOP, final_url=SHOP, is_landing=True,
                             http_status=200, started_at=click - 5, ended_at=click + 8, consent_time=click), [
        request(SHOP, click - 5, phase="reject", consent=click, resource_type="Document", status=200),
        request(FB_PIXEL, click + 4, phase="reject", consent=click, resource_type="Image", status=200,
                initiator_url="https://connect.facebook.net/en_US/fbevents.js"),
        r.Screenshot(phase="reject", time=click + 1, kind="after-reject", path="../outside.png"),
    ])
    (path.parent.parent / "outside.png").write_bytes(tiny_png((0, 0, 0)))  # must never be embedded
    # a second site of the batch: no banner, analytics on load
    news = store.add_site(r.Site(scan_id=scan_id, start_url=NEWS, domain="journal-exemple.de", final_url=NEWS,
                                 status="done", started_at=T0 + 1, finished_at=T0 + 40, pages=[NEWS]))
    store.save_visit(r.Visit(site_id=news, phase="baseline", seq=0, url=NEWS, final_url=NEWS, is_landing=True,
                             http_status=200, title="Journal Exemple", started_at=T0 + 2, ended_at=T0 + 5), [
        request(NEWS, T0 + 2, phase="baseline", consent=None, resource_type="Document", status=200),
        request("https://www.googletagmanager.com/gtag/js?id=G-NEWS1", T0 + 2.4, phase="baseline", consent=None,
                status=200, initiator_url=NEWS),
        request(GA.replace("gcs=G100&gcd=13p3p3p3p5", "gcs=G111"), T0 + 2.8, phase="baseline", consent=None,
                resource_type="Ping", status=204, initiator_url="https://www.googletagmanager.com/gtag/js?id=G-NEWS1"),
    ])
    store.end_scan(scan_id)
    store.db["scans"].update(scan_id, {"finished_at": T0 + 95})
    save_findings(store, scan_id, findings(scan_id, shop, news, t))
    return Fixed(store, scan_id, shop, news)


def findings(scan_id: int, shop: int, news: int, t: dict[str, str]) -> list[r.Finding]:
    """What analysis stores for this evidence (shapes as the rules write them)."""
    name, value = t.get("cookie", "fr"), t.get("value", FR_VALUE)
    fb = {"host": "www.facebook.com", "domain": "facebook.com", "entity": "Meta Platforms, Inc.",
          "categories": ["social", "advertising"], "country": "US", "broker": False, "known": True,
          "list_versions": {"leakmap": "test"}}
    pixel = {"url": t.get("url", FB_PIXEL), "method": "GET", "resource_type": "Image", "status": 200,
             "time": T0 + 3.0, "t_consent": None, "before_consent": True, "page": t.get("page", SHOP),
             "initiator": {"type": "script", "url": "https://connect.facebook.net/en_US/fbevents.js",
                           "chain": ["https://connect.facebook.net/en_US/fbevents.js", SHOP]}}
    common = {"scan_id": scan_id, "site_id": shop}
    return [
        r.Finding(id=finding_id("tracking-before-consent", SHOP, "baseline", "facebook.com"), rule="tracking-before-consent", severity="high",
                  phase="baseline", domain="facebook.com", entity="Meta Platforms, Inc.", category="social",
                  page=t.get("page", SHOP), title="Meta Platforms, Inc. (social) received 1 request(s) before consent",
                  evidence={"request": pixel, "requests": 1, "classification": fb}, **common),
        r.Finding(id=finding_id("cookie-before-consent", SHOP, "baseline", "facebook.com", name), rule="cookie-before-consent", severity="high",
                  phase="baseline", domain="facebook.com", entity="Meta Platforms, Inc.", category="advertising",
                  page=SHOP, title=f"advertising cookie {name} (facebook.com) set before consent",
                  evidence={"cookie": {"name": name, "value": value, "origin": "http",
                                       "raw": f"{name}={value}; Max-Age=7776000; Domain=.facebook.com",
                                       "lifetime_days": 90.0, "time": T0 + 3.2, "t_consent": None,
                                       "before_consent": True},
                            "classification": {"category": "advertising", "basis": "known cookie", "setter": fb}},
                  **common),
        r.Finding(id=finding_id("tracking-after-reject", SHOP, "reject", "facebook.com"), rule="tracking-after-reject", severity="high",
                  phase="reject", domain="facebook.com", entity="Meta Platforms, Inc.", category="social", page=SHOP,
                  title="Meta Platforms, Inc. (social) received 1 request(s) after \"reject all\"",
                  evidence={"request": {**pixel, "time": T0 + 64, "t_consent": 4.0, "before_consent": False,
                                        "page": SHOP}, "requests": 1, "classification": fb}, **common),
        r.Finding(id=finding_id("id-sync", SHOP, "accept", "doubleclick.net", "_fbp"), rule="id-sync", severity="medium", phase="accept",
                  domain="doubleclick.net", entity="Google LLC", category="advertising", page=SHOP,
                  title="identifier of Meta Platforms, Inc. (cookie _fbp) sent to Google LLC",
                  evidence={"identifier": {"cookie": "_fbp", "owner": "facebook.com",
                                           "value": "fb.1.1790000003100.4941233738",
                                           "identifier": "4941233738"},
                            "request": {"url": "https://securepubads.g.doubleclick.net/tag/js/gpt.js", "method": "GET",
                                        "time": T0 + 33, "t_consent": 3.0, "before_consent": False}}, **common),
        r.Finding(id=finding_id("excessive-cookie-lifetime", SHOP, None, "boutique-exemple.fr", "_ga"), rule="excessive-cookie-lifetime", severity="medium",
                  phase=None, domain="boutique-exemple.fr", entity=None, category="analytics", page=SHOP,
                  title="analytics cookie _ga (boutique-exemple.fr) asks to live 730 days (over 13 months)",
                  evidence={"cookie": {"name": "_ga", "value": "GA1.1.9409058913.1790000003", "lifetime_days": 730.0}},
                  **common),
        r.Finding(id=finding_id("third-country-transfer", SHOP, None, "facebook.com"), rule="third-country-transfer", severity="info",
                  phase=None, domain="facebook.com", entity="Meta Platforms, Inc.", category="social", page=None,
                  title="data sent to Meta Platforms, Inc., headquartered in US",
                  evidence={"country": "US", "requests_per_phase": {"baseline": 1, "reject": 1}}, **common),
        r.Finding(id=finding_id("tracking-before-consent", NEWS, "baseline", "google-analytics.com"), rule="tracking-before-consent", severity="high",
                  phase="baseline", domain="google-analytics.com", entity="Google LLC", category="analytics",
                  page=NEWS, title="Google LLC (analytics) received 1 request(s) before consent",
                  evidence={"request": {"url": GA.replace("gcs=G100&gcd=13p3p3p3p5", "gcs=G111"), "method": "GET",
                                        "time": T0 + 2.8, "t_consent": None, "before_consent": True, "page": NEWS}},
                  scan_id=scan_id, site_id=news),
        r.Finding(id=finding_id("consent-banner-missing", NEWS, "baseline", None), rule="consent-banner-missing", severity="high",
                  phase="baseline", domain=None, entity=None, category=None, page=NEWS,
                  title="tracking without any consent banner", evidence={"tracking_domains": ["google-analytics.com"]},
                  scan_id=scan_id, site_id=news),
    ]

"""``leakmap analyze`` on a synthetic scan of 1,000 sites / 1,000,000 requests (target: < 60 s).

    python bench/analyze.py [--sites 1000] [--requests 1000000] [--db PATH] [--reuse]

The store is written in the crawler's schema (``leakmap.store``) with a realistic mix, per site:
three phases of five pages in fresh profiles; first-party documents and assets; CDNs, fonts and
payment; a tag manager; a handful of trackers drawn by popularity from the knowledge base
(Google Analytics with Consent Mode parameters, Meta, Criteo, Hotjar, ...), a long tail of
unlisted third parties; a data-broker ID-sync redirect chain on one site in five; identifier
cookies per phase (different per profile), first-party analytics cookies written by scripts,
jar snapshots, storage writes, POST bodies, consent records (verified or not), fingerprinting
calls and form fills on some sites. Site behaviours: compliant, leaking before consent,
ignoring "reject all". Generation is not timed; ``reanalyze`` (classification, every rule,
replacing the findings) is, and the bench prints its time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from leakmap.analysis import reanalyze
from leakmap.blocklists import TRACKING_CATEGORIES, Knowledge
from leakmap.blocklists.bundled import load_bundle
from leakmap.store import Store

TARGET = 60.0
PHASES = ("baseline", "accept", "reject")
PAGES = 5
DAY = 86400
START = 1_790_000_000.0

# (host, path template, resource type, method) of well-known tags; {s} site number, {r} random, {i} id
KNOWN = [
    ("region1.google-analytics.com", "/g/collect?v=2&tid=G-S{s}&gtm=45je4b20&_p={r}&gcs={gcs}&gcd={gcd}&cid={i}"
                                     "&ul=fr-fr&sr=1366x768&en=page_view&dl={page}", "Ping", "POST"),
    ("www.facebook.com", "/tr/?id={s}&ev=PageView&dl={page}&fbp=fb.1.{t}.{r}", "Image", "GET"),
    ("connect.facebook.net", "/en_US/fbevents.js", "Script", "GET"),
    ("googleads.g.doubleclick.net", "/pagead/viewthroughconversion/{s}/?random={r}&cv=11&fst={t}", "Image", "GET"),
    ("static.criteo.net", "/js/ld/publishertag.js", "Script", "GET"),
    ("bidder.criteo.com", "/cdb?ptv=116&profileId=207&cb={r}", "XHR", "POST"),
    ("static.hotjar.com", "/c/hotjar-{s}.js?sv=7", "Script", "GET"),
    ("bat.bing.com", "/action/0?ti={s}&Ver=2&mid={i}&evt=pageLoad", "Image", "GET"),
    ("analytics.tiktok.com", "/api/v2/pixel", "Fetch", "POST"),
    ("px.ads.linkedin.com", "/collect/?pid={s}&fmt=gif&url={page}", "Image", "GET"),
    ("trc.taboola.com", "/{s}/log/3/unip?en=page_view&item-url={page}", "Image", "GET"),
]
ESSENTIAL = [
    ("fonts.googleapis.com", "/css2?family=Inter:wght@400;600&display=swap", "Stylesheet"),
    ("fonts.gstatic.com", "/s/inter/v13/UcCO3FwrK3iLTeHuS_fvQtMwCp50KnMw2boKoduKmMEVuLyfAZ9hiA.woff2", "Font"),
    ("cdnjs.cloudflare.com", "/ajax/libs/jquery/3.7.1/jquery.min.js", "Script"),
    ("cdn.jsdelivr.net", "/npm/swiper@11/swiper-bundle.min.js", "Script"),
    ("js.stripe.com", "/v3/", "Script"),
    ("www.gstatic.com", "/recaptcha/releases/abc/recaptcha__fr.js", "Script"),
]
ASSETS = ["/css/style.css", "/js/app.js", "/js/vendor.js", "/img/logo.svg", "/img/hero.webp", "/img/p1.jpg",
          "/img/p2.jpg", "/img/p3.jpg", "/fonts/site.woff2", "/favicon.ico", "/api/cart", "/api/recommendations"]
CANARY = "leakmap.5f2a9c1e@example.org"
CANARY_SHA256 = hashlib.sha256(CANARY.encode()).hexdigest()
WORDS = ["pixel", "stats", "widget", "cdn", "api", "collect", "events", "img", "static", "sync", "tag", "beacon"]


def _headers(page: str, extra: dict | None = None) -> str:
    return json.dumps({"accept": "*/*", "accept-language": "fr-FR,fr;q=0.9", "referer": page,
                       "sec-fetch-site": "cross-site", **(extra or {})}, separators=(",", ":"))


class Generator:
    def __init__(self, store: Store, sites: int, per_site: int, seed: int = 7):
        self.store, self.n_sites, self.per_site = store, sites, per_site
        self.rng = random.Random(seed)
        bundle = load_bundle()
        # listed tracker domains, most of them rare: popularity follows the order of the curated map
        self.listed = [d for e in bundle.entities for d, cats in e.domains.items() if set(cats) & TRACKING_CATEGORIES]
        self.unknown = [f"{self.rng.choice(WORDS)}.{self.rng.choice(WORDS)}{i}.{self.rng.choice(['com', 'io', 'net', 'fr', 'de'])}"
                        for i in range(3000)]
        self.counts = Counter()

    def pick(self, pool: list, k: int) -> list:
        weights = [1 / (i + 1) for i in range(len(pool))]
        return list(dict.fromkeys(self.rng.choices(pool, weights=weights, k=k)))

    def run(self) -> int:
        scan_id = self.store.begin_scan(_scan())
        conn = self.store.db.conn
        for s in range(self.n_sites):
            with conn:
                self.site(conn, scan_id, s)
        return scan_id

    def site(self, conn, scan_id: int, s: int) -> None:
        rng = self.rng
        domain = f"site{s}-{rng.choice(['boutique', 'journal', 'voyages', 'clinique', 'atelier'])}.{rng.choice(['fr', 'de', 'com', 'co.uk', 'nl'])}"
        start = f"https://www.{domain}/"
        site_id = conn.execute("insert into sites (scan_id, start_url, domain, status, pages) values (?,?,?,?,?)",
                               [scan_id, start, domain, "done", json.dumps([start])]).lastrowid
        behaviour = rng.choices(["compliant", "leaky", "ignores-reject"], weights=[3, 4, 3])[0]
        known = self.pick(KNOWN, rng.randint(3, 8))
        listed = [d for d in self.pick(self.listed, 12) if d][: rng.randint(2, 6)]
        unknown = self.pick(self.unknown, rng.randint(2, 8))
        essential = self.pick(ESSENTIAL, rng.randint(1, 4))
        syncs = rng.random() < 0.2
        banner = rng.random() >= 0.1  # one site in ten shows no banner (and tracks anyway)
        if not banner:
            behaviour = "leaky"
        visits = len(PHASES) * PAGES
        sizes = [self.per_site // visits + (i < self.per_site % visits) for i in range(visits)]
        for p_index, phase in enumerate(PHASES):
            t0 = START + s * 60 + p_index * 20
            click = t0 + 4 if phase != "baseline" and banner else None
            if phase != "baseline" and not banner:
                conn.execute("insert into consent (site_id, phase, method, action, banner_found, success, verified, "
                             "details, error) values (?,?,?,?,?,?,?,?,?)",
                             [site_id, phase, "none", phase, 0, 0, 0, "{}", "no consent banner found"])
            ids = {"cid": f"{rng.randrange(10**9, 10**10)}.{int(t0)}", "uid": str(uuid.UUID(int=rng.getrandbits(128))),
                   "rl": uuid.UUID(int=rng.getrandbits(128)).hex[:24], "dd": str(rng.getrandbits(120)).zfill(38)}
            if click is not None:
                verified = rng.random() < 0.9
                conn.execute("insert into consent (site_id, phase, time, method, action, banner_found, success, verified, "
                             "steps, details) values (?,?,?,?,?,?,?,?,?,?)",
                             [site_id, phase, click, "autoconsent", phase, 1, 1, int(verified), 1,
                              json.dumps({"first_layer": {"accept": "Tout accepter",
                                                          "reject": "Tout refuser" if rng.random() < 0.8 else None}})])
            for seq in range(PAGES):
                page = start if seq == 0 else f"{start}page-{seq}.html"
                vt = t0 + seq * 3 + (5 if click and seq else 0)
                visit_id = conn.execute("insert into visits (site_id, phase, seq, url, is_landing, status, started_at, "
                                        "consent_time) values (?,?,?,?,?,?,?,?)",
                                        [site_id, phase, seq, page, int(seq == 0), "ok", vt, click]).lastrowid
                self.visit(conn, site_id, visit_id, phase, page, vt, click, sizes.pop(), behaviour, known, listed,
                           unknown, essential, syncs and seq == 0, ids, domain, start)

    def visit(self, conn, site_id, visit_id, phase, page, vt, click, n, behaviour, known, listed, unknown, essential,
              sync, ids, domain, start) -> None:
        rng = self.rng
        rows, cookies = [], []
        fills = rng.random() < 0.1  # a form on the page: the canary e-mail is typed
        tracking_now = behaviour == "leaky" or (phase == "accept" and click) or (behaviour == "ignores-reject" and click)

        def add(url: str, rtype: str, method: str = "GET", at: float = 0.0, post: str | None = None,
                redirect_from: str | None = None, location: str | None = None, initiator: str | None = None) -> None:
            t = vt + at
            host = url.split("/", 3)[2]
            before = click is None or t < click
            resp = {"content-type": "text/html"} if location is None else {"location": location}
            rows.append((visit_id, site_id, phase, t, int(before), None if click is None else round(t - click, 4),
                         url, host, method, rtype, "page", redirect_from, _headers(page), json.dumps(resp), post,
                         len(post) if post else None, "script" if initiator else "parser", initiator or page,
                         json.dumps([initiator] if initiator else []), 200 if location is None else 302, "network"))

        add(page, "Document")
        for path in rng.sample(ASSETS, k=min(len(ASSETS), 10)):
            add(f"https://www.{domain}{path}", "Script" if path.endswith(".js") else "Image", at=0.1)
        for host, path, rtype in essential:
            add(f"https://{host}{path}", rtype, at=0.2)
        gtm = f"https://www.googletagmanager.com/gtm.js?id=GTM-S{site_id}"
        add(gtm, "Script", at=0.3, initiator=f"https://www.{domain}/js/app.js")
        base = len(rows)
        while len(rows) < n:
            roll = rng.random()
            if roll < 0.45 and known:
                host, template, rtype, method = rng.choice(known)
                if not tracking_now and rng.random() < 0.85:
                    if "google-analytics" not in host:
                        add(f"https://www.{domain}/img/p{rng.randint(1, 40)}.jpg", "Image", at=1.0)
                        continue
                gcs = "G111" if tracking_now else "G100"
                url = "https://" + host + template.format(s=site_id, r=rng.getrandbits(32), i=ids["cid"], t=int(vt),
                                                         page=page.replace(":", "%3A").replace("/", "%2F"), gcs=gcs,
                                                         gcd="13r3r3r3r5" if gcs == "G111" else "13q3q3q3q5")
                post = json.dumps({"events": [{"n": "page_view", "cid": ids["cid"]}]}) if method == "POST" else None
                add(url, rtype, method, at=rng.uniform(0.5, 6), post=post, initiator=gtm)
            elif roll < 0.6 and listed:
                d = rng.choice(listed)
                if not tracking_now and rng.random() < 0.8:
                    add(f"https://www.{domain}/img/p{rng.randint(1, 40)}.jpg", "Image", at=1.0)
                    continue
                add(f"https://{rng.choice(WORDS)}.{d}/{rng.choice(WORDS)}.js?v={rng.randint(1, 9)}", "Script",
                    at=rng.uniform(0.5, 6), initiator=gtm)
            elif roll < 0.75 and unknown:
                h = rng.choice(unknown)
                add(f"https://{h}/{rng.choice(WORDS)}/{rng.randint(1, 4)}.js", "Script", at=rng.uniform(0.5, 6))
            else:
                add(f"https://www.{domain}/img/p{rng.randint(1, 40)}.jpg", "Image", at=rng.uniform(0.5, 6))
        if fills and rng.random() < 0.5 and len(rows) - base > 1:  # a pixel reads the field: hashed e-mail leaves
            del rows[-1]
            add(f"https://www.facebook.com/tr/?id={site_id}&ev=Lead&ud[em]={CANARY_SHA256}", "Image", at=1.0)
        if sync and len(rows) - base > 4:
            chain = [f"https://gum.criteo.com/sync?c={site_id}",
                     f"https://idsync.rlcdn.com/711187.gif?partner_uid={ids['uid']}&redirect=1",
                     f"https://dpm.demdex.net/ibs:dpid=2340&dpuuid={ids['rl']}",
                     f"https://cm.g.doubleclick.net/pixel?google_nid=adobe_dmp&google_hm={ids['dd']}"]
            del rows[-4:]  # the chain replaces the last four requests: the count stays
            for k, url in enumerate(chain):
                add(url, "Image", at=2.0 + k * 0.01, redirect_from=chain[k - 1] if k else None,
                    location=chain[k + 1] if k < 3 else None)
            cookies += [("http", "gum.criteo.com", "uid", ids["uid"], ".criteo.com", 730 * DAY, None),
                        ("http", "idsync.rlcdn.com", "rlas3", ids["rl"], ".rlcdn.com", 730 * DAY, None),
                        ("http", "dpm.demdex.net", "demdex", ids["dd"], ".demdex.net", 180 * DAY, None)]
        if tracking_now or phase != "reject":
            cookies += [("js", f"www.{domain}", "_ga", f"GA1.1.{ids['cid']}", domain, 730 * DAY,
                         "https://www.googletagmanager.com/gtag/js?id=G-X"),
                        ("js", f"www.{domain}", "_fbp", f"fb.1.{int(vt)}.{rng.getrandbits(31)}", domain, 90 * DAY,
                         "https://connect.facebook.net/en_US/fbevents.js"),
                        ("http", "www.facebook.com", "fr", uuid.UUID(int=rng.getrandbits(128)).hex, ".facebook.com",
                         90 * DAY, None),
                        ("http", "bat.bing.com", "MUID", uuid.UUID(int=rng.getrandbits(128)).hex.upper(), ".bing.com",
                         390 * DAY, None)]
        cookies += [("http", f"www.{domain}", "session", uuid.uuid4().hex[:16], None, None, None),
                    ("js", f"www.{domain}", "site_consent", "rejected" if phase == "reject" else "accepted", None,
                     365 * DAY, f"https://www.{domain}/js/app.js")]
        conn.executemany(
            "insert into requests (visit_id, site_id, phase, time, before_consent, t_consent, url, host, method, "
            "resource_type, target_type, redirect_from, request_headers, response_headers, post_data, post_data_size, "
            "initiator_type, initiator_url, initiator_stack, status, source) values "
            "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        t = vt + 1.5
        crow = [(visit_id, site_id, phase, t, int(click is None or t < click), None if click is None else round(t - click, 4),
                 origin, f"https://{host}/", host, name, value, dom, "/", None, life, life, 1, 0, "None",
                 f"{name}={value}" + (f"; Domain={dom}" if dom else "") + (f"; Max-Age={life}" if life else ""), script)
                for origin, host, name, value, dom, life, script in cookies]
        conn.executemany("insert into cookies (visit_id, site_id, phase, time, before_consent, t_consent, origin, url, host, "
                         "name, value, domain, path, expires, max_age, lifetime, secure, http_only, same_site, raw, "
                         "script_url) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", crow)
        conn.executemany("insert into cookie_jar (visit_id, site_id, phase, moment, time, name, value, domain, path, "
                         "expires) values (?,?,?,?,?,?,?,?,?,?)",
                         [(visit_id, site_id, phase, "end", vt + 8, c[2], c[3], c[4] or c[1], "/",
                           vt + min(c[5], 400 * DAY) if c[5] else None) for c in cookies])
        if rng.random() < 0.3:
            conn.execute("insert into storage (visit_id, site_id, phase, time, before_consent, kind, origin, frame_url, op, "
                         "key, value, script_url, stack) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         [visit_id, site_id, phase, vt + 1, int(click is None or vt + 1 < click), "local",
                          f"https://www.{domain}", page, "set", "_uetvid", uuid.uuid4().hex, "https://bat.bing.com/bat.js",
                          json.dumps(["https://bat.bing.com/bat.js"])])
        if rng.random() < 0.05:
            conn.execute("insert into api_calls (visit_id, site_id, phase, time, before_consent, api, script_url, frame_url, "
                         "document, calls, details, stack) values (?,?,?,?,?,?,?,?,?,?,?,?)",
                         [visit_id, site_id, phase, vt + 1, int(click is None or vt + 1 < click), "canvas",
                          "https://fpcdn.io/v3/agent.js", page, uuid.uuid4().hex[:8], 4,
                          json.dumps({"chars": "Cwm fjordbank glyphs vext quiz", "colors": ["#069", "#f60"],
                                      "extractions": [{"method": "toDataURL", "width": 240, "height": 60}]}), "[]"])
        if fills:
            conn.execute("insert into form_fills (visit_id, site_id, phase, time, before_consent, page_url, frame_url, "
                         "field, value, selector) values (?,?,?,?,?,?,?,?,?,?)",
                         [visit_id, site_id, phase, vt + 0.5, int(click is None or vt + 0.5 < click), page, page, "email",
                          CANARY, "#email"])
        self.counts["requests"] += len(rows)
        self.counts["cookies"] += len(crow)


def _scan():
    from leakmap.records import Scan

    return Scan(started_at=START, status="complete", config={"pages": PAGES})


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the analysis workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="store to write (default: a temporary file)")
    parser.add_argument("--reuse", action="store_true", help="analyse --db as it is if it exists")
    parser.add_argument("--workers", type=int, help="analysis processes (default: one per core, up to 4)")
    args = parser.parse_args()
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="leakmap-bench-")
        args.db = Path(tmp.name) / "leakmap.db"
    if not (args.reuse and args.db.exists()):
        args.db.unlink(missing_ok=True)
        started = time.perf_counter()
        store = Store(args.db)
        gen = Generator(store, args.sites, args.requests // args.sites)
        gen.run()
        store.close()
        print(f"generated {args.sites} sites, {gen.counts['requests']:,} requests, {gen.counts['cookies']:,} cookie "
              f"writes in {time.perf_counter() - started:.1f} s ({args.db.stat().st_size / 1e6:.0f} MB)")
    store = Store(args.db)
    requests = store.db.execute("select count(*) from requests").fetchone()[0]
    kb = Knowledge.load()
    kb.match_url("https://example.org/", "https://example.org/", "script")  # build the filter engine untimed
    started, cpu = time.perf_counter(), _cpu()
    result = reanalyze(store, kb=kb, workers=args.workers)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    by_rule = Counter(f.rule for f in result.findings)
    print(f"analyze: {result.sites} sites, {requests:,} requests -> {len(result.findings):,} findings "
          f"in {seconds:.1f} s wall ({requests / seconds:,.0f} requests/s; {cpu:.1f} s CPU over "
          f"{args.workers or 'auto'} worker(s); load average {os.getloadavg()[0]:.1f}); "
          f"target < {TARGET:.0f} s: {'OK' if seconds < TARGET else 'TOO SLOW'}")
    for rule, n in by_rule.most_common():
        print(f"  {rule:<26} {n:>7,}")
    if result.failures:
        print(f"  rule failures: {result.failures[:3]}")
    store.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()

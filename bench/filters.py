"""EasyPrivacy/EasyList URL filter matches per second on one core (target: >= 20,000/s).

Every URL is distinct (as request URLs are); the mix is third-party trackers, ads, CDNs and the
site's own resources across several resource types. The one-off engine build is printed apart.
"""

from __future__ import annotations

import random
import time

from leakmap.blocklists import Knowledge

TEMPLATES = [
    ("https://region1.google-analytics.com/g/collect?v=2&tid=G-{n}&cid={r}", "ping"),
    ("https://www.googletagmanager.com/gtm.js?id=GTM-{n}", "script"),
    ("https://securepubads.g.doubleclick.net/gampad/ads?iu=/{n}/home&correlator={r}", "xmlhttprequest"),
    ("https://connect.facebook.net/en_US/fbevents.js?v={n}", "script"),
    ("https://www.facebook.com/tr/?id={n}&ev=PageView&rl={r}", "image"),
    ("https://bcp.crwdcntrl.net/5/c={n}/pe=y/?r={r}", "script"),
    ("https://static.hotjar.com/c/hotjar-{n}.js?sv=6", "script"),
    ("https://cdn.jsdelivr.net/npm/lib@{n}/dist/lib.min.js", "script"),
    ("https://fonts.gstatic.com/s/roboto/v{n}/font.woff2", "font"),
    ("https://www.example-news.fr/static/app.{r}.js", "script"),
    ("https://www.example-news.fr/img/{n}/photo.jpg", "image"),
    ("https://www.example-news.fr/api/articles?page={n}&t={r}", "xmlhttprequest"),
    ("https://ib.adnxs.com/ut/v3/prebid?r={r}", "xmlhttprequest"),
    ("https://idsync.rlcdn.com/{n}.gif?partner_uid={r}", "image"),
    ("https://cdn.cookielaw.org/scripttemplates/{n}/otBannerSdk.js", "script"),
]


def main() -> None:
    rng = random.Random(7)
    kb = Knowledge.load()
    start = time.perf_counter()
    kb.match_url("https://example.org/", "https://example.org/", "document")  # builds the engine
    print(f"engine build (EasyPrivacy + EasyList, once per process): {time.perf_counter() - start:.2f} s")
    requests = []
    for i in range(100_000):
        template, rtype = rng.choice(TEMPLATES)
        requests.append((template.format(n=i, r=rng.getrandbits(48)), rtype))
    source = "https://www.example-news.fr/article/123"
    match = kb.match_url
    start = time.perf_counter()
    matched = sum(1 for url, rtype in requests if match(url, source, rtype))
    elapsed = time.perf_counter() - start
    print(f"URL filter matches: {len(requests) / elapsed:,.0f} URLs/s ({matched:,} of {len(requests):,} blocked, "
          f"lists {kb.filters.versions()})")


if __name__ == "__main__":
    main()

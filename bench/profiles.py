"""One browser with a context per phase profile vs one browser per profile; prints numbers.

leakmap keeps third-party cookies allowed in plain browser contexts (see
leakmap/crawler/browser.py), so every phase profile can live in one Chromium. The
alternative that also keeps them is a persistent browser per profile. Same visits, same
concurrency, leakmap's own visit code, both ways:

    .venv/bin/python bench/profiles.py [--concurrency 4] [--pages 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from tempfile import mkdtemp

from leakmap.crawler.browser import find_browser
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.session import BrowserSession
from leakmap.crawler.visit import VisitJob

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's test web (tests/web)
from tests.web.server import TestWeb

SITES = {
    "www.harbourside-dental.co.uk": ["/", "/treatments.html", "/our-team.html"],
    "www.brightpath-travel.com": ["/", "/destinations.html", "/deals.html"],
    "www.homefinder-listings.ie": ["/", "/to-rent.html", "/for-sale.html"],
    "www.maison-lumiere.fr": ["/", "/boutique.html", "/panier.html"],
}
PHASES = ("baseline", "accept", "reject")


async def phase_chain(session: BrowserSession, site_id: int, host: str, phase: str, pages: list[str]) -> int:
    for seq, path in enumerate(pages):
        consent = phase if phase != "baseline" and seq == 0 else None
        await session.visit(VisitJob(site_id, phase, seq, f"https://{host}{path}", consent=consent,
                                     last=seq == len(pages) - 1))
    return len(pages)


async def run(mode: str, config: ScanConfig, browser: Path, concurrency: int, pages: int) -> tuple[int, float]:
    chains = [(i, host, phase, paths[:pages]) for i, (host, paths) in enumerate(SITES.items()) for phase in PHASES]
    limit = asyncio.Semaphore(concurrency)
    shared = BrowserSession(config, browser) if mode == "contexts" else None

    async def one(chain) -> int:
        async with limit:
            session = shared or BrowserSession(config, browser)  # a browser of its own per profile
            try:
                return await phase_chain(session, *chain)
            finally:
                if session is not shared:
                    await session.close()

    started = time.monotonic()
    try:
        visits = sum(await asyncio.gather(*(one(c) for c in chains)))
    finally:
        if shared:
            await shared.close()
    return visits, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()
    browser = find_browser()
    with TestWeb() as web:
        config = ScanConfig(output_dir=Path(mkdtemp(prefix="leakmap-bench-")), host_rules=web.host_rules,
                            ignore_https_errors=True, screenshots=False)
        for mode in ("contexts", "browser-per-profile"):
            visits, seconds = asyncio.run(run(mode, config, browser, args.concurrency, args.pages))
            print(f"{mode:<20} {visits} visits in {seconds:6.1f} s = {visits / seconds * 60:6.1f} visits/min "
                  f"(concurrency {args.concurrency})", flush=True)


if __name__ == "__main__":
    main()

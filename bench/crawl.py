"""Crawl speed, memory and capture completeness on the test web; prints numbers, asserts nothing.

Audits a fixed set of fixture sites (three phases, 5 pages each) with ``leakmap scan`` at
several concurrencies, and the same pages with a fixed 3-second sleep per page load (the
default wait of the EDPS Website Evidence Collector) as the reference, in the same run:

    .venv/bin/python bench/crawl.py                      # concurrency 1,2,4,6,8 + references
    .venv/bin/python bench/crawl.py --concurrency 4 --no-reference
    .venv/bin/python bench/crawl.py --concurrency 4 --no-reference --gpc   # + the opt-in gpc phase: its cost

With ``--gpc`` each concurrency also runs with the fourth, opt-in ``gpc`` phase (same sites, same
browser, its own context) and prints what it costs against the three phases (target: at most 4/3).

Peak memory is the largest PSS of the scan process and all its descendants (Python, the
Playwright driver, Chromium), sampled every 0.1 s; the summed RSS is printed beside it. Completeness: the share of requests the test web
received (browser service calls and leakmap's own discovery fetches excepted) that are in
the store, in a visit that was running when the server got them.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's test web (tests/web)
from tests.web.capture import compare
from tests.web.server import TestWeb

SITES = [
    "https://www.maison-lumiere.fr/",  # banner, tag manager, replay, broker chain
    "https://www.harbourside-dental.co.uk/",  # compliant
    "https://www.brightpath-travel.com/",  # tracks before consent
    "https://www.homefinder-listings.ie/",  # ID-sync redirect chain
    "https://www.saltandsaffron-kitchen.com/",  # tracker 2 s after load, one on scroll, unload beacons
    "https://www.dailyharbour-news.co.uk/",  # third parties in iframes
]


def tree_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) bytes of a process and all its descendants (Linux /proc). PSS shares each page
    among the processes mapping it, so it is what the tree really uses; summing RSS counts
    Chromium's shared pages once per process (reported for comparison)."""
    pss = rss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return pss, rss


def run(web: TestWeb, label: str, extra: list[str]) -> dict:
    out = Path(tempfile.mkdtemp(prefix="leakmap-bench-"))
    began = len(web.log)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "leakmap", "scan", *SITES, "-o", str(out), "--host-rules",
                             web.host_rules, "--ignore-https-errors", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]

    def sample() -> None:
        while proc.poll() is None:
            pss, rss = tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.monotonic() - start
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{label}: scan failed ({proc.returncode}): {stderr[-2000:]}")
    time.sleep(0.5)
    db = out / "leakmap.db"
    visits = sqlite3.connect(db).execute("select count(*) from visits").fetchone()[0]
    capture = compare(db, web.log[began:])
    return {"mode": label, "wall": wall, "visits": visits, "per_min": visits / wall * 60, "peak_mib": peak[0] / 2**20,
            "peak_rss_mib": peak[1] / 2**20,
            "complete": capture.ratio, "requests": capture.total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,2,4,6,8", help="comma-separated concurrencies to measure")
    parser.add_argument("--reference", default="1,4",
                        help="concurrencies of the fixed-sleep reference (1 is WEC's one page at a time)")
    parser.add_argument("--no-reference", action="store_true", help="skip the fixed-sleep reference")
    parser.add_argument("--gpc", action="store_true", help="also run each concurrency with the gpc phase (4 phases)")
    args = parser.parse_args()
    ours, refs, gpc = {}, {}, {}
    with TestWeb() as web:
        for c in [int(x) for x in args.concurrency.split(",")]:
            ours[c] = run(web, f"leakmap, concurrency {c}", ["--concurrency", str(c)])
            print_row(ours[c])
            if args.gpc:
                gpc[c] = run(web, f"leakmap + gpc, concurrency {c}",
                             ["--concurrency", str(c), "--phases", "baseline,accept,reject,gpc"])
                print_row(gpc[c])
        if not args.no_reference:
            for c in [int(x) for x in args.reference.split(",")]:
                refs[c] = run(web, f"fixed 3 s sleep, concurrency {c}", ["--concurrency", str(c), "--fixed-wait", "3"])
                print_row(refs[c])
    print()
    for rc, ref in refs.items():
        for c, row in ours.items():
            if c == rc or rc == 1:
                print(f"leakmap at concurrency {c} vs the fixed-sleep reference at concurrency {rc}: "
                      f"{row['per_min'] / ref['per_min']:.2f}x the visits per minute "
                      f"(completeness {row['complete']:.1%} vs {ref['complete']:.1%})")
    for c, row in gpc.items():
        base = ours[c]
        print(f"four phases (gpc added) vs three at concurrency {c}: {row['wall'] / base['wall']:.2f}x the time "
              f"(budget {4 / 3:.2f}x), {row['peak_mib'] / base['peak_mib']:.2f}x the peak memory, "
              f"{row['visits']} vs {base['visits']} visits")
    print(f"\n{len(SITES)} sites x 3 phases x up to 5 pages; {os.cpu_count()} CPUs")


def print_row(r: dict) -> None:
    print(f"{r['mode']:<34} {r['visits']:>4} visits in {r['wall']:6.1f} s = {r['per_min']:6.1f} visits/min, "
          f"peak {r['peak_mib']:5.0f} MiB PSS ({r['peak_rss_mib']:5.0f} MiB summed RSS), "
          f"completeness {r['complete']:.1%} of {r['requests']} requests", flush=True)


if __name__ == "__main__":
    main()

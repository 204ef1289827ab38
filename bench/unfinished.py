"""How long a site whose home page never finishes loading takes to audit, beside a normal site.

Scans the test web's ``www.ridgeway-courier.co.uk`` (the home page holds its load event for ever;
its five linked pages fail five ways: a 20 MB download, a redirect loop, HTTP 500, a main thread
that never answers, a window.open storm) and, as the normal reference, ``www.harbourside-dental.co.uk``
(five ordinary pages), one after the other with ``leakmap scan`` (three phases), and prints each
visit's time, the sites' mean per page and the landing pages' visit times side by side. Prints
numbers, asserts nothing:

    .venv/bin/python bench/unfinished.py
    .venv/bin/python bench/unfinished.py --concurrency 2

A normal page takes a few seconds; the never-loading home page costs what waiting for its open
request to count as background adds (``LONG_LIVED`` in ``leakmap/crawler/collectors/network.py``,
once per load), not the page budget; the page whose main thread never answers costs the
navigation timeout (it never reaches DOMContentLoaded), the other failing pages less than a
normal page.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's test web (tests/web)
from tests.web.server import TestWeb, expectations

UNFINISHED = "www.ridgeway-courier.co.uk"
NORMAL = "www.harbourside-dental.co.uk"


def scan(web: TestWeb, host: str, concurrency: int) -> dict:
    expect = expectations([host])[host]
    out = Path(tempfile.mkdtemp(prefix="leakmap-bench-unfinished-"))
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "leakmap", "scan", expect["start"], "-o", str(out), "--host-rules",
                           web.host_rules, "--ignore-https-errors", "--concurrency", str(concurrency),
                           "--pages", str(expect.get("scan_pages", 5)), "--no-screenshots"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{host}: scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    db = sqlite3.connect(out / "leakmap.db")
    visits = db.execute("select phase, seq, url, status, ended_at - started_at from visits order by seq, phase").fetchall()
    return {"host": host, "wall": wall, "visits": visits}


def report(result: dict) -> float:
    """Print the site's visits; return its mean seconds per page."""
    visits = result["visits"]
    mean = sum(v[4] for v in visits) / len(visits)
    print(f"\n{result['host']}: {len(visits)} visits in {result['wall']:.1f} s (wall), {mean:.1f} s per page on average")
    for phase, seq, url, status, seconds in visits:
        print(f"  {phase:<9} {seq}  {seconds:6.1f} s  {status:<8} {urlsplit(url).path}")
    return mean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with TestWeb() as web:
        unfinished = scan(web, UNFINISHED, args.concurrency)
        normal = scan(web, NORMAL, args.concurrency)
    per_page = report(normal)
    report(unfinished)
    landing = [v[4] for v in unfinished["visits"] if v[1] == 0]
    normal_landing = [v[4] for v in normal["visits"] if v[1] == 0]
    print(f"\nlanding page that never finishes loading: {min(landing):.1f}-{max(landing):.1f} s per phase; "
          f"the normal site's landing page {min(normal_landing):.1f}-{max(normal_landing):.1f} s, its pages "
          f"{per_page:.1f} s on average")
    print(f"whole site: {unfinished['wall']:.1f} s for {len(unfinished['visits'])} visits vs {normal['wall']:.1f} s "
          f"for {len(normal['visits'])}; concurrency {args.concurrency}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

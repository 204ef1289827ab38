"""The same site, the same verdict: scan the fixture web three times and print what differs.

Runs ``leakmap scan`` over the test web's fixture sites (those ``tests/test_e2e_scan.py`` scans:
default phases and pages) three times: at concurrency 4, at concurrency 8, and at concurrency 4
while a CPU hog runs on every core. Prints the visits per minute of each run, every finding
that is not in all three (rule, site, moment, party, what it is about, and in which runs), and
for each run the sites whose findings differ from what their ``_expect.toml`` signs. Prints,
asserts nothing:

    .venv/bin/python bench/repeat.py
    .venv/bin/python bench/repeat.py --sites www.harbourside-dental.co.uk,www.brightpath-travel.com
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's test web (tests/web)
from tests.scan_checks import finding_entry
from tests.test_e2e_scan import EXPECTATIONS
from tests.web.server import TestWeb

RUNS = {"c4": (4, False), "c8": (8, False), "c4+hog": (4, True)}


@dataclass
class Result:
    label: str
    wall: float = 0.0
    visits: int = 0
    # finding id -> (severity, rule, site, moment, party, subject, title)
    findings: dict[str, tuple] = field(default_factory=dict)
    by_site: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # as _expect.toml words them

    @property
    def per_min(self) -> float:
        return self.visits / self.wall * 60 if self.wall else 0.0


def scan(web: TestWeb, label: str, starts: list[str], concurrency: int, hog: bool) -> Result:
    out = Path(tempfile.mkdtemp(prefix=f"leakmap-repeat-{label}-"))
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)] if hog else []
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "leakmap", "scan", *starts, "-o", str(out), "--host-rules",
                               web.host_rules, "--ignore-https-errors", "--concurrency", str(concurrency),
                               "--no-screenshots"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    finally:
        for process in hogs:
            process.kill()
            process.wait(10)
    result = Result(label, wall=time.monotonic() - started)
    if proc.returncode != 0:
        raise SystemExit(f"{label}: scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    db = sqlite3.connect(out / "leakmap.db")
    db.row_factory = sqlite3.Row
    result.visits = db.execute("select count(*) from visits").fetchone()[0]
    for f in db.execute("select f.id, f.rule, f.severity, f.domain, f.moment, f.title, f.evidence, s.start_url "
                        "from findings f join sites s on s.id = f.site_id"):
        words = finding_entry(f["rule"], f["domain"], f["moment"], json.loads(f["evidence"]))  # as _expect.toml says it
        about = words.split(" ")[1]
        result.findings[f["id"]] = (f["severity"], f["rule"], f["start_url"], f["moment"] or "site", f["domain"] or "",
                                    about, f["title"])
        result.by_site.setdefault(f["start_url"], {}).setdefault(f["severity"], []).append(words)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="", help="comma-separated fixture hosts (default: all of test_e2e_scan's)")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"which runs, of {', '.join(RUNS)}")
    args = parser.parse_args()
    hosts = [h for h in args.sites.split(",") if h] or sorted(EXPECTATIONS)
    if unknown := [h for h in hosts if h not in EXPECTATIONS]:
        raise SystemExit(f"not fixture sites test_e2e_scan scans: {', '.join(unknown)}")
    starts = [EXPECTATIONS[h]["start"] for h in hosts]
    results = []
    with TestWeb() as web:
        for label in args.runs.split(","):
            concurrency, hog = RUNS[label]
            results.append(scan(web, label, starts, concurrency, hog))
            r = results[-1]
            print(f"{label:<7} {r.visits} visits in {r.wall:6.1f} s = {r.per_min:5.1f} visits/min, "
                  f"{len(r.findings)} findings", flush=True)
    every = set.intersection(*(set(r.findings) for r in results))
    differ = sorted({fid for r in results for fid in r.findings} - every,
                    key=lambda fid: next(r.findings[fid] for r in results if fid in r.findings)[1:])
    print(f"\n{len(differ)} finding(s) not in every run ({len(every)} in all):")
    for fid in differ:
        severity, rule, site, moment, party, about, title = next(r.findings[fid] for r in results if fid in r.findings)
        runs = ", ".join(r.label for r in results if fid in r.findings)
        print(f"  {rule} | {site} | {moment} | {party} | {about} ({severity}): only in {runs}\n      {title}")
    for fid in sorted(every):
        severities = {r.label: r.findings[fid][0] for r in results}
        if len(set(severities.values())) > 1:
            print(f"  severity differs for {fid}: {severities}")
    print("\nsites whose findings differ from their _expect.toml:")
    for r in results:
        for host, start in zip(hosts, starts, strict=True):
            want = {sev: sorted(EXPECTATIONS[host]["findings"].get(sev, [])) for sev in ("high", "medium", "info")}
            got = {sev: sorted(r.by_site.get(start, {}).get(sev, [])) for sev in ("high", "medium", "info")}
            if got != want:
                missing = sorted(f"{s} {w}" for s in want for w in set(want[s]) - set(got[s]))
                extra = sorted(f"{s} {w}" for s in got for w in set(got[s]) - set(want[s]))
                print(f"  {r.label}: {host}: missing {missing}, unexpected {extra}")
    print(f"\n{len(hosts)} sites; {os.cpu_count()} CPUs; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

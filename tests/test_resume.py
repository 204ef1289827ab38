"""A scan killed with SIGKILL mid-way continues with --resume, losing and duplicating nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from leakmap.store import Store
from tests.scan_checks import (
    PHASES,
    assert_no_orphans,
    assert_phases_whole,
    children,
    gone,
    wait_for_visits,
)

SITES = ["https://www.harbourside-dental.co.uk/", "https://www.ledgerly.io/"]


def test_kill_then_resume(testweb, tmp_path, spawn):
    db_path = tmp_path / "leakmap.db"
    args = [sys.executable, "-m", "leakmap", "scan", "-o", str(tmp_path), "--host-rules", testweb.host_rules,
            "--ignore-https-errors", "--pages", "2", "--concurrency", "2", "--no-screenshots"]
    scan = spawn([*args, *SITES], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_visits(db_path, 7, scan)  # 6 phases of 2 pages: one of them is complete
    browsers = [pid for pid in children(scan.pid) if "chrom" in open(f"/proc/{pid}/cmdline").read()]
    os.kill(scan.pid, signal.SIGKILL)
    scan.wait()

    # Chromium does not outlive leakmap
    assert browsers and gone(browsers)

    before = Store(db_path)
    assert before.db["scans"].get(1)["status"] == "running"
    kept_before = {(v["site_id"], v["phase"], v["seq"]): v["id"] for v in before.db.query("select * from visits")}
    pages = {s["id"]: s["pages"] for s in before.db.query("select id, pages from sites")}
    before.close()

    resumed = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=400)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    store = Store(db_path)
    db = store.db
    assert db["scans"].count == 1 and db["scans"].get(1)["status"] == "complete"
    sites = list(db.query("select * from sites"))
    assert {s["status"] for s in sites} == {"done"}
    assert_phases_whole(db)
    # complete phases stored before the kill are untouched (same rows, same ids)
    after = {(v["site_id"], v["phase"], v["seq"]): v["id"] for v in db.query("select * from visits")}
    checked = 0
    for site_id, site_pages in pages.items():
        n = len(json.loads(site_pages or "[]"))
        for phase in PHASES:
            keys = [(site_id, phase, i) for i in range(n)]
            if n and all(k in kept_before for k in keys):
                assert [after[k] for k in keys] == [kept_before[k] for k in keys]
                checked += 1
    assert checked, "no phase was complete at the kill: nothing showed that finished phases are kept"
    # no evidence left from purged partial phases
    assert_no_orphans(db, ("requests", "cookies", "cookie_jar", "storage", "consent", "screenshots"))

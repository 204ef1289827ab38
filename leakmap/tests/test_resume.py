"""A scan killed with SIGKILL mid-way continues with --resume, losing and duplicating nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from leakmap.store import Store

SITES = ["https://www.harbourside-dental.co.uk/", "https://www.ledgerly.io/"]


def children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            out.extend(int(c) for c in fh.read().split())
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "State:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def stored_visits(db_path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=1) as db:
            return db.execute("select count(*) from visits").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_kill_then_resume(testweb, tmp_path, spawn):
    db_path = tmp_path / "leakmap.db"
    args = [sys.executable, "-m", "leakmap", "scan", "-o", str(tmp_path), "--host-rules", testweb.host_rules,
            "--ignore-https-errors", "--pages", "2", "--concurrency", "2", "--no-screenshots"]
    scan = spawn([*args, *SITES], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while stored_visits(db_path) < 5 and time.monotonic() < deadline and scan.poll() is None:
        time.sleep(0.2)
    assert scan.poll() is None, "the scan ended before it could be interrupted"
    browsers = [pid for pid in children(scan.pid) if "chrom" in open(f"/proc/{pid}/cmdline").read()]
    os.kill(scan.pid, signal.SIGKILL)
    scan.wait()

    # Chromium does not outlive leakmap
    time.sleep(3)
    assert browsers and not any(alive(pid) for pid in browsers)

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
    import json

    for site in sites:
        n = len(json.loads(site["pages"]))
        for phase in ("baseline", "accept", "reject"):
            seqs = [v["seq"] for v in db.query("select seq from visits where site_id = ? and phase = ?", [site["id"], phase])]
            assert sorted(seqs) == list(range(n)), (site["start_url"], phase, seqs)  # whole, no duplicates
        consent = [c["phase"] for c in db.query("select phase from consent where site_id = ?", [site["id"]])]
        assert sorted(consent) == ["accept", "baseline", "reject"]  # one consent record per phase
    # complete phases stored before the kill are untouched (same rows, same ids)
    after = {(v["site_id"], v["phase"], v["seq"]): v["id"] for v in db.query("select * from visits")}
    for site_id, site_pages in pages.items():
        n = len(json.loads(site_pages or "[]"))
        for phase in ("baseline", "accept", "reject"):
            keys = [(site_id, phase, i) for i in range(n)]
            if n and all(k in kept_before for k in keys):
                assert [after[k] for k in keys] == [kept_before[k] for k in keys]
    # no evidence left from purged partial phases
    for table in ("requests", "cookies", "cookie_jar", "storage", "consent", "screenshots"):
        orphans = db.execute(f"select count(*) from {table} where visit_id not in (select id from visits)").fetchone()[0]
        assert orphans == 0, table

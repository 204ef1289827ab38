"""Helpers for tests that run a real scan process and then check the store it left."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from subprocess import Popen

from sqlite_utils import Database

PHASES = ("baseline", "accept", "reject")
_COOKIE_KEYS = ("cookie", "set_before_reject", "set_before_withdraw", "left_in_place")


def finding_entry(rule: str, domain: str | None, moment: str | None, evidence: dict) -> str:
    """A finding as ``_expect.toml`` names it, "RULE SUBJECT MOMENT": the subject is the party's
    registrable domain, or for cookie rules ``NAME@REGISTRABLE-DOMAIN`` of the cookie (or storage key)
    concerned (cookies-not-deleted-on-withdrawal, one per party, names the party); site-wide findings
    have the moment "site"."""
    subject = domain or ""
    if (rule.startswith(("cookie-", "cookies-")) or rule == "excessive-cookie-lifetime") \
            and rule != "cookies-not-deleted-on-withdrawal":
        named = evidence.get("item") or next((evidence[k] for k in _COOKIE_KEYS if isinstance(evidence.get(k), dict)
                                              and "name" in evidence[k]), None)
        if named:
            subject = f"{named['name']}@{domain}"
    return f"{rule} {subject} {moment or 'site'}"


def leakmap_cmd(*args: str) -> list[str]:
    """The command line of ``leakmap`` in this interpreter."""
    return [sys.executable, "-m", "leakmap", *args]


def run_leakmap(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``leakmap`` run to the end, its output captured as text."""
    return subprocess.run(leakmap_cmd(*args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def children(pid: int) -> list[int]:
    """Direct child processes (Linux /proc)."""
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            out.extend(int(c) for c in fh.read().split())
    return out


def gone(pids: list[int], timeout: float = 30) -> bool:
    """Wait until none of ``pids`` runs (the kernel kills a scan's Chromium when the scan dies: it
    takes a moment on a busy machine); False if one still runs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "State:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def stored_visits(db_path: Path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=1) as db:
            return db.execute("select count(*) from visits").fetchone()[0]
    except sqlite3.Error:  # not created yet, or busy
        return 0


def wait_for_visits(db_path: Path, count: int, scan: Popen, timeout: float = 240) -> None:
    """Block until the running scan has stored ``count`` visits (it must still be running then)."""
    deadline = time.monotonic() + timeout
    while stored_visits(db_path) < count and time.monotonic() < deadline and scan.poll() is None:
        time.sleep(0.2)
    assert scan.poll() is None, "the scan ended before it could be interrupted"
    assert stored_visits(db_path) >= count, f"fewer than {count} visits stored within {timeout:.0f} s"


def assert_phases_whole(db: Database) -> None:
    """Every site's every phase holds its page list exactly once, with one consent record per phase."""
    for site in db.query("select * from sites"):
        n = len(json.loads(site["pages"]))
        for phase in PHASES:
            seqs = sorted(v["seq"] for v in db.query("select seq from visits where site_id = ? and phase = ?",
                                                     [site["id"], phase]))
            assert seqs == list(range(n)), (site["start_url"], phase, seqs)
        consent = sorted(c["phase"] for c in db.query("select phase from consent where site_id = ?", [site["id"]]))
        assert consent == sorted(PHASES), site["start_url"]


def assert_no_orphans(db: Database, tables: tuple[str, ...]) -> None:
    """No evidence row points at a visit that is not stored (purged phases leave nothing behind)."""
    for table in tables:
        orphans = db.execute(f"select count(*) from {table} where visit_id not in (select id from visits)").fetchone()[0]
        assert orphans == 0, table

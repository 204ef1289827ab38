"""Scale-out: one Redis queue of sites, two worker processes on loopback, one merged store."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
import redis

from leakmap.store import Store
from tests.scan_checks import assert_no_orphans, assert_phases_whole
from tests.scan_checks import run_leakmap as leakmap

SITES = ["https://www.harbourside-dental.co.uk/", "https://www.ledgerly.io/", "https://www.brightpath-travel.com/",
         "https://www.meridian-logistics.nl/"]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: `make test` installs it (Debian package redis-server)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def test_two_workers_share_one_queue(testweb, redis_url, tmp_path, spawn):
    queued = leakmap("scan", "--queue", redis_url, *SITES, "--pages", "2", "--host-rules", testweb.host_rules,
                     "--ignore-https-errors", "--no-screenshots", timeout=60)
    assert queued.returncode == 0, queued.stderr
    assert "queued 4 site(s)" in queued.stdout
    assert redis.Redis.from_url(redis_url).llen("leakmap:sites") == 4

    workers = [spawn([sys.executable, "-m", "leakmap", "worker", "--queue", redis_url, "-o",
                                 str(tmp_path / f"w{i}"), "--concurrency", "2", "--max-idle", "3"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (1, 2)]
    for w in workers:
        out, err = w.communicate(timeout=420)
        assert w.returncode == 0, err[-2000:]
    assert redis.Redis.from_url(redis_url).llen("leakmap:sites") == 0

    per_worker = [{s["start_url"] for s in Store(tmp_path / f"w{i}" / "leakmap.db").db.query("select * from sites")}
                  for i in (1, 2)]
    assert per_worker[0] and per_worker[1], "each worker took sites from the queue"
    assert not per_worker[0] & per_worker[1], "no site audited twice"
    assert per_worker[0] | per_worker[1] == set(SITES)

    merged = tmp_path / "merged.db"
    added = []
    for _ in range(2):  # merging twice adds nothing the second time
        result = leakmap("merge", str(merged), str(tmp_path / "w1" / "leakmap.db"), str(tmp_path / "w2" / "leakmap.db"))
        assert result.returncode == 0, result.stderr
        added.append([(int(s), int(v), int(p)) for s, v, p in
                      re.findall(r"(\d+) site\(s\), (\d+) visit\(s\) added, (\d+) already present", result.stdout)])
    assert [s for s, _, _ in added[0]] == [len(w) for w in per_worker] and all(v > 0 for _, v, _ in added[0])
    assert added[1] == [(0, 0, len(w)) for w in per_worker]
    store = Store(merged)
    db = store.db
    assert db["scans"].count == 1  # one run, whichever worker did what
    sites = list(db.query("select * from sites"))
    assert sorted(s["start_url"] for s in sites) == sorted(SITES)
    assert {s["status"] for s in sites} == {"done"}
    assert_phases_whole(db)
    assert_no_orphans(db, ("requests", "cookies", "consent"))
    for table in ("requests", "cookies", "consent"):
        sources = sum(Store(tmp_path / f"w{i}" / "leakmap.db").db[table].count for i in (1, 2))
        assert db[table].count == sources, table  # everything once
    # the merged store is analysed like any other
    analysed = leakmap("analyze", str(merged), timeout=120)
    assert analysed.returncode == 0, analysed.stderr
    tracked = {r["domain"] for r in db.query("select domain from findings where rule = 'tracking-before-consent' and "
                                              "site_id in (select id from sites where start_url = ?)",
                                              ["https://www.brightpath-travel.com/"])}
    assert tracked, "the site that tracks before consent is judged so in the merged store"

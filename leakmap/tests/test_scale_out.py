"""Scale-out: one Redis queue of sites, two worker processes on loopback, one merged store."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time

import pytest
import redis

from leakmap.store import Store

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


def leakmap(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leakmap", *args], capture_output=True, text=True, **kwargs)


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
    for _ in range(2):  # merging twice adds nothing the second time
        result = leakmap("merge", str(merged), str(tmp_path / "w1" / "leakmap.db"), str(tmp_path / "w2" / "leakmap.db"))
        assert result.returncode == 0, result.stderr
    assert "4 already present" not in result.stdout and result.stdout.count("already present") == 2
    store = Store(merged)
    db = store.db
    assert db["scans"].count == 1  # one run, whichever worker did what
    sites = list(db.query("select * from sites"))
    assert sorted(s["start_url"] for s in sites) == sorted(SITES)
    for site in sites:
        n = len(json.loads(site["pages"]))
        assert site["status"] == "done"
        for phase in ("baseline", "accept", "reject"):
            seqs = sorted(v["seq"] for v in db.query("select seq from visits where site_id = ? and phase = ?",
                                                     [site["id"], phase]))
            assert seqs == list(range(n)), (site["start_url"], phase)
    for table in ("requests", "cookies", "consent"):
        orphans = db.execute(f"select count(*) from {table} where visit_id not in (select id from visits)").fetchone()[0]
        assert orphans == 0
        sources = sum(Store(tmp_path / f"w{i}" / "leakmap.db").db[table].count for i in (1, 2))
        assert db[table].count == sources, table  # everything once
    # the merged store is analysed like any other
    analysed = leakmap("analyze", str(merged), timeout=120)
    assert analysed.returncode == 0, analysed.stderr
    assert db["findings"].count > 0

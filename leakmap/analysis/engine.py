"""Running the rules over a stored scan, and replacing its findings.

Each site's findings are merged into one per fact (:mod:`leakmap.analysis.facts`).

``run(store, scan_id, kb)`` is pure: it reads the store and returns the findings, sorted
by site, severity, rule and id. ``reanalyze`` also replaces the scan's rows in ``findings`` in
one transaction, so running it twice leaves the same rows.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from leakmap.analysis.data import load_site
from leakmap.analysis.facts import merge
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules import RULES
from leakmap.blocklists import Knowledge
from leakmap.blocklists.laws import Jurisdiction, parse_jurisdiction
from leakmap.records import Finding
from leakmap.severity import rank
from leakmap.store import Store, to_row

PARALLEL_FROM = 20  # sites: below this, forking costs more than it saves
MAX_WORKERS = 4


class AnalysisError(RuntimeError):
    """The store cannot be analysed as asked (no such scan, conflicting findings)."""


@dataclass
class AnalysisResult:
    scan_id: int
    findings: list[Finding]
    sites: int
    seconds: float
    versions: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # "rule on site: error", a failing rule loses its own findings


def _scan_row(store: Store, scan_id: int | None) -> dict[str, Any]:
    sid = scan_id if scan_id is not None else store.latest_scan_id()
    row = store.db.execute("select id, started_at, config from scans where id = ?", [sid]).fetchone() if sid else None
    if row is None:
        raise AnalysisError(f"no scan {scan_id} in {store.path}" if scan_id is not None else f"no scan in {store.path}")
    return {"id": row[0], "started_at": row[1] or time.time(), "config": json.loads(row[2] or "{}")}


def _sort_key(f: Finding) -> tuple:
    return (f.site_id or 0, rank(f.severity), list(RULES).index(f.rule) if f.rule in RULES else 99, f.id)


def _judge(conn: sqlite3.Connection, parties: Parties, sites: list[dict[str, Any]], rules: dict[str, Any],
           aliases: tuple[str, ...], scan_time: float, scan_id: int,
           jurisdiction: Jurisdiction) -> tuple[list[Finding], list[str]]:
    """Every rule over each site in turn: one site's evidence in memory at a time."""
    findings: list[Finding] = []
    failures: list[str] = []
    for site_row in sites:
        parties.register(site_row["id"], site_row["domain"] or "", aliases)
        site = load_site(conn, site_row, aliases, scan_time, jurisdiction)
        produced: list[Finding] = []
        for name, rule in rules.items():
            try:
                produced += rule(site, parties)
            except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others' findings
                failures.append(f"{name} on {site.start_url}: {type(exc).__name__}: {exc}")
        for f in merge(produced):
            f.scan_id = scan_id
            findings.append(f)
    return findings, failures


_FORKED: dict[str, Any] = {}  # what forked workers inherit: the knowledge base and the job


def _worker(part: int) -> tuple[list[Finding], list[str]]:
    job = _FORKED
    conn = sqlite3.connect(f"file:{job['path']}?mode=ro", uri=True)
    try:
        return _judge(conn, Parties(job["kb"]), job["sites"][part::job["workers"]], job["rules"], job["aliases"],
                      job["scan_time"], job["scan_id"], job["jurisdiction"])
    finally:
        conn.close()


def _workers(requested: int | None, sites: int) -> int:
    if requested is not None:
        return max(1, requested)
    if sites < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def jurisdiction_of(config: dict[str, Any]) -> Jurisdiction:
    """The law a scan is judged under, as recorded with it (stores from before it: the default)."""
    return parse_jurisdiction(config.get("jurisdiction"))


def run(store: Store, scan_id: int | None = None, kb: Knowledge | None = None,
        rules: Iterable[str] | None = None, workers: int | None = None,
        jurisdiction: Iterable[str] | None = None) -> AnalysisResult:
    """Classify and judge every site of a scan (default: the latest); nothing is written.

    ``jurisdiction``: judge under these laws instead of the ones recorded with the scan; a rule of
    a law not in scope is not run (the EU consent rules need ``eu``, the GPC rules a US state).
    Sites are independent, so a batch is split over ``workers`` forked processes (default: one
    per core, up to 4, from 20 sites on; they inherit the loaded knowledge base)."""
    started = time.perf_counter()
    scan = _scan_row(store, scan_id)
    kb = kb or Knowledge.load()
    aliases = tuple(scan["config"].get("first_party") or ())
    scope = parse_jurisdiction(tuple(jurisdiction)) if jurisdiction is not None else jurisdiction_of(scan["config"])
    # rules asked for by name run whatever the law (the graph's id-sync edges); all: those of the law
    chosen = {name: RULES[name] for name in rules} if rules else {
        name: rule for name, rule in RULES.items() if rule.judged_under(scope)}
    conn = store.db.conn
    sites = [dict(zip(("id", "start_url", "domain"), row, strict=True)) for row in
             conn.execute("select id, start_url, domain from sites where scan_id = ? order by id", [scan["id"]])]
    n = min(_workers(workers, len(sites)), max(1, len(sites)))
    if n == 1:
        findings, failures = _judge(conn, Parties(kb), sites, chosen, aliases, scan["started_at"], scan["id"], scope)
    else:
        kb.match_url("https://leakmap.invalid/", "https://leakmap.invalid/", "script")  # build filters once, then fork
        _FORKED.update(path=str(store.path.resolve()), kb=kb, sites=sites, rules=chosen, aliases=aliases,
                       scan_time=scan["started_at"], scan_id=scan["id"], workers=n, jurisdiction=scope)
        try:
            with multiprocessing.get_context("fork").Pool(n) as pool:
                parts = pool.map(_worker, range(n))
        finally:
            _FORKED.clear()
        findings = [f for part, _ in parts for f in part]
        failures = [x for _, part in parts for x in part]
    findings.sort(key=_sort_key)
    return AnalysisResult(scan["id"], findings, len(sites), time.perf_counter() - started, Parties(kb).versions,
                          failures)


def _refuse_clashes(conn, scan_id: int, ids: list[str]) -> None:
    clash = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        clash += conn.execute(f"select id, scan_id from findings where id in ({','.join('?' * len(chunk))})",
                              chunk).fetchall()
    if clash:
        raise AnalysisError(
            f"{len(clash)} finding id(s) of scan {scan_id} are stored for scan {clash[0][1]} too "
            f"(e.g. {clash[0][0]}): this older database keys findings by id alone, so it holds the findings "
            "of one scan of a site; analyse a copy, or scan into another directory")


def save_findings(store: Store, scan_id: int, findings: list[Finding]) -> None:
    """Replace the scan's findings with ``findings`` in one transaction."""
    conn = store.db.conn
    rows = [to_row(f) for f in findings]
    with conn:
        conn.execute("delete from findings where scan_id = ?", [scan_id])
        if store.db["findings"].pks == ["id"]:  # a store made before findings were keyed per scan
            _refuse_clashes(conn, scan_id, [f.id for f in findings])
        if rows:
            columns = list(rows[0])
            conn.executemany(f'insert into findings ({", ".join(columns)}) values ({", ".join("?" * len(columns))})',
                             [tuple(r[c] for c in columns) for r in rows])


def reanalyze(store: Store, scan_id: int | None = None, kb: Knowledge | None = None,
              workers: int | None = None, jurisdiction: Iterable[str] | None = None) -> AnalysisResult:
    """Re-classify and re-judge a stored scan with the current lists, replacing its findings;
    ``jurisdiction`` (when given) is recorded with the scan, so its reports say which law the
    stored findings apply."""
    result = run(store, scan_id, kb, workers=workers, jurisdiction=jurisdiction)
    if jurisdiction is not None:
        store.update_scan_config(result.scan_id, jurisdiction=list(parse_jurisdiction(tuple(jurisdiction)).ids))
    save_findings(store, result.scan_id, result.findings)
    return result

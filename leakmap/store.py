"""The SQLite store: the one contract between crawling and analysis.

Tables are derived from the dataclasses in :mod:`leakmap.records` (one table
per record type), so the schema cannot drift from what the crawler writes.
The database runs in WAL mode so a report can be read while a scan writes,
and each visit is written in one transaction: a visit is either stored whole
or not at all, which is what ``--resume`` relies on.
"""

from __future__ import annotations

import dataclasses
import json
import time
import types
import typing
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from leakmap import records as r

# table name -> (record class, foreign keys, indexes)
TABLES: dict[str, tuple[type, list[tuple[str, str]], list[list[str]]]] = {
    "scans": (r.Scan, [], []),
    "sites": (r.Site, [("scan_id", "scans")], [["scan_id"]]),
    "visits": (r.Visit, [("site_id", "sites")], [["site_id", "phase", "seq"]]),
    "requests": (r.RequestRecord, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"], ["visit_id"], ["host"]]),
    "cookies": (r.CookieRecord, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"], ["visit_id"], ["name"]]),
    "cookie_jar": (r.JarCookie, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase", "moment"]]),
    "storage": (r.StorageRecord, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"]]),
    "consent": (r.ConsentRecord, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"]]),
    "consent_events": (r.ConsentEvent, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"]]),
    "errors": (r.ErrorRecord, [("visit_id", "visits"), ("site_id", "sites")], [["site_id"]]),
    "screenshots": (r.Screenshot, [("visit_id", "visits"), ("site_id", "sites")], [["site_id"]]),
    # written by analysis (``leakmap analyze`` replaces them), never by the crawler
    "findings": (r.Finding, [("scan_id", "scans"), ("site_id", "sites")], [["scan_id", "rule"], ["site_id"]]),
    "api_calls": (r.ApiCallRecord, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"]]),
    "form_fills": (r.FormFill, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"]]),
    "page_texts": (r.PageText, [("visit_id", "visits"), ("site_id", "sites")], [["site_id", "phase"]]),
    # what the site publishes about its cookies (CMP configuration, policy pages): read by the
    # crawler as the page holds it; a store from before this table gets it empty (no declaration read)
    "declarations": (r.DeclarationRecord, [("visit_id", "visits"), ("site_id", "sites")], [["site_id"]]),
}
TABLE_OF: dict[type, str] = {cls: name for name, (cls, _, _) in TABLES.items()}

_SQL_TYPES = {int: int, float: float, str: str, bool: int, dict: str, list: str}


def _column_type(hint: Any) -> type:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint)
    return _SQL_TYPES[origin or hint]


def schema_of(cls: type) -> dict[str, type]:
    hints = typing.get_type_hints(cls)
    return {f.name: _column_type(hints[f.name]) for f in dataclasses.fields(cls)}


def to_row(record: Any) -> dict[str, Any]:
    row = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, (dict, list)):
            value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif isinstance(value, bool):
            value = int(value)
        row[f.name] = value
    if row.get("id", 0) is None:
        del row["id"]
    return row


class Store:
    """A scan database. ``Store(path)`` creates the schema when it is missing."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        existing = set(self.db.table_names())
        for name, (cls, fks, indexes) in TABLES.items():
            if name in existing:  # a store from an older leakmap: add the columns it lacks
                have = set(self.db[name].columns_dict)
                for column, kind in schema_of(cls).items():
                    if column not in have:
                        self.db[name].add_column(column, kind)
                if name == "scans" and "key" not in have:  # merge tells runs apart by key: give old ones theirs
                    with self.db.conn:
                        self.db.execute("update scans set key = lower(hex(randomblob(16))) where key is null")
                continue
            columns = schema_of(cls)
            pk = "id" if "id" in columns else None
            if pk and columns["id"] is str:  # findings: ids are stable across scans, unique within one
                self.db[name].create(columns, pk=("scan_id", "id"), foreign_keys=fks, not_null=None)
                for cols in indexes:
                    self.db[name].create_index(cols, if_not_exists=True)
                continue
            if pk is None:
                columns = {"id": int, **columns}
                pk = "id"
            self.db[name].create(columns, pk=pk, foreign_keys=fks, not_null=None)
            for cols in indexes:
                self.db[name].create_index(cols, if_not_exists=True)

    def close(self) -> None:
        self.db.close()

    # -- scans and sites ---------------------------------------------------
    def begin_scan(self, scan: r.Scan) -> int:
        scan.started_at = scan.started_at or time.time()
        scan.key = scan.key or uuid.uuid4().hex
        scan.id = self.db["scans"].insert(to_row(scan)).last_pk
        return scan.id

    def end_scan(self, scan_id: int, status: str = "complete") -> None:
        self.db["scans"].update(scan_id, {"status": status, "finished_at": time.time()})

    def update_scan_config(self, scan_id: int, **values: Any) -> None:
        """Change settings recorded with a scan (``analyze --jurisdiction`` keeps the law it judged by)."""
        row = self.db.execute("select config from scans where id = ?", [scan_id]).fetchone()
        config = {**json.loads(row[0] or "{}"), **values} if row else dict(values)
        self.db["scans"].update(scan_id, {"config": json.dumps(config)})

    def add_site(self, site: r.Site) -> int:
        site.id = self.db["sites"].insert(to_row(site)).last_pk
        return site.id

    def update_site(self, site_id: int, **values: Any) -> None:
        for key, value in list(values.items()):
            if isinstance(value, (list, dict)):
                values[key] = json.dumps(value)
        self.db["sites"].update(site_id, values)

    # -- evidence ----------------------------------------------------------
    def save_visit(self, visit: r.Visit, evidence: Iterable[Any]) -> int:
        """Store a visit and its evidence in one transaction; return the visit id."""
        by_table: dict[str, list[dict[str, Any]]] = {}
        visit_row = to_row(visit)
        records = list(evidence)
        conn = self.db.conn
        with conn:  # one transaction (sqlite-utils' insert() would commit on its own)
            visit.id = self._insert(conn, "visits", [visit_row])
            for record in records:
                if hasattr(record, "visit_id") and record.visit_id is None:
                    record.visit_id = visit.id
                if hasattr(record, "site_id") and record.site_id is None:
                    record.site_id = visit.site_id
                by_table.setdefault(TABLE_OF[type(record)], []).append(to_row(record))
            for table, rows in by_table.items():
                self._insert(conn, table, rows)
        return visit.id

    @staticmethod
    def _insert(conn, table: str, rows: list[dict[str, Any]]) -> int:
        columns = list(rows[0])
        sql = f'insert into "{table}" ({", ".join(columns)}) values ({", ".join("?" * len(columns))})'
        values = [tuple(row.get(c) for c in columns) for row in rows]
        if len(values) == 1:
            return conn.execute(sql, values[0]).lastrowid  # executemany() leaves lastrowid unset
        conn.executemany(sql, values)
        return 0

    def phase_complete(self, site_id: int, phase: str, pages: int) -> bool:
        """Every page of the phase's list is stored (seq 0 .. pages - 1), so it need not run again."""
        seqs = {r[0] for r in self.db.execute("select seq from visits where site_id = ? and phase = ?", [site_id, phase])}
        return pages > 0 and seqs == set(range(pages))

    def purge(self, site_id: int, phase: str | None = None) -> None:
        """Delete what a site (or one of its phases) recorded, to run it again whole (``--resume``:
        a phase is only meaningful complete, since its profile's state does not survive a crash)."""
        visits = "select id from visits where site_id = ?" + (" and phase = ?" if phase else "")
        params = [site_id, phase] if phase else [site_id]
        with self.db.conn as conn:
            for name, (cls, _, _) in TABLES.items():
                columns = {f.name for f in dataclasses.fields(cls)}
                if "visit_id" in columns and name != "findings":
                    conn.execute(f'delete from "{name}" where visit_id in ({visits})', params)
                    if "phase" in columns:
                        conn.execute(f'delete from "{name}" where visit_id is null and site_id = ?'
                                     + (" and phase = ?" if phase else ""), params)
            conn.execute(f"delete from visits where id in ({visits})", params)

    def add(self, record: Any) -> int:
        """Store one record outside a visit (a site-level error, a consent record)."""
        return self.db[TABLE_OF[type(record)]].insert(to_row(record)).last_pk

    # -- reading -----------------------------------------------------------
    def rows(self, table: str, where: str | None = None, params: Any = None) -> Iterator[dict[str, Any]]:
        return self.db[table].rows_where(where, params or [])

    def latest_scan_id(self) -> int | None:
        row = self.db.execute("select max(id) from scans").fetchone()
        return row[0] if row else None

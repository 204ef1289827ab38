"""Combining stores (one per worker of a distributed run) into one, without duplicates.

Scans are matched by their ``key`` (workers of one run share it), sites by
start URL within a scan: merging a store twice, or two stores holding the
same site, adds each thing once. Ids are renumbered; screenshot files are
copied next to the target store under names that cannot collide.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, fields
from pathlib import Path

from leakmap.store import TABLES, Store

_EVIDENCE = [name for name, (cls, _, _) in TABLES.items()
             if name not in ("scans", "sites", "visits", "findings") and "site_id" in {f.name for f in fields(cls)}]


@dataclass
class MergeResult:
    scans: int = 0
    sites: int = 0
    skipped_sites: int = 0
    visits: int = 0


def merge(target: Store, source_path: Path) -> MergeResult:
    source = Store(source_path)
    result = MergeResult()
    try:
        for scan in source.db.query("select * from scans order by id"):
            existing = next(target.db.query("select id from scans where key = ?", [scan["key"]]), None)
            if existing:
                scan_id = existing["id"]
            else:
                scan_id = target.db["scans"].insert({k: v for k, v in scan.items() if k != "id"}).last_pk
                result.scans += 1
            for site in source.db.query("select * from sites where scan_id = ? order by id", [scan["id"]]):
                if next(target.db.query("select 1 from sites where scan_id = ? and start_url = ?",
                                        [scan_id, site["start_url"]]), None):
                    result.skipped_sites += 1
                    continue
                _copy_site(source, target, site, scan_id, source_path.parent, result)
        # finished scans stay finished; a run is complete once any of its workers completed
    finally:
        source.close()
    return result


def _copy_site(source: Store, target: Store, site: dict, scan_id: int, source_dir: Path, result: MergeResult) -> None:
    with target.db.conn:
        site_id = target.db["sites"].insert({**{k: v for k, v in site.items() if k != "id"}, "scan_id": scan_id},
                                            ).last_pk
        visit_ids: dict[int, int] = {}
        copied: dict[str, str] = {}  # a screenshot is named by its screenshots row and by the consent row
        for visit in source.db.query("select * from visits where site_id = ? order by id", [site["id"]]):
            visit_ids[visit["id"]] = target.db["visits"].insert(
                {**{k: v for k, v in visit.items() if k != "id"}, "site_id": site_id}).last_pk
        for table in _EVIDENCE:
            rows = []
            for row in source.db.query(f'select * from "{table}" where site_id = ?', [site["id"]]):
                row.pop("id", None)
                row["site_id"] = site_id
                if row.get("visit_id") is not None:
                    row["visit_id"] = visit_ids[row["visit_id"]]
                for key in ("path", "screenshot_before", "screenshot_after"):
                    if row.get(key) and str(row[key]).startswith("screenshots/"):
                        if row[key] not in copied:
                            copied[row[key]] = _copy_file(source_dir, target.path.parent, row[key], f"m{site_id}")
                        row[key] = copied[row[key]]
                rows.append(row)
            if rows:
                target.db[table].insert_all(rows, batch_size=500)
    result.sites += 1
    result.visits += len(visit_ids)


def _copy_file(source_dir: Path, target_dir: Path, relative: str, prefix: str) -> str:
    src = source_dir / relative
    new = f"screenshots/{prefix}-{Path(relative).name}"
    if src.is_file():
        (target_dir / "screenshots").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target_dir / new)
    return new

"""HAR 1.2 files, one per site and phase, from the stored requests.

For the tools auditors already use (browser DevTools, HAR viewers): every request of the
phase with its headers (Cookie and Referer included), POST body and response status, each page
visit as a HAR page. leakmap's own facts ride in underscore fields, as HAR allows:
``_phase``, ``_before_consent``, ``_moment`` (before-consent, after-accept, after-withdrawal, ...),
``_t_consent`` (seconds relative to the consent click, the last one before the request),
``_initiator`` (the script chain) and ``_source`` (``js`` for a beacon seen only by the page
hook). Timings are not recorded by leakmap, so they are -1 ("not available"), as the format says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from leakmap import __version__
from leakmap.phases import PHASES
from leakmap.phases import phase as phase_of
from leakmap.report.model import iso
from leakmap.store import Store


def _headers(headers: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in headers.items()]


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    request_headers = json.loads(row["request_headers"] or "{}")
    response_headers = json.loads(row["response_headers"] or "{}")
    request: dict[str, Any] = {
        "method": row["method"], "url": row["url"], "httpVersion": "", "cookies": [],
        "headers": _headers(request_headers),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(row["url"]).query, keep_blank_values=True)],
        "headersSize": -1, "bodySize": row["post_data_size"] if row["post_data_size"] is not None else 0,
    }
    if row["post_data"] is not None:
        request["postData"] = {"mimeType": request_headers.get("content-type", ""), "text": row["post_data"]}
    entry = {
        "pageref": f"visit-{row['visit_id']}",
        "startedDateTime": iso(row["time"] or 0),
        "time": -1,
        "request": request,
        "response": {
            "status": row["status"] or 0, "statusText": "", "httpVersion": "", "cookies": [],
            "headers": _headers(response_headers),
            "content": {"size": -1, "mimeType": row["mime_type"] or ""},
            "redirectURL": response_headers.get("location", ""), "headersSize": -1, "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": -1, "wait": -1, "receive": -1},
        "_phase": row["phase"],
        "_before_consent": bool(row["before_consent"]),
        "_moment": phase_of(row["phase"]).moment(bool(row["before_consent"]), row.get("actions_before")),
        "_t_consent": row["t_consent"],
        "_resourceType": row["resource_type"],
        "_target": row["target_type"],
        "_initiator": {"type": row["initiator_type"], "url": row["initiator_url"],
                       "stack": json.loads(row["initiator_stack"] or "[]")},
        "_redirect_from": row["redirect_from"],
        "_source": row["source"],
        "_failed": row["failed"],
    }
    if row["remote_ip"]:  # optional in HAR, and must be an address when present
        entry["serverIPAddress"] = row["remote_ip"].strip("[]")
    return entry


def har(store: Store, site_id: int, phase: str, browser_version: str = "") -> dict[str, Any] | None:
    """The HAR document of one site's phase (None when the phase has no visit)."""
    db = store.db
    pages = [{"startedDateTime": iso(v["started_at"] or 0), "id": f"visit-{v['id']}", "title": v["final_url"] or v["url"],
              "pageTimings": {"onContentLoad": -1, "onLoad": -1}}
             for v in db.query("select * from visits where site_id = ? and phase = ? order by seq, id", [site_id, phase])]
    if not pages:
        return None
    entries = [_entry(r) for r in db.query(
        "select * from requests where site_id = ? and phase = ? order by time, id", [site_id, phase])]
    return {"log": {"version": "1.2", "creator": {"name": "leakmap", "version": __version__},
                    "browser": {"name": "Chromium", "version": browser_version}, "pages": pages, "entries": entries}}


def write_hars(store_path: Path, scan_id: int, out_dir: Path) -> list[Path]:
    """``out_dir/har/<site>-<phase>.har`` for every site and phase of the scan that has visits."""
    store = Store(store_path)
    written = []
    try:
        scan = store.db["scans"].get(scan_id)
        version = (scan.get("browser_version") or "").split()[-1] if scan.get("browser_version") else ""
        for site in store.db.query("select * from sites where scan_id = ? order by id", [scan_id]):
            name = re.sub(r"[^A-Za-z0-9.-]+", "_", urlsplit(site["start_url"]).netloc or str(site["id"]))
            for phase in PHASES:
                document = har(store, site["id"], phase, version)
                if document is None:  # the phase did not run
                    continue
                path = out_dir / "har" / f"{site['id']}-{name}-{phase}.har"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(document, ensure_ascii=False))
                written.append(path)
    finally:
        store.close()
    return written

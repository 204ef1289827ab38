"""Baselines: findings a team has accepted, by stable finding id, so only new ones fail CI.

Finding ids hash the rule, the site's start URL, the moment (before consent, after "reject
all", ...), the third party and the evidence's key (never times), so the same leak found again on
the next deploy has the same id. Baselines written by leakmap 0.1 hold its per-phase ids; each
finding still carries those as ``legacy_ids``, so an old baseline keeps accepting the same facts
(rewrite it with ``leakmap baseline`` to list today's ids).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leakmap.report.model import Report

SCHEMA = "leakmap.baseline/1"


class BaselineError(ValueError):
    """The baseline file cannot be used."""


def document(report: Report) -> dict[str, Any]:
    """The baseline of a report: every finding of every severity, with enough to read it by eye."""
    return {
        "schema": SCHEMA,
        "scan": {"id": report.scan["id"], "started_at": report.scan["started_at"]},
        "findings": [
            {"id": f.id, "rule": f.rule, "severity": f.severity, "site": site.start_url, "phase": f.phase,
             "domain": f.domain, "title": f.title}
            for site, f in report.findings()
        ],
    }


def write(report: Report, path: Path) -> int:
    doc = document(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(doc["findings"])


def load(path: Path) -> set[str]:
    """The accepted finding ids of a baseline file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a leakmap baseline (expected \"schema\": \"{SCHEMA}\"; "
                            "write one with `leakmap baseline DB -o FILE`)")
    ids = [f.get("id") for f in doc["findings"] if isinstance(f, dict)]
    if not all(isinstance(i, str) and i for i in ids):
        raise BaselineError(f"{path}: every finding needs an \"id\"")
    return set(ids)

"""``report.json``: the report model serialised, versioned ``leakmap.report/1``.

The contract is ``leakmap/report/schema/report-1.schema.json`` (documented in the README);
fields are only ever added within a schema version, never renamed or removed.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib import resources
from typing import Any

from leakmap.phases import MOMENT_TABLE
from leakmap.report.model import Report, SiteReport, summary_key
from leakmap.severity import SEVERITIES


def _site(site: SiteReport) -> dict[str, Any]:
    d = asdict(site)
    d["summary"] = {
        **{sev: site.count(sev) for sev in SEVERITIES},
        # every moment where nothing may be tracked: before_consent, after_reject, after_withdrawal
        **{summary_key(m.name): {sev: site.count(sev, m.name) for sev in ("high", "medium")}
           for m in MOMENT_TABLE if m.violating},
        "failing": sum(1 for f in site.findings if f.gate == "fail"),
        "gpc": site.gpc(),
    }
    return d


def to_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": report.schema,
        "generator": report.generator,
        "scan": report.scan,
        "lists": report.lists,
        "values_masked": report.values_masked,
        "summary": {"sites": len(report.sites), "findings": report.totals()},
        "gate": report.gate,
        "sites": [_site(s) for s in report.sites],
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, Any]:
    """The JSON Schema of ``report.json`` (shipped with the package)."""
    return json.loads(resources.files("leakmap.report").joinpath("schema/report-1.schema.json").read_text())

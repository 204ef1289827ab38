"""SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

Each finding is a result at the page URL where it was seen; ``partialFingerprints`` carries the
stable finding id so dashboards track the same leak across runs; with a baseline, results say
whether they are new or unchanged; findings the policy allows or turns off are suppressed, not
dropped. Severity maps to level: high -> error, medium -> warning, info -> note.
"""

from __future__ import annotations

import json
from typing import Any

from leakmap.analysis import RULES
from leakmap.report.explain import rule_text
from leakmap.report.model import Report
from leakmap.severity import SEVERITY

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "leakmapFindingId/v1"
SUPPRESSED = {"allowed": "allowed before consent by the policy", "ignored": "rule turned off by the policy"}


def _rules() -> list[dict[str, Any]]:
    out = []
    for rule in RULES:
        t = rule_text(rule)
        out.append({
            "id": rule, "name": "".join(w.capitalize() for w in rule.split("-")),
            "shortDescription": {"text": t.name}, "fullDescription": {"text": t.what},
            "help": {"text": f"{t.what}\n\nWhy it matters: {t.why}\n\nWhat to do: {t.fix}",
                     "markdown": f"{t.what}\n\n**Why it matters:** {t.why}\n\n**What to do:** {t.fix}"},
            "properties": {"tags": ["privacy", "consent"]},
        })
    return out


def _result(site, f, rule_index: dict[str, int], with_baseline: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": SEVERITY[f.severity].sarif,
        "message": {"text": f.title},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.page or site.start_url}},
                       "logicalLocations": [{"name": f.domain or site.domain, "kind": "module",
                                             "fullyQualifiedName": f"{site.start_url} {f.moment or 'site'} "
                                                                   f"{f.domain or site.domain}"}]}],
        "partialFingerprints": {FINGERPRINT: f.id},
        "properties": {"severity": f.severity, "phase": f.phase, "phases": f.phases, "moment": f.moment,
                       "site": site.start_url, "legacy_ids": f.legacy_ids,
                       "domain": f.domain, "entity": f.entity, "category": f.category, "unverified": f.unverified,
                       "gate": f.gate, "evidence": f.evidence},
    }
    if f.rule in rule_index:
        result["ruleIndex"] = rule_index[f.rule]
    if f.original_severity:
        result["properties"]["original_severity"] = f.original_severity
    if with_baseline:
        result["baselineState"] = "unchanged" if f.gate == "baselined" else "new"
    if f.gate in SUPPRESSED:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": SUPPRESSED[f.gate]}]
    return result


def to_dict(report: Report) -> dict[str, Any]:
    rule_index = {rule: i for i, rule in enumerate(RULES)}
    with_baseline = bool(report.gate.get("baseline"))
    problems = report.gate.get("problems", [])
    run = {
        "tool": {"driver": {"name": "leakmap", "version": report.generator["version"], "rules": _rules()}},
        "invocations": [{
            "executionSuccessful": not problems,
            "startTimeUtc": report.scan["started_at"],
            **({"endTimeUtc": report.scan["finished_at"]} if report.scan.get("finished_at") else {}),
            "toolExecutionNotifications": [{"level": "error", "message": {"text": p}} for p in problems],
        }],
        "results": [_result(site, f, rule_index, with_baseline) for site, f in report.findings()],
        "properties": {"lists": report.lists, "values_masked": report.values_masked,
                       "sites": [s.start_url for s in report.sites]},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"

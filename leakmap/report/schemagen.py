"""The parts of the report contract that follow the rule and phase tables, generated from them.

``report-1.schema.json`` is the documented contract users validate against, so it is a file in
the package; its enums of rules, phases, moments and consent actions, the per-phase keys of a
site's ``consent`` and ``phases`` and the per-moment counts of its ``summary``, are written from :data:`leakmap.analysis.rules.RULE_TABLE` and
:data:`leakmap.phases.PHASE_TABLE` by ``python -m leakmap.report.schemagen --write``, which also
writes ``docs/rules.md``. A test checks both files are what the tables give, so a rule or a phase
added in one place cannot be missing from the contract or the docs.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from leakmap.analysis.rules import RULE_TABLE
from leakmap.phases import MOMENT_TABLE, PHASE_TABLE
from leakmap.report.model import summary_key

SCHEMA_FILE = "schema/report-1.schema.json"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def schema_path() -> Path:
    return Path(str(resources.files("leakmap.report").joinpath(SCHEMA_FILE)))


def schema(base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report schema with its table-derived parts filled in (``base``: the committed file)."""
    doc = json.loads(schema_path().read_text(encoding="utf-8")) if base is None else json.loads(json.dumps(base))
    defs = doc["$defs"]
    defs["phase"] = {"enum": [p.name for p in PHASE_TABLE]}
    finding = defs["finding"]["properties"]
    finding["rule"] = {"enum": [r.id for r in RULE_TABLE]}
    finding["moment"] = {"enum": [*(m.name for m in MOMENT_TABLE), None]}
    actions = dict.fromkeys(a.name for p in PHASE_TABLE for a in p.actions)
    defs["consent"]["properties"]["action"] = {"enum": [*actions, "none"]}
    site = defs["site"]["properties"]
    site["consent"]["properties"] = {p.name: {"$ref": "#/$defs/consent"} for p in PHASE_TABLE}
    site["phases"]["properties"] = {p.name: {"$ref": "#/$defs/phaseView"} for p in PHASE_TABLE}
    summary = site["summary"]["properties"]
    counts = {k: v for k, v in summary.items() if k in ("high", "medium", "info")}
    site["summary"]["properties"] = {  # the counts of every moment where nothing may be tracked
        **counts, **{summary_key(m.name): {"$ref": "#/$defs/highMedium"} for m in MOMENT_TABLE if m.violating},
        "failing": summary["failing"],
        **{k: v for k, v in summary.items() if k == "gpc"}}  # the US verdict is no moment count: kept as written
    return doc


def render_schema(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def rules_doc() -> str:
    """``docs/rules.md``: every rule and every phase, from their tables."""
    lines = ["# Rules and phases", "",
             "Generated from `leakmap/analysis/rules/__init__.py` and `leakmap/phases.py` by "
             "`python -m leakmap.report.schemagen --write`; do not edit by hand.", "",
             "## Phases", "", "| phase | default | what it does | what its evidence shows |", "|---|---|---|---|"]
    lines += [f"| `{p.name}` | {'yes' if p.default else 'opt-in'} | {p.summary} | {p.means} |" for p in PHASE_TABLE]
    lines += ["", "Evidence is judged by its **moment** relative to the visitor's choice in its phase:", ""]
    lines += [f"- `{m.name}` ({m.label}): {'nothing may be tracked' if m.violating else 'tracking was consented to'}"
              for m in MOMENT_TABLE]
    lines += ["", "## Rules", "", "Each rule applies a law, judged when `--jurisdiction` has it in scope: `eu` (the EU "
              "consent rules), `us` (a US state whose law makes Global Privacy Control a binding opt-out; each "
              "finding cites the statutes of the states in scope), or any.", "",
              "| rule | highest severity | law | name |", "|---|---|---|---|"]
    lines += [f"| [`{r.id}`](#{r.id}) | {r.severity} | {r.law or 'any'} | {r.name} |" for r in RULE_TABLE]
    for r in RULE_TABLE:
        lines += ["", f"### {r.id}", "", f"**{r.name}** (up to {r.severity}). {r.what}", "",
                  f"*Why it matters:* {r.why}", "", f"*What to do:* {r.fix}"]
        if not r.waivable_before_consent:
            lines += ["", "A policy's `allowed_before_consent` does not waive it: it is no matter of consent to cookies."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the schema file and docs/rules.md")
    args = parser.parse_args(argv)
    text = render_schema(schema())
    if args.write:
        schema_path().write_text(text, encoding="utf-8")
        DOCS.parent.mkdir(parents=True, exist_ok=True)
        DOCS.write_text(rules_doc(), encoding="utf-8")
        print(f"wrote {schema_path()} and {DOCS}")
        return 0
    stale = [str(p) for p, want in ((schema_path(), text), (DOCS, rules_doc()))
             if not p.exists() or p.read_text(encoding="utf-8") != want]
    for path in stale:
        print(f"{path} is out of date: python -m leakmap.report.schemagen --write", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

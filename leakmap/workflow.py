"""The audit from end to end, as the commands run it: crawl -> store -> analyze -> report.

The CLI stays thin: it turns options into a :class:`~leakmap.crawler.config.ScanConfig`, runs
the crawl (:mod:`leakmap.cli.running`), then calls one of these. Analysis judges the stored
evidence and keeps its findings in the store; the report layer only shapes and renders what
:func:`leakmap.analysis.audit.audit` returns.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from leakmap.analysis import AnalysisError, run, save_findings
from leakmap.analysis.audit import audit
from leakmap.blocklists import Knowledge
from leakmap.records import Finding
from leakmap.report import FILE_NAMES, gate, save
from leakmap.report.har import write_hars
from leakmap.report.model import Report, build
from leakmap.report.policy import Policy
from leakmap.report.terminal import print_findings, print_summary
from leakmap.store import Store


def judge(store_path: Path, scan_id: int, kb: Knowledge) -> list[Finding]:
    """The scan's findings, computed now and also kept in the store (for ``report``, ``diff``,
    Datasette users), unless an older store cannot take them; the reports use them either way."""
    store = Store(store_path)
    try:
        findings = run(store, scan_id, kb).findings
        try:
            save_findings(store, scan_id, findings)
        except AnalysisError as exc:
            print(f"leakmap: note: findings not stored ({exc})", file=sys.stderr)
    finally:
        store.close()
    return findings


def report(store_path: Path, scan_id: int | None = None, *, show_values: bool = False, policy: Policy | None = None,
           baseline: set[str] | None = None, baseline_source: str | None = None, kb: Knowledge | None = None,
           findings: list[Finding] | None = None) -> tuple[Report, gate.Verdict]:
    """The report of a stored scan (default: the latest) with the gate applied (default policy: fail
    on high). ``findings``: those just judged, instead of the stored ones."""
    store = Store(store_path)
    try:
        facts = audit(store, scan_id, kb, findings=findings)
    finally:
        store.close()
    built = build(facts, show_values=show_values)
    return built, gate.apply(built, policy, baseline, baseline_source)


def summary(store_path: Path, scan_id: int, console: Console | None = None) -> None:
    """What a queue worker crawled (no findings: the merged store is judged once, after ``merge``)."""
    built, _ = report(store_path, scan_id, findings=[])
    print_summary(built, store_path, console)


def after_scan(store_path: Path, scan_id: int, out_dir: Path, console: Console | None = None) -> dict[str, Path]:
    """What ``scan`` and ``demo`` do once the crawl is stored: judge it, print the summary and the
    findings, then write ``report.html``, ``report.json`` and the HARs into the output directory."""
    console = console or Console()
    kb = Knowledge.load()
    built, _ = report(store_path, scan_id, kb=kb, findings=judge(store_path, scan_id, kb))
    print_summary(built, store_path, console)
    print_findings(built, console)
    paths = save(built, {fmt: out_dir / FILE_NAMES[fmt] for fmt in ("html", "json")})
    hars = write_hars(store_path, scan_id, out_dir)
    console.print("reports: " + ", ".join(str(p) for p in paths.values())
                  + (f", {len(hars)} HAR file(s) in {out_dir / 'har'}" if hars else ""), markup=False, highlight=False)
    return paths

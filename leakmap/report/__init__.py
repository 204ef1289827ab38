"""Report renderers: HTML, JSON, Markdown, JUnit XML, SARIF (files) and the terminal summary.

Every format renders the one :class:`~leakmap.report.model.Report` read from the store, so a
report can be made again from an old ``leakmap.db`` (``leakmap report DB``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from leakmap.blocklists import Knowledge
from leakmap.records import Finding
from leakmap.report import gate
from leakmap.report.har import write_hars
from leakmap.report.model import Report, build
from leakmap.report.policy import Policy
from leakmap.store import Store

FORMATS = ("html", "json", "md", "junit", "sarif")
FILE_NAMES = {"html": "report.html", "json": "report.json", "md": "report.md", "junit": "report.junit.xml",
              "sarif": "report.sarif"}


def render(report: Report, fmt: str) -> str:
    """One format of a report, as text."""
    from leakmap.report import html, jsonreport, junit, markdown, sarif

    renderers = {"html": html.render, "json": jsonreport.render, "md": markdown.render, "junit": junit.render,
                 "sarif": sarif.render}
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r} (choose among {', '.join(FORMATS)})")
    return renderers[fmt](report)


def save(report: Report, targets: dict[str, Path]) -> dict[str, Path]:
    """Write each format to its path (format -> path)."""
    for fmt, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(report, fmt), encoding="utf-8")
    return targets


def load(store_path: Path, scan_id: int | None = None, *, show_values: bool = False, policy: Policy | None = None,
         baseline: set[str] | None = None, baseline_source: str | None = None, kb: Knowledge | None = None,
         findings: list[Finding] | None = None) -> tuple[Report, gate.Verdict]:
    """The report of a stored scan with the gate applied (default policy: fail on high)."""
    store = Store(store_path)
    try:
        report = build(store, scan_id, kb, findings=findings, show_values=show_values)
    finally:
        store.close()
    verdict = gate.apply(report, policy, baseline, baseline_source)
    return report, verdict


def write_reports(store_path: Path, scan_id: int | None, out_dir: Path, formats: tuple[str, ...] = ("html", "json"),
                  show_values: bool = False) -> dict[str, Path]:
    """Write ``report.html``, ``report.json``, ... of a stored scan into ``out_dir``; return the paths."""
    report, _ = load(store_path, scan_id, show_values=show_values)
    return save(report, {fmt: out_dir / FILE_NAMES[fmt] for fmt in formats})


def judge(store_path: Path, scan_id: int, kb: Knowledge) -> list[Finding]:
    """The scan's findings, computed now and also kept in the store (for ``report``, ``diff``,
    Datasette users), unless an older store cannot take them; the reports use them either way."""
    from leakmap.analysis import AnalysisError, run, save_findings

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


def after_scan(store_path: Path, scan_id: int, out_dir: Path, console: Console | None = None) -> dict[str, Path]:
    """What ``scan`` and ``demo`` do once the crawl is stored: the terminal summary with the findings,
    then ``report.html`` and ``report.json`` in the output directory."""
    from leakmap.report.terminal import print_findings, print_summary

    console = console or Console()
    kb = Knowledge.load()
    findings = judge(store_path, scan_id, kb)
    print_summary(store_path, scan_id, console, kb=kb)
    report, _ = load(store_path, scan_id, kb=kb, findings=findings)
    print_findings(report, console)
    paths = save(report, {fmt: out_dir / FILE_NAMES[fmt] for fmt in ("html", "json")})
    hars = write_hars(store_path, scan_id, out_dir)
    console.print("reports: " + ", ".join(str(p) for p in paths.values())
                  + (f", {len(hars)} HAR file(s) in {out_dir / 'har'}" if hars else ""), markup=False, highlight=False)
    return paths

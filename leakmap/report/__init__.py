"""Report renderers: HTML, JSON, Markdown, JUnit XML, SARIF (files) and the terminal summary.

Every format renders the one :class:`~leakmap.report.model.Report`, shaped from the analysis'
facts (:func:`leakmap.analysis.audit.audit`); :mod:`leakmap.workflow` puts the two together, so a
report can be made again from an old ``leakmap.db`` (``leakmap report DB``).
"""

from __future__ import annotations

from pathlib import Path

from leakmap.report.model import Report

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

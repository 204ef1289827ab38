"""A Markdown summary for a pull-request comment: the verdict, a table per site, what fails.

Crawled text is escaped for Markdown and HTML: a page title or cookie name must not turn into a
link, an image (which the comment's readers would load), an @mention or a table break.
The comment stays well under the 65,536-character limit of a GitHub comment.
"""

from __future__ import annotations

import re

from leakmap.phases import ACTION_PHASES
from leakmap.report.explain import rule_text
from leakmap.report.model import ConsentView, Report, SiteReport, counted_moments

MAX_ROWS = 40  # findings listed per site; the HTML report has them all
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # inline markup and table breaks
EXIT_TEXT = {0: "clean", 1: "findings fail the policy", 2: "the audit could not run"}


def _column(label: str) -> str:
    """A moment's label as a column header: ``after reject``, not ``after "reject all"``."""
    return label.replace('"reject all"', "reject")


def escape(text: object, limit: int = 300) -> str:
    """Text safe in a Markdown table cell: no markup, no HTML, no mentions, one line."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    return _SPECIAL.sub(r"\\\1", s)


def _gpc_cell(site: SiteReport) -> str:
    """Global Privacy Control: honoured, or who ignored it and which signal contradicted it."""
    g = site.gpc()
    if g is None:
        return "not run"
    parts = [g["verdict"]] + ([f"ignored by {', '.join(g['ignored_by'])}"] if g["ignored_by"] else []) + (
        [f"says no opt-out: {', '.join(g['mismatched_signals'])}"] if g["mismatched_signals"] else [])
    return escape("; ".join(parts))


def _outcome(c: ConsentView) -> str:
    return c.outcome if c.outcome != "not verified" else "NOT verified"


def _site_rows(site: SiteReport, moments: list[tuple[str, str]], gpc: bool) -> str:
    consent = ", ".join(f"{p} {_outcome(c)}" + "".join(f" (then {later.action} {_outcome(later)})" for later in c.later)
                        for p, c in site.consent.items() if p in ACTION_PHASES) or "—"
    return (f"| {escape(site.start_url)} | {site.count('high')} | {site.count('medium')} | {site.count('info')} | "
            + "".join(f"{site.count('high', m)} | " for m, _ in moments)
            + (f"{_gpc_cell(site)} | " if gpc else "")
            + f"{sum(1 for f in site.findings if f.gate == 'fail')} | {escape(consent)} |")


def _findings(site: SiteReport) -> list[str]:
    shown = [f for f in site.findings if f.gate == "fail"]
    if not shown:
        return []
    lines = [f"<details><summary>{escape(site.start_url)}: {len(shown)} failing finding(s)</summary>", "",
             "| severity | rule | seen in | third party | finding |", "|---|---|---|---|---|"]
    for f in shown[:MAX_ROWS]:
        party = f"{f.domain} ({f.entity})" if f.domain and f.entity else f.domain or "—"
        lines.append(f"| {f.severity} | {escape(rule_text(f.rule).name)} | {', '.join(f.phases) or '—'} | {escape(party)} | "
                     f"{escape(f.title)} |")
    if len(shown) > MAX_ROWS:
        lines.append(f"\n… and {len(shown) - MAX_ROWS} more in the HTML report.")
    lines += ["", "</details>", ""]
    return lines


def render(report: Report) -> str:
    gate = report.gate
    code = gate.get("exit_code", 0)
    mark = {0: "✅", 1: "❌", 2: "⚠️"}[code]
    totals = report.totals()
    lines = [f"## {mark} leakmap: {EXIT_TEXT[code]}", "",
             f"{totals['high']} high, {totals['medium']} medium, {totals['info']} info finding(s) on "
             f"{len(report.sites)} site(s); {gate.get('failing', 0)} at or above **{gate.get('fail_on', 'high')}** "
             f"fail the policy ({escape(gate.get('policy') or 'default')})"
             + (f", baseline {escape(gate['baseline'])} ({gate['statuses']['baselined']} accepted)"
                if gate.get("baseline") else "") + ".", ""]
    for problem in gate.get("problems", []):
        lines.append(f"- ⚠️ {escape(problem, 500)}")
    if gate.get("problems"):
        lines.append("")
    moments = counted_moments(report.scan.get("phases") or ())
    gpc = any(s.gpc() is not None for s in report.sites)  # a column only when a phase sent GPC
    lines += ["| site | high | medium | info | " + "".join(f"high {_column(label)} | " for _, label in moments)
              + ("Global Privacy Control | " if gpc else "") + "failing | consent actions |",
              "|---|---:|---:|---:|" + "---:|" * len(moments) + ("---|" if gpc else "") + "---:|---|"]
    lines += [_site_rows(s, moments, gpc) for s in report.sites]
    lines.append("")
    for site in report.sites:
        lines += _findings(site)
    lines.append(f"<sub>leakmap {escape(report.generator['version'])}, scan {report.scan['id']} started "
                 f"{report.scan['started_at']}; lists: "
                 + ", ".join(f"{escape(k)} {escape(v)}" for k, v in report.lists.items()) + "</sub>")
    return "\n".join(lines) + "\n"

"""The declaration as HTML (paste-ready tables grouped by purpose), Markdown, CSV and JSON.

HTML is rendered by Jinja2 with autoescape: every page-controlled string (cookie names, declared
purposes, URLs) reaches the page escaped, and the page allows no script at all. Group and column
labels are in the scan's ``--locale`` where the vocabulary has them, else in English. CSV cells
that a spreadsheet would run as a formula are written as text.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader

from leakmap.declaration.document import RULE_IDS, Document
from leakmap.declaration.inventory import COOKIE_TYPES, Observed
from leakmap.declaration.lifetimes import describe
from leakmap.declaration.purposes import RANK
from leakmap.wording import label

__all__ = ["FILE_NAMES", "FORMATS", "RULE_IDS", "environment", "labels", "render"]

FORMATS = ("html", "md", "csv", "json")
FILE_NAMES = {fmt: f"declaration.{fmt}" for fmt in FORMATS}
# purpose groups of the paste-ready table, in order: (key, vocabulary role of its label, English label)
GROUPS = (("necessary", "purpose-necessary", "Strictly necessary"), ("functional", "purpose-functional", "Functional"),
          ("analytics", "purpose-analytics", "Analytics"), ("advertising", "purpose-advertising", "Advertising"),
          ("social", "purpose-social", "Social media"), ("tracking", None, "Tracking (purpose not known)"),
          ("unclassified", None, "Not classified"))
COLUMNS = (("name", "column-name", "Name"), ("provider", "column-provider", "Provider"),
           ("purpose", "column-purpose", "Purpose"), ("lifetime", "column-lifetime", "Lifetime"),
           ("type", "column-type", "Type"))


def group_of(category: str | None) -> str:
    if category == "social":
        return "social"
    rank = RANK.get(category or "")
    if rank is None:
        return "tracking" if category else "unclassified"
    return ("necessary", "functional", "analytics", "advertising")[rank]


def labels(language: str) -> dict[str, str]:
    """Group and column labels in ``language`` where the vocabulary has one, else English."""
    out = {key: (label(role, language) if role else None) or english for key, role, english in (*GROUPS, *COLUMNS)}
    return out


def lifetime(row: Observed) -> str:
    """The lifetime a cookie policy states: the longest asked for."""
    if row.type in COOKIE_TYPES:
        return describe(row.longest_days)
    return "until the tab is closed" if row.type == "sessionStorage" else "no expiry (until cleared)"


def grouped(rows: list[Observed]) -> list[tuple[str, list[Observed]]]:
    """The rows under their purpose group, in the groups' order (empty groups left out)."""
    by: dict[str, list[Observed]] = {}
    for row in rows:
        by.setdefault(group_of(row.verdict.category), []).append(row)
    return [(key, by[key]) for key, _, _ in GROUPS if key in by]


def environment() -> Environment:
    env = Environment(loader=PackageLoader("leakmap.declaration", "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.globals.update(grouped=grouped, lifetime=lifetime, labels=labels, COLUMNS=COLUMNS)
    return env


def _asset(name: str) -> str:
    return resources.files("leakmap.declaration").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def html(doc: Document) -> str:
    css = _asset("declaration.css")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    return environment().get_template("declaration.html.j2").render(doc=doc, css=css, csp=csp,
                                                                     L=labels(doc.language))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(doc: Document) -> str:
    names = labels(doc.language)
    lines = [f"# Cookie declaration — scan {doc.scan['id']}", ""]
    for view in doc.sites:
        d = view.declaration
        counts = d.counts()
        lines += [f"## {d.start_url}", "",
                  f"Declaration: **{d.status}**; {counts['observed']} cookie(s) and storage key(s) observed, "
                  f"{counts['declared']} declared, {counts['undeclared_non_essential']} non-essential undeclared, "
                  f"{counts['declared_not_observed']} declared but not observed.", ""]
        for key, rows in grouped(d.observed):
            lines += [f"### {_cell(names[key])}", "",
                      "| " + " | ".join(names[c] for c, _, _ in COLUMNS) + " | party | declared |",
                      "|" + "---|" * (len(COLUMNS) + 2)]
            lines += [f"| {_cell(r.name)} | {_cell(r.provider)} | {_cell(r.description or r.verdict.category)} | "
                      f"{_cell(lifetime(r))} | {_cell(r.type)} | {r.party} | "
                      f"{ {True: 'yes', False: 'no', None: '?'}[r.declared]} |" for r in rows]
            lines.append("")
        if d.not_observed:
            lines += ["### Declared, not observed", ""]
            lines += [f"- `{_cell(i.name)}` ({_cell(i.purpose or 'no purpose given')}; {_cell(i.source.label())})"
                      for i in d.not_observed]
            lines.append("")
        if view.findings:
            lines += ["### Findings", ""] + [f"- **{f.severity}** `{f.rule}`: {_cell(f.title)}" for f in view.findings]
            lines.append("")
    return "\n".join(lines) + "\n"


_CSV_COLUMNS = ("site", "status", "name", "domain", "type", "party", "provider", "purpose", "purpose_basis",
                "description", "lifetime_days", "longest_days", "moments", "phases", "setter", "declared", "declared_by",
                "declared_purpose", "declared_lifetime")


def _safe(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(doc: Document) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, _CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for view in doc.sites:
        site = view.declaration.start_url
        for row in view.declaration.observed:
            d = row.as_dict()
            d.update(site=site, status="observed", moments=";".join(d["moments"]), phases=";".join(d["phases"]),
                     declared_by=";".join(d["declared_by"]),
                     declared="" if d["declared"] is None else str(d["declared"]).lower())
            writer.writerow({k: _safe(v) for k, v in d.items()})
        for item in view.declaration.not_observed:
            writer.writerow({k: _safe(v) for k, v in {
                "site": site, "status": "declared-not-observed", "name": item.name, "domain": item.domain,
                "type": item.type, "provider": item.provider, "declared": "true", "declared_by": item.source.label(),
                "declared_purpose": item.purpose, "declared_lifetime": item.lifetime}.items()})
    return out.getvalue()


def json_text(doc: Document) -> str:
    return json.dumps(doc.as_dict(), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"html": html, "md": markdown, "csv": csv_text, "json": json_text}


def render(doc: Document, fmt: str) -> str:
    if fmt not in RENDERERS:
        raise ValueError(f"unknown declaration format {fmt!r} (choose among {', '.join(FORMATS)})")
    return RENDERERS[fmt](doc)

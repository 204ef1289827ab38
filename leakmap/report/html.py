"""``report.html``: one self-contained file a compliance reader opens offline.

Jinja2 with autoescape renders everything; crawled text (URLs, cookie names and values, titles)
only ever reaches the page as escaped text or attribute values, and only http(s) URLs become
links. As a second line of defence the page carries a Content-Security-Policy that allows no
network access and no script but the report's own, by hash: even a rendering bug could not make
crawled content run. Screenshots are embedded as data: URIs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup

from leakmap.declaration import render as declaration
from leakmap.phases import ACTION_PHASES, AFTER_REJECT, BEFORE, PHASES
from leakmap.report.explain import rule_text
from leakmap.report.graphview import site_svg
from leakmap.report.model import Report, SiteReport, counted_moments, iso
from leakmap.severity import SEVERITIES, SEVERITY_TABLE

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
MAX_IMAGE = 8 * 1024 * 1024
SCREENSHOT_LABELS = {
    "banner": "banner as the visitor first sees it", "page": "page after loading, banner untouched",
    "before-accept": "before clicking \"accept all\"", "after-accept": "after \"accept all\"",
    "before-reject": "before clicking \"reject all\"", "after-reject": "after \"reject all\"",
    "before-withdraw": "before withdrawing consent", "withdraw-reopened-control": "the consent choice reopened by "
    "the page's own control", "withdraw-reopened-api": "the consent choice reopened through the platform's API",
    "after-withdraw": "after withdrawing consent (\"reject all\")",
}
TESTIDS = {BEFORE: "before", AFTER_REJECT: "reject"}  # the summary cards' test ids


def _asset(name: str) -> str:
    return resources.files("leakmap.report").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def link(url: str | None, text: str | None = None) -> Markup:
    """An escaped link for http(s) URLs; anything else (javascript:, data:, ...) stays plain text."""
    if not url:
        return Markup("")
    label = text if text is not None else url
    if urlsplit(url).scheme in ("http", "https"):
        return Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(url, label)
    return Markup("<span>{}</span>").format(label)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def image_uri(store_dir: Path | None, relative: str | None) -> str | None:
    """A data: URI for a screenshot inside the store's directory (never a file outside it)."""
    if not store_dir or not relative:
        return None
    root = store_dir.resolve()
    path = (root / relative).resolve()
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None or not path.is_relative_to(root) or not path.is_file() or path.stat().st_size > MAX_IMAGE:
        return None
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _requests_by_domain(site: SiteReport) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for phase, view in site.phases.items():
        for tp in view.third_parties:
            out.setdefault(tp.domain, {})[phase] = tp.requests
    return out


def vendor_matrix(report: Report) -> list[dict[str, Any]]:
    """Rows of the cross-site matrix: vendor domain, owner, and per site the phases it appeared in."""
    rows: dict[str, dict[str, Any]] = {}
    for site in report.sites:
        for phase, view in site.phases.items():
            for tp in view.third_parties:
                row = rows.setdefault(tp.domain, {"domain": tp.domain, "entity": tp.entity,
                                                  "categories": tp.categories, "broker": tp.broker, "sites": {}})
                cell = row["sites"].setdefault(site.id, {"phases": [], "before": 0})
                cell["phases"].append(phase)
                cell["before"] += tp.before_consent
    return sorted(rows.values(), key=lambda r: (-len(r["sites"]), r["domain"]))


def key_facts(evidence: dict[str, Any]) -> list[tuple[str, Any]]:
    """The few evidence facts a reader looks for first (the full evidence follows as JSON)."""
    facts: list[tuple[str, Any]] = []
    req = evidence.get("request") if isinstance(evidence.get("request"), dict) else None
    if req:
        facts += [("request", f"{req.get('method', 'GET')} {req.get('url', '')}"),
                  ("seconds from the consent click", req.get("t_consent")),
                  ("script chain", " ← ".join((req.get("initiator") or {}).get("chain") or []) or None)]
    for key in ("cookie", "storage"):
        item = evidence.get(key) if isinstance(evidence.get(key), dict) else None
        if item:
            facts += [(key, f"{item.get('name') or item.get('key')} = {item.get('value')}"),
                      ("set by", item.get("script_url") or item.get("url")),
                      ("lifetime (days)", item.get("lifetime_days"))]
    if isinstance(evidence.get("identifier"), dict):
        ident = evidence["identifier"]
        facts.append(("identifier", f"{ident.get('cookie') or ''} {ident.get('value') or ''}".strip()))
    if "requests" in evidence:
        facts.append(("requests", evidence["requests"]))
    modes = evidence.get("service_provider") or evidence.get("service_provider_requests") or []
    if modes:
        facts.append(("service-provider mode", "; ".join(f"{m.get('vendor')}: {m.get('mode')} ({m.get('parameter')})"
                                                         for m in modes if isinstance(m, dict))))
    if evidence.get("statutes"):
        facts.append(("law applied", "; ".join(dict.fromkeys(c.get("cite", "") for c in evidence["statutes"]
                                                             if isinstance(c, dict)))))
    return [(k, v) for k, v in facts if v not in (None, "", [])]


def _environment() -> Environment:
    env = Environment(loader=ChoiceLoader([PackageLoader("leakmap.report", "templates"),
                                           PackageLoader("leakmap.declaration", "templates")]),
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(declaration.environment().globals, DECLARATION_RULES=declaration.RULE_IDS)
    env.filters.update(link=link, pretty=pretty, iso=iso)
    env.globals.update(rule_text=rule_text, key_facts=key_facts, PHASES=PHASES, SEVERITIES=SEVERITIES,
                       ACTION_PHASES=ACTION_PHASES, TESTIDS=TESTIDS, SCREENSHOT_LABELS=SCREENSHOT_LABELS)
    return env


def _severity_css() -> str:
    """The severity colours, from the severity table."""
    return ":root { " + " ".join(f"--{s.name}: {s.colour};" for s in SEVERITY_TABLE) + " }\n"


def _phase_filter_css() -> str:
    """The graph's "show phase" radio buttons: one rule per phase of the table."""
    return "\n".join(f'.graph-box:has(input[value="{p}"]:checked) :is(.node, .edge):not(.p-{p}, .site) '
                     "{ display: none; }" for p in PHASES) + "\n"


def render(report: Report) -> str:
    css, js = _severity_css() + _asset("report.css") + _phase_filter_css(), _asset("report.js")
    csp = (f"default-src 'none'; img-src data:; style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
           "base-uri 'none'; form-action 'none'")
    graphs = {s.id: site_svg(report.graph, s.start_url, _requests_by_domain(s), tuple(s.phases))
              if report.graph is not None
              else Markup("") for s in report.sites}
    shots = {(s.id, shot.path): image_uri(report.store_dir, shot.path) for s in report.sites for shot in s.screenshots}
    template = _environment().get_template("report.html.j2")
    return template.render(report=report, css=Markup(css), js=Markup(js), csp=csp, graphs=graphs, shots=shots,
                           matrix=vendor_matrix(report) if len(report.sites) > 1 else [],
                           gpc_sites=[s for s in report.sites if s.gpc() is not None],
                           totals=report.totals(), moments=counted_moments(report.scan.get("phases") or ()),
                           L=declaration.labels((report.scan.get("locale") or "en").split("-")[0]))

"""The report of one scan: what every renderer shows, shaped from the analysis' facts.

One model, many renderers: JSON is this model serialised (``report.json``, schema
``leakmap.report/1``), and HTML, Markdown, JUnit and SARIF render the same objects, so the
formats cannot disagree. :func:`build` only shapes :func:`leakmap.analysis.audit.audit`'s facts
(values masked unless asked, dates in ISO 8601, findings in severity and rule order, the words a
consent step ended with); it reads no store and judges nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from leakmap import __version__
from leakmap.analysis.audit import Audit, ConsentStep, SiteAudit
from leakmap.analysis.rules import RULES
from leakmap.analysis.rules.gpc import US_VIEW
from leakmap.phases import MOMENT_TABLE, PHASES, moments_of
from leakmap.phases import phase as phase_of
from leakmap.records import Finding
from leakmap.report.masking import mask_evidence
from leakmap.severity import SEVERITIES, rank

SCHEMA = "leakmap.report/1"


def summary_key(moment: str) -> str:
    """The key of a moment in report summaries: ``before_consent``, ``after_reject``, ..."""
    return moment.replace("-", "_")


def counted_moments(phases) -> list[tuple[str, str]]:
    """(moment, label) of the moments where nothing may be tracked that these phases can show,
    for the summaries' "high before consent / after ..." counts."""
    shown = moments_of(phases)
    return [(m.name, m.label) for m in MOMENT_TABLE if m.violating and m.name in shown]


def consent_outcome(action: str, banner: bool, verified: bool) -> str:
    """How a phase's consent step ended, in the words every report uses."""
    if not banner:
        return "no banner"
    if action == "none":
        return "left unanswered"
    return "verified" if verified else "not verified"


def iso(ts: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC (millisecond precision), as people and JSON tools read dates."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class ThirdPartyRow:
    domain: str
    entity: str | None
    categories: list[str]
    country: str | None
    broker: bool
    requests: int
    before_consent: int  # of those requests, how many before any consent action
    cookies: int  # distinct cookies it set (Set-Cookie from its hosts, document.cookie from its scripts)
    hosts: list[str]


@dataclass
class PhaseView:
    visits: int
    third_parties: list[ThirdPartyRow]


@dataclass
class ConsentView:
    """The consent step of one phase as the consent engine recorded it, plus Consent Mode seen on the wire."""

    method: str
    action: str
    banner_found: bool
    cmp: str | None
    success: bool
    verified: bool
    steps: int
    time: str | None
    error: str | None
    first_layer: dict[str, Any] | None
    button_text: str | None
    tcf: dict[str, Any] | None
    gpp: dict[str, Any] | None
    consent_mode: dict[str, Any] | None  # {"before": state, "after": state}: last Google Consent Mode state seen
    screenshot_before: str | None
    screenshot_after: str | None
    changed: list[str] = field(default_factory=list)  # what verified the action (cookies/storage that changed)
    recorded: bool = True  # False: no consent step was recorded for the phase (only Consent Mode was seen)
    usp: dict[str, Any] | None = None  # US Privacy API (__uspapi) reply: status, usp_string
    navigator_gpc: bool | None = None  # navigator.globalPrivacyControl as the page saw it (phases sending GPC)
    reopen: dict[str, Any] | None = None  # a later action (withdraw): how the choice was reopened
    later: list[ConsentView] = field(default_factory=list)  # the phase's later consent actions, in order

    @property
    def outcome(self) -> str:
        """One word for the step: "no banner" when the phase found none (nothing to verify); for a
        later action (withdraw), "no visible way" when a visitor could not have reopened the choice."""
        if self.reopen is not None and not self.reopen.get("found"):
            return "no visible way"
        return consent_outcome(self.action, self.banner_found or bool(self.cmp), self.verified)


@dataclass
class FindingView:
    id: str
    rule: str
    severity: str
    phase: str | None
    moment: str | None  # before-consent, after-reject, after-accept; None for site-wide findings
    domain: str | None
    entity: str | None
    category: str | None
    page: str | None
    title: str
    unverified: bool
    evidence: dict[str, Any]
    gate: str = "pass"  # fail, pass, allowed, baselined, ignored (set by the policy)
    original_severity: str | None = None  # the analysis' severity when the policy overrode it
    phases: list[str] = field(default_factory=list)  # every phase the fact was seen in
    legacy_ids: list[str] = field(default_factory=list)  # leakmap 0.1's per-phase ids of the same fact


@dataclass
class ErrorView:
    phase: str | None
    kind: str
    message: str
    url: str | None
    time: str | None


@dataclass
class ScreenshotView:
    phase: str
    kind: str
    path: str  # relative to the store's directory


@dataclass
class BrokerChain:
    broker: str
    entity: str | None
    chain: list[str]
    edges: list[str]


@dataclass
class SiteReport:
    id: int
    start_url: str
    domain: str
    final_url: str | None
    status: str
    title: str | None  # the landing page's title
    pages: list[str]
    consent: dict[str, ConsentView]
    phases: dict[str, PhaseView]
    findings: list[FindingView]
    errors: list[ErrorView]
    screenshots: list[ScreenshotView]
    brokers: list[BrokerChain] = field(default_factory=list)

    gpc_json: dict[str, Any] | None = None  # the site's /.well-known/gpc.json, when a phase sent GPC

    def count(self, severity: str, moment: str | None = None, gate: tuple[str, ...] | None = None) -> int:
        """Findings of a severity; with ``moment``, the EU view of that moment (the GPC rules, the US
        view of the same evidence, are counted in :meth:`gpc` instead)."""
        return sum(1 for f in self.findings if f.severity == severity and (gate is None or f.gate in gate)
                   and (moment is None or (f.moment == moment and f.rule not in US_VIEW)))

    def gpc(self) -> dict[str, Any] | None:
        """The US verdict of the phases sending Global Privacy Control (None: none ran): honoured or
        not, who ignored it, which of the site's signals contradicted it."""
        if not any(phase_of(p).gpc for p in self.phases):
            return None
        live = [f for f in self.findings if f.gate != "ignored"]
        ignored = sorted({f.domain for f in live if f.rule == "gpc-ignored" and f.domain})
        mismatch = sorted({s.get("source", "") for f in live if f.rule == "gpc-signal-mismatch"
                           for s in f.evidence.get("signals") or ()})
        honoured = any(f.rule == "gpc-honoured" for f in live) and not (ignored or mismatch)
        return {"verdict": "honoured" if honoured else "not honoured" if ignored or mismatch else "not judged",
                "high": sum(1 for f in live if f.rule in US_VIEW and f.severity == "high"),
                "ignored_by": ignored, "mismatched_signals": mismatch}

    def tracking_domains(self, moment: str) -> list[str]:
        """Third parties named by findings of that moment (what "before consent" shows at a glance)."""
        return sorted({f.domain for f in self.findings if f.moment == moment and f.domain and f.gate != "ignored"
                       and f.severity in ("high", "medium") and f.domain != self.domain})


@dataclass
class Report:
    scan: dict[str, Any]
    lists: dict[str, str]
    values_masked: bool
    sites: list[SiteReport]
    gate: dict[str, Any] = field(default_factory=dict)
    schema: str = SCHEMA
    generator: dict[str, str] = field(default_factory=lambda: {"name": "leakmap", "version": __version__})
    store_dir: Path | None = None  # where screenshot paths are relative to (not serialised)
    graph: nx.MultiDiGraph | None = None  # who loads whom (analysis.graph), for the HTML view (not serialised)
    declarations: dict[int, Any] = field(default_factory=dict)  # site id -> declaration.SiteView (not serialised)

    def findings(self) -> list[tuple[SiteReport, FindingView]]:
        return [(s, f) for s in self.sites for f in s.findings]

    def totals(self) -> dict[str, int]:
        return {sev: sum(s.count(sev) for s in self.sites) for sev in SEVERITIES}


# -- shaping the analysis' facts ----------------------------------------------------------------


def _finding_view(f: Finding, show_values: bool) -> FindingView:
    evidence = f.evidence if show_values else mask_evidence(f.evidence)
    return FindingView(f.id, f.rule, f.severity, f.phase, f.moment, f.domain, f.entity, f.category, f.page,
                       f.title, bool(f.unverified), evidence, phases=list(f.phases or ([f.phase] if f.phase else [])),
                       legacy_ids=list(f.legacy_ids or []))


def _finding_key(f: FindingView) -> tuple:
    rules = list(RULES)
    return (rank(f.severity), rules.index(f.rule) if f.rule in rules else len(rules), f.id)


def _tcf_view(tcf: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(tcf, dict):
        return None
    decoded = tcf.get("decoded") if isinstance(tcf.get("decoded"), dict) else {}
    out = {"status": tcf.get("status"), "cmp_id": tcf.get("cmpId", decoded.get("cmp_id")),
           "event_status": tcf.get("eventStatus"), "gdpr_applies": tcf.get("gdprApplies"),
           "tc_string": tcf.get("tcString"), "purposes_consent": decoded.get("purposes_consent"),
           "vendors_consent": decoded.get("vendors_consent"), "error": decoded.get("error") or tcf.get("error")}
    return {k: v for k, v in out.items() if v is not None}


def _gpp_view(step: ConsentStep, gpp: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(gpp, dict):
        return None
    out = {"status": gpp.get("status"), "cmp_id": gpp.get("cmpId"), "signal_status": gpp.get("signalStatus"),
           "gpp_string": gpp.get("gppString"), "applicable_sections": gpp.get("applicableSections"),
           "section_list": gpp.get("sectionList"), "us_opt_outs": step.gpp_opt_outs, "decode_error": step.gpp_error}
    return {k: v for k, v in out.items() if v is not None}


def _usp_view(usp: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(usp, dict):
        return None
    return {k: v for k, v in {"status": usp.get("status"), "usp_string": usp.get("uspString")}.items() if v is not None}


def _consent(site: SiteAudit, show_values: bool) -> dict[str, ConsentView]:
    out: dict[str, ConsentView] = {}
    for step in site.consent:
        details = step.details if show_values else mask_evidence(step.details)
        view = ConsentView(
            method=step.method, action=step.action, banner_found=step.banner_found, cmp=step.cmp,
            success=step.success, verified=step.verified, steps=step.steps, time=iso(step.time), error=step.error,
            first_layer=details.get("first_layer"), button_text=details.get("button_text"),
            tcf=_tcf_view(details.get("tcf")), gpp=_gpp_view(step, details.get("gpp")),
            consent_mode=site.consent_mode.get(step.phase), screenshot_before=step.screenshot_before,
            screenshot_after=step.screenshot_after, changed=list(details.get("changed") or []),
            usp=_usp_view(details.get("usp")),
            navigator_gpc=details.get("navigator_gpc") if isinstance(details.get("navigator_gpc"), bool) else None,
            reopen=details.get("reopen"))
        if step.phase in out:  # a later action of the phase (withdraw), after its first
            view.consent_mode = None
            out[step.phase].later.append(view)
        else:
            out[step.phase] = view
    for phase, mode in site.consent_mode.items():  # a phase without a consent row (no engine) still shows Consent Mode
        if phase not in out:
            out[phase] = ConsentView("none", "none", False, None, False, False, 0, None, None, None, None, None, None,
                                     mode, None, None, recorded=False)
    return {p: out[p] for p in PHASES if p in out}


def _phases(site: SiteAudit) -> dict[str, PhaseView]:
    return {phase: PhaseView(view.visits, [
        ThirdPartyRow(tp.domain, tp.entity, list(tp.categories), tp.country, tp.broker, tp.requests, tp.before_consent,
                      tp.cookies, sorted(tp.hosts)) for tp in view.third_parties])
            for phase, view in site.phases.items()}


def _scan_view(scan: dict[str, Any]) -> dict[str, Any]:
    return {**scan, "started_at": iso(scan["started_at"]), "finished_at": iso(scan["finished_at"])}


def build(audit: Audit, *, show_values: bool = False) -> Report:
    """The report of an audited scan: values masked unless ``show_values``."""
    sites = [SiteReport(
        id=s.id, start_url=s.start_url, domain=s.domain, final_url=s.final_url, status=s.status, title=s.title,
        pages=s.pages, consent=_consent(s, show_values), phases=_phases(s),
        findings=sorted((_finding_view(f, show_values) for f in s.findings), key=_finding_key),
        errors=[ErrorView(e["phase"], e["kind"], e["message"], e["url"], iso(e["time"])) for e in s.errors],
        screenshots=[ScreenshotView(shot["phase"], shot["kind"], shot["path"]) for shot in s.screenshots],
        brokers=[BrokerChain(p.broker, p.entity, p.chain, p.edges) for p in s.brokers], gpc_json=s.gpc_json)
        for s in audit.sites]
    return Report(scan=_scan_view(audit.scan), lists=audit.lists, values_masked=not show_values, sites=sites,
                  store_dir=audit.store_dir, graph=audit.graph, declarations=audit.declarations)

"""The report of one scan, read from the store: what every renderer shows.

One model, many renderers: JSON is this model serialised (``report.json``, schema
``leakmap.report/1``), and HTML, Markdown, JUnit and SARIF render the same objects, so the
formats cannot disagree. Everything comes from the store (never from the crawler), so a report
can be made again from an old ``leakmap.db``; findings are the stored ones (``leakmap analyze``)
or, when the scan was never analysed, computed in memory with the current lists.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from leakmap import __version__
from leakmap.analysis import RULES, run
from leakmap.analysis.gpp import GppError, decode_gpp, opt_out_answers
from leakmap.analysis.graph import brokers_reachable, build_graph, site_node
from leakmap.analysis.rules.gpc import US_VIEW
from leakmap.analysis.signals import consent_mode
from leakmap.analysis.third_parties import from_store
from leakmap.blocklists import Knowledge
from leakmap.blocklists.domains import host_of
from leakmap.phases import MOMENT_TABLE, PHASES, moments_of
from leakmap.phases import phase as phase_of
from leakmap.records import Finding
from leakmap.report.masking import mask_evidence
from leakmap.store import Store

SCHEMA = "leakmap.report/1"
SEVERITIES = ("high", "medium", "info")
from leakmap.phases import AFTER_ACCEPT, AFTER_REJECT, AFTER_WITHDRAWAL, BEFORE  # noqa: E402,F401 - re-exported


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


# -- reading the store -------------------------------------------------------------------------


def stored_findings(store: Store, scan_id: int) -> list[Finding]:
    rows = store.db.execute(
        "select id, scan_id, site_id, rule, severity, phase, domain, entity, category, page, title, unverified, "
        "evidence, moment, phases, legacy_ids from findings where scan_id = ?", [scan_id]).fetchall()
    return [Finding(*row[:11], bool(row[11]), json.loads(row[12] or "{}"), row[13],
                    _json(row[14], [row[5]] if row[5] else []), _json(row[15], [])) for row in rows]


def findings_of(store: Store, scan_id: int, kb: Knowledge) -> list[Finding]:
    """The stored findings of the scan, or (never analysed) the rules' findings computed now."""
    return stored_findings(store, scan_id) or run(store, scan_id, kb).findings


def _timing(evidence: dict[str, Any]) -> bool | None:
    if isinstance(evidence.get("before_consent"), bool):
        return evidence["before_consent"]
    for value in evidence.values():
        if isinstance(value, dict) and isinstance(value.get("before_consent"), bool):
            return value["before_consent"]
    return None


def moment_of(f: Finding) -> str | None:
    """When the finding's evidence happened relative to the visitor's choice.

    The rule names it when it can (``*-before-consent``, ``*-after-reject``, ...); otherwise the
    evidence's own ``before_consent`` flag and the phase decide. Site-wide findings (no phase)
    have no moment."""
    if f.moment:  # analysis says (stores from before that field: inferred below)
        return f.moment
    named = next((m.name for m in MOMENT_TABLE if f.rule.endswith(m.name)), None)
    if named:
        return named
    if f.phase is None:
        return None
    before = _timing(f.evidence)
    if phase_of(f.phase).after is None or before:
        return BEFORE
    if before is None:
        return None
    return phase_of(f.phase).after


def _finding_view(f: Finding, show_values: bool) -> FindingView:
    evidence = f.evidence if show_values else mask_evidence(f.evidence)
    return FindingView(f.id, f.rule, f.severity, f.phase, moment_of(f), f.domain, f.entity, f.category, f.page,
                       f.title, bool(f.unverified), evidence, phases=list(f.phases or ([f.phase] if f.phase else [])),
                       legacy_ids=list(f.legacy_ids or []))


def _finding_key(f: FindingView) -> tuple:
    rules = list(RULES)
    return (SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9,
            rules.index(f.rule) if f.rule in rules else len(rules), f.id)


def _json(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def _tcf_view(tcf: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(tcf, dict):
        return None
    decoded = tcf.get("decoded") if isinstance(tcf.get("decoded"), dict) else {}
    out = {"status": tcf.get("status"), "cmp_id": tcf.get("cmpId", decoded.get("cmp_id")),
           "event_status": tcf.get("eventStatus"), "gdpr_applies": tcf.get("gdprApplies"),
           "tc_string": tcf.get("tcString"), "purposes_consent": decoded.get("purposes_consent"),
           "vendors_consent": decoded.get("vendors_consent"), "error": decoded.get("error") or tcf.get("error")}
    return {k: v for k, v in out.items() if v is not None}


def _gpp_view(gpp: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(gpp, dict):
        return None
    out = {"status": gpp.get("status"), "cmp_id": gpp.get("cmpId"), "signal_status": gpp.get("signalStatus"),
           "gpp_string": gpp.get("gppString"), "applicable_sections": gpp.get("applicableSections"),
           "section_list": gpp.get("sectionList")}
    if isinstance(gpp.get("gppString"), str) and gpp["gppString"]:
        try:
            out["us_opt_outs"] = opt_out_answers(decode_gpp(gpp["gppString"])) or None
        except GppError as exc:
            out["decode_error"] = str(exc)
    return {k: v for k, v in out.items() if v is not None}


def _usp_view(usp: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(usp, dict):
        return None
    return {k: v for k, v in {"status": usp.get("status"), "usp_string": usp.get("uspString")}.items() if v is not None}


def _consent_modes(store: Store, site_id: int) -> dict[str, dict[str, Any]]:
    """phase -> {"before": state, "after": state}: the last Google Consent Mode state on the wire."""
    out: dict[str, dict[str, Any]] = {}
    for phase, before, url, body in store.db.execute(
            "select phase, before_consent, url, post_data from requests where site_id = ? and "
            "(url like '%gcs=%' or url like '%gcd=%' or post_data like '%gcs=%') order by time, id", [site_id]):
        state = consent_mode(url) or (consent_mode(body) if body else None)
        if state:
            out.setdefault(phase, {})["before" if before else "after"] = state
    return out


def _consent(store: Store, site_id: int, show_values: bool) -> dict[str, ConsentView]:
    modes = _consent_modes(store, site_id)
    out: dict[str, ConsentView] = {}
    for row in store.db.query("select * from consent where site_id = ? order by id", [site_id]):
        details = _json(row["details"], {})
        if not show_values:
            details = mask_evidence(details)
        view = ConsentView(
            method=row["method"], action=row["action"], banner_found=bool(row["banner_found"]), cmp=row["cmp"],
            success=bool(row["success"]), verified=bool(row["verified"]), steps=row["steps"] or 0,
            time=iso(row["time"]), error=row["error"], first_layer=details.get("first_layer"),
            button_text=details.get("button_text"), tcf=_tcf_view(details.get("tcf")),
            gpp=_gpp_view(details.get("gpp")), consent_mode=modes.get(row["phase"]),
            screenshot_before=row["screenshot_before"], screenshot_after=row["screenshot_after"],
            changed=list(details.get("changed") or []), usp=_usp_view(details.get("usp")),
            navigator_gpc=details.get("navigator_gpc") if isinstance(details.get("navigator_gpc"), bool) else None,
            reopen=details.get("reopen"))
        if row["phase"] in out:  # a later action of the phase (withdraw), after its first
            view.consent_mode = None
            out[row["phase"]].later.append(view)
        else:
            out[row["phase"]] = view
    for phase, mode in modes.items():  # a phase without a consent row (no engine) still shows Consent Mode
        if phase not in out:
            out[phase] = ConsentView("none", "none", False, None, False, False, 0, None, None, None, None, None, None,
                                     mode, None, None, recorded=False)
    return {p: out[p] for p in PHASES if p in out}


def _cookie_counts(store: Store, site_id: int, kb: Knowledge) -> dict[tuple[str, str], int]:
    """(phase, registrable domain) -> distinct cookies that party set (its hosts' Set-Cookie, its scripts' writes)."""
    seen: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for phase, origin, host, script_url, name, domain in store.db.execute(
            "select phase, origin, host, script_url, name, domain from cookies where site_id = ?", [site_id]):
        setter = host_of(script_url) if origin == "js" and script_url and "://" in script_url else host
        if setter:
            key = (phase, kb.classify(setter).domain)
            seen.setdefault(key, set()).add((name, (domain or host or "").lstrip(".")))
    return {k: len(v) for k, v in seen.items()}


def _phases(store: Store, site_id: int, parties: list, kb: Knowledge) -> dict[str, PhaseView]:
    visits = dict(store.db.execute("select phase, count(*) from visits where site_id = ? group by phase", [site_id]))
    cookies = _cookie_counts(store, site_id, kb)
    out: dict[str, PhaseView] = {}
    for phase in PHASES:
        rows = [ThirdPartyRow(tp.domain, tp.entity, list(tp.categories), tp.country, tp.broker, tp.requests,
                              tp.before_consent, cookies.get((phase, tp.domain), 0), sorted(tp.hosts))
                for tp in parties if tp.phase == phase]
        if rows or phase in visits:
            out[phase] = PhaseView(visits.get(phase, 0), rows)
    return out


def _graph(store: Store, scan_id: int, kb: Knowledge, findings: list[Finding]) -> nx.MultiDiGraph:
    syncs = [{"site_id": f.site_id, "domain": f.domain, "phase": f.phase, "evidence": f.evidence}
             for f in findings if f.rule == "id-sync"]
    return build_graph(store, scan_id, kb, id_syncs=syncs)


def _brokers(g: nx.MultiDiGraph, start_url: str) -> list[BrokerChain]:
    return [BrokerChain(p.broker, p.entity, p.chain, p.edges) for p in brokers_reachable(g, site_node(start_url))]


def _scan_info(store: Store, scan_id: int) -> dict[str, Any]:
    row = next(store.db.query("select * from scans where id = ?", [scan_id]), None)
    if row is None:
        raise LookupError(f"no scan {scan_id} in {store.path}")
    config = _json(row["config"], {})
    return {
        "id": row["id"], "started_at": iso(row["started_at"]), "finished_at": iso(row["finished_at"]),
        "status": row["status"], "command": config.get("command"), "leakmap_version": row["leakmap_version"],
        "browser_version": row["browser_version"], "phases": config.get("phases") or list(PHASES),
        "pages": config.get("pages"), "locale": config.get("locale"),
    }


def build(store: Store, scan_id: int | None = None, kb: Knowledge | None = None, *,
          findings: list[Finding] | None = None, show_values: bool = False) -> Report:
    """The report of a scan (default: the latest). ``findings``: use these instead of the stored ones
    (``leakmap check`` passes the findings it just computed)."""
    kb = kb or Knowledge.load()
    scan_id = scan_id if scan_id is not None else store.latest_scan_id()
    if scan_id is None:
        raise LookupError(f"no scan in {store.path}")
    scan = _scan_info(store, scan_id)
    found = findings if findings is not None else findings_of(store, scan_id, kb)
    parties = from_store(store.db, scan_id, kb)
    graph = _graph(store, scan_id, kb, found)
    sites = []
    for row in store.db.query("select * from sites where scan_id = ? order by id", [scan_id]):
        sid = row["id"]
        views = sorted((_finding_view(f, show_values) for f in found if f.site_id == sid), key=_finding_key)
        errors = [ErrorView(e["phase"], e["kind"], e["message"], e["url"], iso(e["time"])) for e in store.db.query(
            "select * from errors where site_id = ? and kind != 'script-error' order by time, id", [sid])]
        shots = sorted((ScreenshotView(s["phase"], s["kind"], s["path"]) for s in store.db.query(
            "select * from screenshots where site_id = ? order by time, id", [sid])),
            key=lambda v: PHASES.index(v.phase) if v.phase in PHASES else len(PHASES))  # stable: time within a phase
        title = store.db.execute("select title from visits where site_id = ? and seq = 0 and title is not null "
                                 "order by id limit 1", [sid]).fetchone()
        sites.append(SiteReport(
            id=sid, start_url=row["start_url"], domain=row["domain"], final_url=row["final_url"], status=row["status"],
            title=title[0] if title else None, pages=_json(row["pages"], []), consent=_consent(store, sid, show_values),
            phases=_phases(store, sid, [tp for tp in parties if tp.site_id == sid], kb), findings=views,
            errors=errors, screenshots=shots, brokers=_brokers(graph, row["start_url"]),
            gpc_json=_json(row["gpc_json"], None) if "gpc_json" in row else None))
    return Report(scan=scan, lists=dict(sorted(kb.versions().items())), values_masked=not show_values, sites=sites,
                  store_dir=store.path.parent, graph=graph, declarations=declaration_views(store, scan_id, kb))


def declaration_views(store: Store, scan_id: int, kb: Knowledge) -> dict[int, Any]:
    """site id -> its cookie declaration against what the scan saw (the HTML report's section; a
    declaration that cannot be computed loses its section, never the report)."""
    from leakmap.declaration.document import for_scan

    try:
        return {v.declaration.site_id: v for v in for_scan(store.db.conn, scan_id, kb).sites}
    except Exception as exc:  # noqa: BLE001 - the rest of the report stands on its own
        print(f"leakmap: note: the cookie declaration section is left out ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return {}

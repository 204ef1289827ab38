"""What a report needs of a stored scan, read and judged in one place.

:func:`audit` is the one function the report layer gets its facts from: the scan and the lists
it is judged with, and per site its pages, consent steps (with the GPP strings decoded and the
Google Consent Mode state seen on the wire), third parties per phase (requests, cookies they
wrote), findings (the stored ones, or computed now for a scan never analysed), errors,
screenshots and the data brokers its traffic reaches. Everything comes from the store, never
from the crawler, so a report can be made again from an old ``leakmap.db``; renderers only
shape these facts (masking values, dates, words).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from leakmap.analysis.engine import jurisdiction_of, run
from leakmap.analysis.gpp import GppError, decode_gpp, opt_out_answers
from leakmap.analysis.graph import BrokerPath, brokers_reachable, build_graph, site_node
from leakmap.analysis.signals import consent_mode
from leakmap.analysis.third_parties import ThirdParty, from_store
from leakmap.blocklists import Knowledge
from leakmap.phases import BEFORE, MOMENT_TABLE, PHASES
from leakmap.phases import phase as phase_of
from leakmap.records import Finding
from leakmap.store import Store


@dataclass
class ConsentStep:
    """One consent action of a phase as the consent engine recorded it (a ``consent`` row)."""

    phase: str
    method: str
    action: str
    banner_found: bool
    cmp: str | None
    success: bool
    verified: bool
    steps: int
    time: float | None
    error: str | None
    details: dict[str, Any]
    screenshot_before: str | None
    screenshot_after: str | None
    gpp_opt_outs: dict[str, Any] | None = None  # the US opt-out answers of its GPP string, decoded
    gpp_error: str | None = None  # why that string could not be decoded


@dataclass
class PhaseParties:
    visits: int
    third_parties: list[ThirdParty]


@dataclass
class SiteAudit:
    id: int
    start_url: str
    domain: str
    final_url: str | None
    status: str
    title: str | None  # the landing page's title
    pages: list[str]
    consent: list[ConsentStep]  # in the order they were taken (a phase's later actions after its first)
    consent_mode: dict[str, dict[str, Any]]  # phase -> {"before": state, "after": state}, last seen on the wire
    phases: dict[str, PhaseParties]
    findings: list[Finding]
    errors: list[dict[str, Any]]  # phase, kind, message, url, time
    screenshots: list[dict[str, Any]]  # phase, kind, path (relative to the store's directory), in phase order
    brokers: list[BrokerPath] = field(default_factory=list)
    gpc_json: dict[str, Any] | None = None


@dataclass
class Audit:
    scan: dict[str, Any]  # id, started_at, finished_at (epoch), status, command, versions, phases, pages, locale
    lists: dict[str, str]  # the knowledge versions the findings were judged with
    sites: list[SiteAudit]
    graph: nx.MultiDiGraph
    store_dir: Path
    declarations: dict[int, Any] = field(default_factory=dict)  # site id -> its cookie declaration's view


# -- findings -------------------------------------------------------------------------------------


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

    Analysis names it (``Finding.moment``); for findings stored before that field, the rule's
    name (``*-before-consent``, ``*-after-reject``, ...) or else the evidence's own
    ``before_consent`` flag and the phase decide. Site-wide findings (no phase) have no moment."""
    if f.moment:
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


# -- the rest of a site ------------------------------------------------------------------------------


def _json(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


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


def _consent_steps(store: Store, site_id: int) -> list[ConsentStep]:
    steps = []
    for row in store.db.query("select * from consent where site_id = ? order by id", [site_id]):
        details = _json(row["details"], {})
        step = ConsentStep(row["phase"], row["method"], row["action"], bool(row["banner_found"]), row["cmp"],
                           bool(row["success"]), bool(row["verified"]), row["steps"] or 0, row["time"], row["error"],
                           details, row["screenshot_before"], row["screenshot_after"])
        gpp = details.get("gpp")
        if isinstance(gpp, dict) and isinstance(gpp.get("gppString"), str) and gpp["gppString"]:
            try:
                step.gpp_opt_outs = opt_out_answers(decode_gpp(gpp["gppString"])) or None
            except GppError as exc:
                step.gpp_error = str(exc)
        steps.append(step)
    return steps


def _phases(store: Store, site_id: int, parties: list[ThirdParty]) -> dict[str, PhaseParties]:
    visits = dict(store.db.execute("select phase, count(*) from visits where site_id = ? group by phase", [site_id]))
    out: dict[str, PhaseParties] = {}
    for phase in PHASES:
        rows = [tp for tp in parties if tp.phase == phase]
        if rows or phase in visits:
            out[phase] = PhaseParties(visits.get(phase, 0), rows)
    return out


def _scan(store: Store, scan_id: int) -> dict[str, Any]:
    row = next(store.db.query("select * from scans where id = ?", [scan_id]), None)
    if row is None:
        raise LookupError(f"no scan {scan_id} in {store.path}")
    config = _json(row["config"], {})
    return {
        "id": row["id"], "started_at": row["started_at"], "finished_at": row["finished_at"], "status": row["status"],
        "command": config.get("command"), "leakmap_version": row["leakmap_version"],
        "browser_version": row["browser_version"], "phases": config.get("phases") or list(PHASES),
        "pages": config.get("pages"), "locale": config.get("locale"),
        "jurisdiction": list(jurisdiction_of(config).ids),
    }


def _site(store: Store, row: dict[str, Any], parties: list[ThirdParty], findings: list[Finding],
          graph: nx.MultiDiGraph) -> SiteAudit:
    sid = row["id"]
    errors = list(store.db.query("select phase, kind, message, url, time from errors where site_id = ? and "
                                 "kind != 'script-error' order by time, id", [sid]))
    shots = sorted(store.db.query("select phase, kind, path from screenshots where site_id = ? order by time, id", [sid]),
                   key=lambda s: PHASES.index(s["phase"]) if s["phase"] in PHASES else len(PHASES))  # stable in a phase
    title = store.db.execute("select title from visits where site_id = ? and seq = 0 and title is not null "
                             "order by id limit 1", [sid]).fetchone()
    return SiteAudit(
        id=sid, start_url=row["start_url"], domain=row["domain"], final_url=row["final_url"], status=row["status"],
        title=title[0] if title else None, pages=_json(row["pages"], []), consent=_consent_steps(store, sid),
        consent_mode=_consent_modes(store, sid), phases=_phases(store, sid, parties), findings=findings,
        errors=errors, screenshots=shots, brokers=brokers_reachable(graph, site_node(row["start_url"])),
        gpc_json=_json(row["gpc_json"], None) if "gpc_json" in row else None)


def audit(store: Store, scan_id: int | None = None, kb: Knowledge | None = None, *,
          findings: list[Finding] | None = None) -> Audit:
    """Everything a report shows of a scan (default: the latest). ``findings``: use these instead of
    the stored ones (``leakmap check`` and ``scan`` pass the findings they just computed)."""
    kb = kb or Knowledge.load()
    scan_id = scan_id if scan_id is not None else store.latest_scan_id()
    if scan_id is None:
        raise LookupError(f"no scan in {store.path}")
    scan = _scan(store, scan_id)
    found = findings if findings is not None else findings_of(store, scan_id, kb)
    for f in found:
        f.moment = moment_of(f)
    parties = from_store(store.db, scan_id, kb)
    syncs = [{"site_id": f.site_id, "domain": f.domain, "phase": f.phase, "evidence": f.evidence}
             for f in found if f.rule == "id-sync"]
    graph = build_graph(store, scan_id, kb, id_syncs=syncs)
    sites = [_site(store, row, [tp for tp in parties if tp.site_id == row["id"]],
                   [f for f in found if f.site_id == row["id"]], graph)
             for row in store.db.query("select * from sites where scan_id = ? order by id", [scan_id])]
    return Audit(scan, dict(sorted(kb.versions().items())), sites, graph, store.path.parent,
                 _declarations(store, scan_id, kb))


def _declarations(store: Store, scan_id: int, kb: Knowledge) -> dict[int, Any]:
    """site id -> its cookie declaration against what the scan saw; a declaration that cannot be
    computed loses its part of the report, never the report."""
    from leakmap.declaration.document import for_scan

    try:
        return {v.declaration.site_id: v for v in for_scan(store.db.conn, scan_id, kb).sites}
    except Exception as exc:  # noqa: BLE001 - the rest of the report stands on its own
        print(f"leakmap: note: the cookie declaration is left out of the report ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return {}

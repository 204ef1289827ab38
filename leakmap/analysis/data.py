"""Stored evidence of one site, loaded once and shared by every rule.

Rules run per site so a scan of any size is analysed in bounded memory. Only the columns the
rules read are loaded; bulky per-request details (header maps, initiator chains) are fetched
by id for the few requests that end up as a finding's evidence (:meth:`SiteData.request_detail`).
Referer and redirect ``Location`` are pulled out of the JSON header maps by SQLite itself.
Requests a service worker answered without the network (from Cache Storage, the HTTP cache or
its own code: a web-worker proxy's calls, its sandbox page) never left the browser and are left
out; the worker's own requests are recorded as such.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from leakmap.blocklists.laws import Jurisdiction, scan_day
from leakmap.phases import PHASE_OF


@dataclass(slots=True)
class Row:
    """The leading columns of every evidence query below (in this order)."""

    id: int
    visit_id: int
    phase: str
    time: float
    before: bool  # before any consent action (the whole baseline phase included)
    t_consent: float | None  # seconds relative to the phase's (last) consent action before it
    actions: int | None  # how many of the phase's consent actions came before it (None: an older store)


@dataclass(slots=True)
class Req(Row):
    """A request row, reduced to what the rules read."""

    url: str
    host: str
    method: str
    resource_type: str
    redirect_from: str | None
    initiator_url: str | None
    post_data: str | None
    referer: str | None
    location: str | None  # redirect target announced by this hop's response
    source: str
    frame_url: str | None
    cookie_header: str | None  # the Cookie request header: which cookies rode along


_REQ_SQL = """select id, visit_id, phase, time, before_consent, t_consent, actions_before, url, host, method, resource_type,
  redirect_from, initiator_url, post_data, json_extract(request_headers, '$.referer'),
  case when status between 300 and 399 then json_extract(response_headers, '$.location') end, source, frame_url,
  json_extract(request_headers, '$.cookie')
from requests where site_id = ? {never_sent} order by time, id"""
# a request the browser's cache answered, or a service worker without the network, never reached its
# party: no rule counts it (stores from leakmap 0.2 on say how a service worker answered)
_NEVER_SENT = "and coalesce(service_worker, case when coalesce(from_cache, 0) then 'cache' else 'network' end) = 'network'"
_NEVER_SENT_OLD = "and not coalesce(from_cache, 0)"


@dataclass(slots=True)
class CookieWrite(Row):
    """A raw cookie write (Set-Cookie line or ``document.cookie`` assignment)."""

    origin: str
    url: str
    host: str
    name: str
    value: str
    domain: str | None
    path: str | None
    expires: str | None
    max_age: int | None
    lifetime: float | None
    secure: bool
    http_only: bool
    same_site: str | None
    raw: str
    script_url: str | None
    blocked: str | None

    @property
    def domain_key(self) -> str:
        """The cookie's domain as the jar keys it, without the leading dot."""
        return (self.domain or self.host or "").lstrip(".").lower()


_COOKIE_SQL = """select id, visit_id, phase, time, before_consent, t_consent, actions_before, origin, url, host, name, value,
  domain, path, expires, max_age, lifetime, secure, http_only, same_site, raw, script_url, blocked
from cookies where site_id = ? order by time, id"""


@dataclass(slots=True)
class JarEntry:
    visit_id: int
    phase: str
    moment: str
    time: float
    name: str
    value: str
    domain: str
    expires: float | None

    @property
    def domain_key(self) -> str:
        return self.domain.lstrip(".").lower()


_JAR_SQL = """select visit_id, phase, moment, time, name, value, domain, expires
from cookie_jar where site_id = ? order by time, id"""


@dataclass(slots=True)
class StorageWrite(Row):
    """A localStorage/sessionStorage write (``op = 'set'`` only)."""

    kind: str
    origin: str
    frame_url: str
    key: str | None
    value: str | None
    script_url: str | None
    stack: list[str]


_STORAGE_SQL = """select id, visit_id, phase, time, before_consent, t_consent, actions_before, kind, origin, frame_url, key, value,
  script_url, stack from storage where site_id = ? and op = 'set' order by time, id"""


@dataclass(slots=True)
class ApiCall(Row):
    """What one script did with one fingerprinting API family in one document."""

    api: str
    script_url: str | None
    frame_url: str
    document: str
    calls: int
    details: dict[str, Any]
    stack: list[str]


_API_SQL = """select id, visit_id, phase, time, before_consent, t_consent, actions_before, api, script_url, frame_url, document,
  calls, details, stack from api_calls where site_id = ? order by time, id"""


@dataclass(slots=True)
class Fill(Row):
    """A canary value typed into a form field."""

    page_url: str
    frame_url: str
    field: str
    value: str  # what the field held after the typing
    selector: str
    input_name: str | None
    typed: str  # the keys typed ('' in stores from before the column)


_FILL_SQL = """select id, visit_id, phase, time, before_consent, t_consent, actions_before, page_url, frame_url, field, value,
  selector, input_name, coalesce(typed, '') from form_fills where site_id = ? order by time, id"""


@dataclass(slots=True)
class Shown(Row):
    """What a frame of a loaded page showed (recorded in the phases sending GPC)."""

    page_url: str
    frame_url: str
    text: str
    links: list[dict[str, Any]]
    controls: list[dict[str, Any]]


_SHOWN_SQL = """select id, visit_id, phase, time, before_consent, t_consent, actions_before, page_url, frame_url, text,
  links, controls from page_texts where site_id = ? order by time, id"""


@dataclass
class ConsentState:
    """A consent row of one phase: its action (accept/reject, a later withdraw; the engine may also
    write one for baseline)."""

    phase: str
    method: str
    action: str
    banner_found: bool
    cmp: str | None
    success: bool
    verified: bool
    time: float | None
    steps: int
    details: dict[str, Any]
    error: str | None
    screenshot_before: str | None = None  # relative to the store's directory
    screenshot_after: str | None = None
    visit_id: int | None = None  # the visit it was taken on


@dataclass
class SiteData:
    """Everything stored about one site of a scan."""

    id: int
    start_url: str
    domain: str
    aliases: tuple[str, ...]
    scan_time: float  # when the scan started: the reference for "looks like a timestamp"
    pages: dict[int, str] = field(default_factory=dict)  # visit id -> page URL
    visit_seq: dict[int, int] = field(default_factory=dict)  # visit id -> position in the phase's page list
    phases: tuple[str, ...] = ()
    requests: list[Req] = field(default_factory=list)
    cookies: list[CookieWrite] = field(default_factory=list)
    jar: list[JarEntry] = field(default_factory=list)
    storage: list[StorageWrite] = field(default_factory=list)
    api_calls: list[ApiCall] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)  # page texts, links and toggles (phases sending GPC)
    consent: dict[str, ConsentState] = field(default_factory=dict)  # phase -> its first consent row
    actions: dict[str, list[ConsentState]] = field(default_factory=dict)  # phase -> every consent row, in order
    consent_events: list[dict[str, Any]] = field(default_factory=list)
    gpc_json: dict[str, Any] | None = None  # the site's /.well-known/gpc.json, when a phase sent GPC
    jurisdiction: Jurisdiction = field(default_factory=Jurisdiction)  # the law the scan is judged under
    db: sqlite3.Connection | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # shared intermediate results of the rules

    def unverified(self, phase: str | None, moment: str | None = None) -> bool:
        """True for a phase that acts on the banner whose consent action (the one that opened
        ``moment``, default the first) was not verified (or not recorded)."""
        if phase not in PHASE_OF or not PHASE_OF[phase].verifiable or phase not in self.phases:
            return False
        state = self.action_state(phase, moment)
        return state is None or not state.verified

    def action_state(self, phase: str, moment: str | None = None) -> ConsentState | None:
        """The consent row of the phase's action that opened ``moment`` (default: the first action)."""
        actions = PHASE_OF[phase].actions if phase in PHASE_OF else ()
        name = next((a.name for a in actions if a.after == moment), actions[0].name if actions else None)
        return next((c for c in self.actions.get(phase, ()) if c.action == name), self.consent.get(phase))

    def acted(self, phase: str, moment: str | None = None) -> bool:
        """The phase's consent click (the one that opens ``moment``, default the first) happened: its
        rows have a time relative to it."""
        state = self.action_state(phase, moment) if phase in PHASE_OF else self.consent.get(phase)
        return state is not None and state.time is not None

    def actions_at(self, phase: str, time: float) -> int:
        """How many of the phase's consent actions had happened at ``time`` (for rows without the count)."""
        return sum(1 for c in self.actions.get(phase, ()) if c.time is not None and c.time <= time)

    def banner_detected(self) -> bool:
        """Some consent row or engine event saw a banner (or a consent platform)."""
        if "banner" not in self.memo:
            self.memo["banner"] = any(c.banner_found or c.cmp for c in self.consent.values()) or any(
                e["kind"] in ("popupFound", "cmpDetected") for e in self.consent_events)
        return self.memo["banner"]

    @property
    def day(self) -> date:
        """The scan's day: which laws and provisions were in force."""
        return scan_day(self.scan_time)

    def page(self, visit_id: int | None) -> str | None:
        return self.pages.get(visit_id) if visit_id is not None else None

    def request_detail(self, request_id: int) -> dict[str, Any]:
        """The columns left out of :class:`Req` (initiator chain, headers, status), for evidence."""
        if self.db is None:
            return {}
        row = self.db.execute(
            "select initiator_type, initiator_stack, status, json_extract(request_headers, '$.cookie') is not null, "
            "post_data_size, post_data_sha256, target_type, from_cache, failed from requests where id = ?",
            [request_id]).fetchone()
        if row is None:
            return {}
        return {
            "initiator_type": row[0],
            "initiator_stack": json.loads(row[1] or "[]"),
            "status": row[2],
            "cookie_header": bool(row[3]),
            "post_data_size": row[4],
            "post_data_sha256": row[5],
            "target_type": row[6],
            "from_cache": bool(row[7]),
            "failed": row[8],
        }


def memo(site: SiteData, name: str, compute: Callable[[], Any]) -> Any:
    """An intermediate result several rules share, computed once per site."""
    if name not in site.memo:
        site.memo[name] = compute()
    return site.memo[name]


def _json(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}


def load_site(db: sqlite3.Connection, site: dict[str, Any], aliases: tuple[str, ...], scan_time: float,
              jurisdiction: Jurisdiction | None = None) -> SiteData:
    """Read one site's evidence (``site``: its row from ``sites``)."""
    sid = site["id"]
    data = SiteData(sid, site["start_url"], site["domain"] or "", aliases, scan_time, db=db,
                    jurisdiction=jurisdiction or Jurisdiction())
    phases = []
    for vid, phase, seq, url in db.execute("select id, phase, seq, url from visits where site_id = ? order by id", [sid]):
        data.pages[vid] = url
        data.visit_seq[vid] = seq
        if phase not in phases:
            phases.append(phase)
    data.phases = tuple(phases)
    answered = "service_worker" in {r[1] for r in db.execute("pragma table_info(requests)")}
    data.requests = [Req(*row) for row in db.execute(_REQ_SQL.format(never_sent=_NEVER_SENT if answered else _NEVER_SENT_OLD), [sid])]
    data.cookies = [CookieWrite(*row) for row in db.execute(_COOKIE_SQL, [sid])]
    data.jar = [JarEntry(*row) for row in db.execute(_JAR_SQL, [sid])]
    data.storage = [StorageWrite(*row[:13], _json(row[13], [])) for row in db.execute(_STORAGE_SQL, [sid])]
    tables = _tables(db)
    if "api_calls" in tables:
        data.api_calls = [ApiCall(*row[:12], _json(row[12], {}), _json(row[13], []))
                          for row in db.execute(_API_SQL, [sid])]
    if "form_fills" in tables:
        data.fills = [Fill(*row) for row in db.execute(_FILL_SQL, [sid])]
    if "page_texts" in tables:
        data.shown = [Shown(*row[:10], _json(row[10], []), _json(row[11], [])) for row in db.execute(_SHOWN_SQL, [sid])]
    for row in db.execute("select phase, method, action, banner_found, cmp, success, verified, time, steps, details, "
                          "error, screenshot_before, screenshot_after, visit_id from consent where site_id = ? order by id", [sid]):
        state = ConsentState(row[0], row[1], row[2], bool(row[3]), row[4], bool(row[5]), bool(row[6]),
                             row[7], row[8] or 0, _json(row[9], {}), row[10], row[11], row[12], row[13])
        data.consent.setdefault(row[0], state)
        data.actions.setdefault(row[0], []).append(state)
    if "gpc_json" in {r[1] for r in db.execute("pragma table_info(sites)")}:  # stores from leakmap 0.2 on
        data.gpc_json = _json(db.execute("select gpc_json from sites where id = ?", [sid]).fetchone()[0], None)
    data.consent_events = [
        {"phase": p, "time": t, "kind": k, "data": _json(d, {})}
        for p, t, k, d in db.execute("select phase, time, kind, data from consent_events where site_id = ? "
                                     "order by time, id", [sid])
    ]
    return data

"""Evidence records: one dataclass per store table.

The crawler fills these; :mod:`leakmap.store` derives the SQLite schema from
them, so the field list here *is* the contract between crawling and analysis.
Times are Unix epoch seconds (float). ``t_consent`` is seconds relative to the
phase's consent action (negative before it, ``None`` when the phase has no
action, i.e. ``baseline``); in a phase that takes several actions (accept, then
withdraw), relative to the last action before the row (the first one for rows
before any). ``before_consent`` is true for everything that happened before any
consent action, which includes the whole baseline phase; ``actions_before`` says
how many of the phase's actions came before the row (0: before consent), which
:meth:`leakmap.phases.Phase.moment` turns into the row's moment.
Site, phase and visit ids are repeated on evidence rows so analysis and
Datasette users can filter without joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Scan:
    """One run of ``leakmap scan`` (or ``check``, ``demo``)."""

    id: int | None = None
    key: str = ""  # unique across machines: ``leakmap merge`` recognises a scan it already has
    started_at: float = 0.0
    finished_at: float | None = None
    status: str = "running"  # running, complete, interrupted
    leakmap_version: str = ""
    browser: str = ""  # executable path
    browser_version: str = ""
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class Site:
    """A start URL of a scan; its three phases share the page list."""

    id: int | None = None
    scan_id: int | None = None
    start_url: str = ""
    domain: str = ""  # registrable domain of the start URL
    final_url: str | None = None
    status: str = "pending"  # pending, running, done, failed
    started_at: float | None = None
    finished_at: float | None = None
    pages: list[str] = field(default_factory=list)  # the page list every phase visits
    # /.well-known/gpc.json as fetched once, when a phase sends GPC: {"url", "status", "json" | "error"}
    gpc_json: dict[str, Any] | None = None


@dataclass
class Visit:
    """One page load in one phase."""

    id: int | None = None
    site_id: int | None = None
    phase: str = ""
    seq: int = 0  # position in the phase's page list (0: landing page)
    depth: int = 0
    url: str = ""
    final_url: str | None = None
    is_landing: bool = False
    status: str = "ok"  # ok, error, timeout
    http_status: int | None = None
    title: str | None = None
    started_at: float = 0.0
    ended_at: float | None = None
    consent_time: float | None = None  # the phase's (first) consent action, when taken


@dataclass
class Evidence:
    """Columns shared by everything observed during a visit."""

    visit_id: int | None = None
    site_id: int | None = None
    phase: str = ""
    time: float = 0.0
    before_consent: bool = True
    t_consent: float | None = None
    actions_before: int = 0  # how many of the phase's consent actions happened before it

    def stamp(self, consent_time: float | None, later: Sequence[float] = ()) -> None:
        """Set the consent-relative fields from the times of the phase's consent actions taken so
        far: the first (``consent_time``) and the ``later`` ones, in order."""
        if consent_time is None:
            self.before_consent, self.t_consent, self.actions_before = True, None, 0
            return
        times = [consent_time, *later]
        self.actions_before = sum(1 for t in times if round(self.time - t, 4) >= 0)
        self.before_consent = self.actions_before == 0
        self.t_consent = round(self.time - times[max(0, self.actions_before - 1)], 4)


@dataclass
class RequestRecord(Evidence):
    """A network request from any frame, worker or redirect hop of the page."""

    cdp_id: str = ""
    url: str = ""
    host: str = ""
    method: str = "GET"
    resource_type: str = ""
    target_type: str = "page"  # page, iframe, worker, service_worker, shared_worker
    frame_id: str | None = None
    frame_url: str | None = None
    is_navigation: bool = False
    status: int | None = None  # None: never answered
    mime_type: str | None = None
    remote_ip: str | None = None
    from_cache: bool = False  # answered by the browser's cache (disk, memory, prefetch) or a service worker
    # answered by the page's service worker: how it made the answer (Chromium's words: "network"
    # when it fetched it, then its own request is recorded too; "cache-storage", "http-cache", or
    # "fallback-code": made up by the worker itself, never sent); None: not answered by one
    service_worker: str | None = None
    failed: str | None = None  # net error text when the request did not complete
    # still open when the visit left the page: no answer yet (status None), or answered but its body
    # not finished (an event stream, a long download, an open websocket, a body the page never
    # read); never waited out
    still_open: bool = False
    redirect_from: str | None = None  # URL of the hop that redirected here
    request_headers: dict[str, str] = field(default_factory=dict)
    # request_headers are what the network stack sent (DevTools' extra info). Else they are the
    # page's view of them plus every header leakmap made the browser add (Sec-GPC): the network
    # stack's report never came (a beacon sent while its page closed) or nothing left (from_cache)
    raw_headers: bool = False
    response_headers: dict[str, str] = field(default_factory=dict)
    post_data: str | None = None  # capped; post_data_sha256 covers the whole body
    post_data_size: int | None = None
    post_data_sha256: str | None = None
    initiator_type: str | None = None  # parser, script, preload, other, ...
    initiator_url: str | None = None  # the script (or document) that caused it
    initiator_stack: list[str] = field(default_factory=list)  # script URLs, innermost first
    source: str = "network"  # network: DevTools protocol; js: seen only by a JS hook (beacon on page hide)


@dataclass
class CookieRecord(Evidence):
    """A cookie write: a Set-Cookie header line or a ``document.cookie`` assignment."""

    origin: str = "http"  # http (Set-Cookie) or js (document.cookie)
    url: str = ""  # response URL, or document URL for js writes
    host: str = ""
    name: str = ""
    value: str = ""
    domain: str | None = None  # Domain attribute as written (None: host-only)
    path: str | None = None
    expires: str | None = None  # raw Expires attribute
    max_age: int | None = None  # raw Max-Age attribute
    lifetime: float | None = None  # seconds asked for by the raw attributes; None = session cookie
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    partitioned: bool = False
    raw: str = ""
    script_url: str | None = None  # writing script, for js writes
    # the code that carried the write out for script_url when that was not the script itself: a
    # web-worker proxy's page-side code (Partytown's sandbox) running a tag's document.cookie
    via: str | None = None
    blocked: str | None = None  # the browser's reasons for refusing it, if it did


@dataclass
class JarCookie:
    """A cookie in the profile's jar at a moment (expiry as stored: Chromium caps it)."""

    visit_id: int | None = None
    site_id: int | None = None
    phase: str = ""
    moment: str = ""  # before-consent, after-consent, before-withdraw, after-withdraw, end
    time: float = 0.0
    name: str = ""
    value: str = ""
    domain: str = ""
    path: str = "/"
    expires: float | None = None
    http_only: bool = False
    secure: bool = False
    same_site: str | None = None
    partition_key: str | None = None


@dataclass
class StorageRecord(Evidence):
    """A localStorage / sessionStorage write."""

    kind: str = "local"  # local or session
    origin: str = ""
    frame_url: str = ""
    op: str = "set"  # set, remove, clear
    key: str | None = None
    value: str | None = None
    script_url: str | None = None
    stack: list[str] = field(default_factory=list)
    via: str | None = None  # as for cookies: the proxy code that carried the write out for script_url


@dataclass
class ConsentRecord:
    """What one consent step of a phase found and did: one row per action (the landing page's
    answer; a phase that withdraws consent has a second row, action ``withdraw``, whose
    ``details`` say how the choice was reopened and whose ``steps`` count that click too)."""

    site_id: int | None = None
    visit_id: int | None = None
    phase: str = ""
    time: float | None = None  # when the action was taken
    method: str = "none"  # autoconsent, selector, heuristic, none
    action: str = "none"  # accept, reject, withdraw (a later action of its phase: a second row), none
    banner_found: bool = False
    cmp: str | None = None
    success: bool = False  # the click (or CMP call) went through
    verified: bool = False  # banner gone and a consent record changed
    steps: int = 0  # clicks it took
    details: dict[str, Any] = field(default_factory=dict)
    screenshot_before: str | None = None
    screenshot_after: str | None = None
    error: str | None = None


@dataclass
class ConsentEvent:
    """A message or milestone from the consent engine."""

    site_id: int | None = None
    visit_id: int | None = None
    phase: str = ""
    time: float = 0.0
    kind: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ErrorRecord:
    """Something that went wrong; the scan goes on."""

    site_id: int | None = None
    visit_id: int | None = None
    phase: str | None = None
    time: float = 0.0
    kind: str = ""  # invalid-url, navigation, http-error, timeout, dialog, popup, download, collector, crash, ...
    message: str = ""
    url: str | None = None


@dataclass
class Screenshot:
    visit_id: int | None = None
    site_id: int | None = None
    phase: str = ""
    time: float = 0.0
    kind: str = ""  # page, banner, before-accept, after-accept, ...
    path: str = ""  # relative to the store's directory


@dataclass
class Finding:
    """A potential violation: the rule that matched and the evidence behind it.

    One finding per fact: the same evidence seen in several phases (a tracker contacted before
    consent in the baseline and before the click of the accept and reject phases) is one finding
    whose ``phases`` lists where it was seen. ``id`` is stable across scans (rule, site, moment,
    registrable domain and the evidence's key, never times or random values), so baselines and
    diffs can match findings; ``legacy_ids`` are the per-phase ids leakmap 0.1 gave the same
    fact (baselines written then still match)."""

    id: str = ""
    scan_id: int | None = None
    site_id: int | None = None
    rule: str = ""
    severity: str = "info"  # high, medium, info
    phase: str | None = None
    domain: str | None = None  # registrable domain of the third party concerned
    entity: str | None = None
    category: str | None = None
    page: str | None = None
    title: str = ""  # one line a person reads
    unverified: bool = False  # the phase's consent action could not be verified
    evidence: dict[str, Any] = field(default_factory=dict)
    moment: str | None = None  # before-consent, after-reject, after-accept, ...; None for site-wide findings
    phases: list[str] = field(default_factory=list)  # every phase the fact was seen in (table order)
    legacy_ids: list[str] = field(default_factory=list)  # per-phase ids of leakmap 0.1 for the same fact


@dataclass
class ApiCallRecord(Evidence):
    """What one script did with one family of fingerprinting APIs in one document, aggregated by the
    page hook (raw counts and capped arguments; whether it is fingerprinting is judged in analysis)."""

    api: str = ""  # canvas, canvas-font, webgl, audio, navigator
    script_url: str | None = None  # the calling script (innermost script URL on the stack)
    frame_url: str = ""
    document: str = ""  # id of the document (one per frame load), to tell reloads apart
    calls: int = 0
    details: dict[str, Any] = field(default_factory=dict)  # counters and capped arguments, per api
    stack: list[str] = field(default_factory=list)  # script URLs of the first call, innermost first


@dataclass
class FormFill(Evidence):
    """A canary value typed into a form field (never submitted), to catch data sent before submission."""

    page_url: str = ""
    frame_url: str = ""
    field: str = ""  # email, phone, name, given-name, family-name
    value: str = ""  # what the field held after the typing, read back (when it could not be: what was typed)
    typed: str = ""  # the keys leakmap typed: the canary, or its beginning when the typing was cut short
    selector: str = ""  # a CSS path to the input
    input_type: str | None = None
    input_name: str | None = None
    autocomplete: str | None = None


@dataclass
class PageText(Evidence):
    """What a frame of a loaded page showed, as a visitor reads it (raw, capped; judged in
    analysis): its visible text, its links and its toggles. Recorded in the phases that send
    Global Privacy Control, where a site must show whether it honoured the signal."""

    page_url: str = ""
    frame_url: str = ""
    text: str = ""  # the visible text (innerText, open shadow roots included), capped
    links: list[dict[str, Any]] = field(default_factory=list)  # {"text", "href", "label"} of visible links and buttons
    controls: list[dict[str, Any]] = field(default_factory=list)  # {"label", "checked", "role"} of visible toggles


@dataclass
class DeclarationRecord:
    """What a site publishes about the cookies it uses, as the page holds it: judged in analysis
    (:mod:`leakmap.declaration`), never at crawl time.

    ``kind`` says what the row holds: ``cmp``, a consent platform's configuration read from the
    landing page (``source`` names the platform; ``content`` is that configuration serialised to
    JSON, regular expressions as ``{"$regexp": source, "flags": flags}``, functions left out);
    ``links``, the links to a cookie or privacy policy the landing page shows (``details``:
    ``links`` with ``url``, ``text``, ``where``), written even when there is none, so analysis
    knows the search ran; ``policy-page``, one such page as its server sent it (``content``: the
    HTML; ``status``; ``error`` when it could not be fetched)."""

    site_id: int | None = None
    visit_id: int | None = None  # the visit it was read on (None: fetched outside the phases)
    phase: str | None = None
    time: float = 0.0
    kind: str = ""  # cmp, links, policy-page
    source: str = ""  # cmp: klaro, vanilla-cookieconsent, tarteaucitron, onetrust, cookiebot, osano, tcf
    url: str = ""  # the page it was read on, or the policy page
    content: str = ""  # JSON (cmp) or HTML (policy-page), capped
    status: int | None = None  # HTTP status of a fetched policy page
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def columns(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]

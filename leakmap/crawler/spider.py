"""The audit spider: per site, discover the page list once, then walk it in every phase.

Flow per site: the lead phase (``baseline`` normally) visits the landing
page while robots.txt / sitemap.xml are fetched; once both are in (and, for
``--depth`` > 1, deeper pages were read for links) the page list is fixed;
then every phase walks it in order, one page at a time in its own profile,
phases of a site and sites in parallel up to ``--concurrency``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request
from twisted.python.failure import Failure

from leakmap.blocklists import registrable_domain
from leakmap.crawler import discovery, pace
from leakmap.crawler.collectors.declaration import MAX_CONTENT
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.handler import FETCH, JOB, OUTCOME
from leakmap.crawler.session import BrowserGone
from leakmap.crawler.visit import VisitJob, VisitOutcome
from leakmap.phases import PHASE_OF
from leakmap.records import DeclarationRecord, ErrorRecord

MAX_SITEMAPS = 5
MAX_PHASE_RESTARTS = 2
MAX_DEPTH_FETCHES = 20


@dataclass
class VisitItem:
    outcome: VisitOutcome


@dataclass
class SiteItem:
    site_id: int
    values: dict[str, Any]


@dataclass
class ErrorItem:
    record: ErrorRecord


@dataclass
class RecordItem:
    """A record made outside any visit (a policy page the landing page links to)."""

    record: Any


@dataclass
class PurgeItem:
    """Drop what a phase stored so far: it runs again from its landing page."""

    site_id: int
    phase: str


@dataclass
class SitePlan:
    site_id: int
    start_url: str
    domains: list[str]  # registrable domains that are this site (the start URL's, --first-party)
    order: int = 0
    pages: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    sitemap: list[str] = field(default_factory=list)
    waiting: set[str] = field(default_factory=set)
    sitemaps_read: int = 0
    depth_reached: int = 1
    started: float | None = None  # when its first visit began (wall clock): sites queued behind others wait free
    stopped: bool = False
    phases_done: set[str] = field(default_factory=set)
    restarts: dict[str, int] = field(default_factory=dict)


class AuditSpider(scrapy.Spider):
    name = "leakmap"

    def __init__(self, plans: list[SitePlan], config: ScanConfig, **kwargs: Any):
        super().__init__(**kwargs)
        self.plans = {plan.site_id: plan for plan in plans}
        self.config = config
        # the lead phase visits the landing page before the page list is known: one whose actions all
        # happen there, when there is one (a later action's page depends on the list's length)
        self.lead = next((p for p in config.phases if not PHASE_OF[p].later), config.phases[0])

    # -- requests -------------------------------------------------------------
    def _visit(self, plan: SitePlan, phase: str, seq: int) -> Request:
        url = plan.pages[seq] if plan.pages else plan.start_url
        last = bool(plan.pages) and seq == len(plan.pages) - 1
        consent = PHASE_OF[phase].action if seq == 0 else None
        pages = len(plan.pages) or self.config.pages  # the lead's landing visit: the list is not known yet
        job = VisitJob(plan.site_id, phase, seq, url, depth=0 if seq == 0 else 1, last=last, consent=consent,
                       later=PHASE_OF[phase].later_on(seq, pages), declaration=phase == self.lead and seq == 0,
                       attempt=plan.restarts.get(phase, 0))
        return Request(url, callback=self.on_visit, errback=self.on_visit_error,
                       meta={JOB: job, "handle_httpstatus_all": True}, priority=-plan.order)

    def _fetch(self, plan: SitePlan, url: str, kind: str, depth: int = 1) -> Request:
        return Request(url, callback=self.on_fetch, errback=self.on_fetch_error, dont_filter=kind == "policy",
                       meta={FETCH: True, "site_id": plan.site_id, "kind": kind, "depth": depth, "raw": kind == "policy",
                             "handle_httpstatus_all": True}, priority=-plan.order + 1)

    async def start(self):
        for plan in self.plans.values():
            for item in self._site_start(plan):
                yield item

    def _site_start(self, plan: SitePlan):
        yield SiteItem(plan.site_id, {"status": "running", "started_at": time.time()})
        if plan.pages:  # resumed: the page list is known, some phases may be done
            todo = [p for p in self.config.phases if p not in plan.phases_done]
            if not todo:
                yield SiteItem(plan.site_id, {"status": "done", "finished_at": time.time()})
            for phase in todo:
                yield self._visit(plan, phase, 0)
            return
        plan.waiting = {"landing", "robots"}
        yield self._visit(plan, self.lead, 0)
        yield self._fetch(plan, discovery.site_root(plan.start_url) + "robots.txt", "robots")
        if any(PHASE_OF[p].gpc for p in self.config.phases):  # the site's own GPC statement, once per site
            yield self._fetch(plan, discovery.site_root(plan.start_url) + discovery.GPC_JSON, "gpc")

    # -- visits ---------------------------------------------------------------
    def on_visit(self, response):
        outcome: VisitOutcome = response.meta[OUTCOME]
        job = outcome.job
        plan = self.plans[job.site_id]
        if plan.started is None or outcome.visit.started_at < plan.started:
            plan.started = outcome.visit.started_at
        yield VisitItem(outcome)
        if job.declaration:  # the cookie or privacy policy pages it links to, as their server sends them
            for record in outcome.evidence:
                if isinstance(record, DeclarationRecord) and record.kind == "links":
                    for url in record.details.get("policy_pages") or ():
                        yield self._fetch(plan, url, "policy")
        if job.phase == self.lead and job.seq == 0 and not plan.pages:  # the page list comes from here
            if not outcome.reachable:
                plan.stopped = True
                yield SiteItem(plan.site_id, {"status": "failed", "finished_at": time.time()})
                return
            final = outcome.visit.final_url or plan.start_url
            domain = registrable_domain(urlsplit(final).hostname or "")
            if domain and domain not in plan.domains:
                plan.domains.append(domain)  # the site moved (example.fr -> www.example.com)
            plan.links = outcome.links
            yield SiteItem(plan.site_id, {"final_url": final})
            yield from self._discovered(plan, "landing")
            return
        yield from self._next(plan, job)

    def on_visit_error(self, failure: Failure):
        job: VisitJob = failure.request.meta[JOB]
        plan = self.plans[job.site_id]
        if failure.check(BrowserGone):
            yield from self._restart_phase(plan, job, failure)
            return
        yield ErrorItem(ErrorRecord(site_id=job.site_id, phase=job.phase, time=time.time(), kind="visit-failed",
                                    message=f"{failure.type.__name__}: {failure.getErrorMessage()}", url=job.url))
        if job.phase == self.lead and job.seq == 0 and not plan.pages:
            plan.stopped = True
            yield SiteItem(plan.site_id, {"status": "failed", "finished_at": time.time()})
            return
        yield from self._next(plan, job)

    def _restart_phase(self, plan: SitePlan, job: VisitJob, failure: Failure):
        """The browser crashed: the phase's profile (cookies, consent click) is gone, so the phase
        runs again whole on the restarted browser, a limited number of times."""
        count = plan.restarts.get(job.phase, 0)
        # site-level row (no phase): it must survive the purge of the phase it reports on
        yield ErrorItem(ErrorRecord(site_id=job.site_id, time=time.time(), kind="crash", url=job.url,
                                    message=f"{job.phase} phase, page {job.seq + 1}: {failure.getErrorMessage()}"
                                            + ("; the phase starts again" if count < MAX_PHASE_RESTARTS else
                                               f"; given up after {MAX_PHASE_RESTARTS} restarts")))
        if count >= MAX_PHASE_RESTARTS:  # the store shows the phase unfinished: the scan is "incomplete"
            yield from self._phase_done(plan, job.phase)
            return
        plan.restarts[job.phase] = count + 1
        yield PurgeItem(plan.site_id, job.phase)
        yield self._visit(plan, job.phase, 0)

    def _next(self, plan: SitePlan, job: VisitJob):
        if job.last or job.seq + 1 >= len(plan.pages):
            yield from self._phase_done(plan, job.phase)
            return
        # from the site's first visit, not from when it was queued; stretched like a visit's caps on a busy machine
        limit = self.config.site_timeout * pace.measure()
        if plan.started is not None and time.time() - plan.started > limit:
            if not plan.stopped:
                plan.stopped = True
                yield ErrorItem(ErrorRecord(site_id=plan.site_id, time=time.time(), kind="site-timeout",
                                            message=f"the site took longer than {limit:.0f} s (--site-timeout "
                                                    f"{self.config.site_timeout:.0f} s{pace.stretched(limit / self.config.site_timeout)}): "
                                                    "remaining pages not visited"))
            yield from self._phase_done(plan, job.phase)
            return
        yield self._visit(plan, job.phase, job.seq + 1)

    def _phase_done(self, plan: SitePlan, phase: str):
        plan.phases_done.add(phase)
        session = getattr(self.crawler, "leakmap_session", None)
        if session is not None and (plan.site_id, phase) in session.phases:  # ended early: drop the profile now
            asyncio.get_running_loop().create_task(session.end_phase(plan.site_id, phase))
        if plan.phases_done >= set(self.config.phases):
            yield SiteItem(plan.site_id, {"status": "done", "finished_at": time.time()})

    # -- discovery ------------------------------------------------------------
    def on_fetch(self, response):
        plan = self.plans[response.meta["site_id"]]
        kind = response.meta["kind"]
        fetched = response.meta[FETCH]
        if kind == "robots":
            sitemaps = discovery.robots_sitemaps(fetched.text, response.url) if fetched.status == 200 else []
            sitemaps = sitemaps or [discovery.site_root(plan.start_url) + "sitemap.xml"]
            plan.waiting.discard("robots")
            for url in sitemaps[:MAX_SITEMAPS]:
                plan.waiting.add(f"sitemap:{url}")
                yield self._fetch(plan, url, "sitemap")
        elif kind == "sitemap":
            plan.waiting.discard(f"sitemap:{response.url}")
            if fetched.status == 200:
                kind_, locations = discovery.parse_sitemap(fetched.text.encode("utf-8"))
                if kind_ == "sitemapindex" and plan.sitemaps_read < MAX_SITEMAPS:
                    for url in locations[: MAX_SITEMAPS - plan.sitemaps_read]:
                        plan.sitemaps_read += 1
                        plan.waiting.add(f"sitemap:{url}")
                        yield self._fetch(plan, url, "sitemap")
                elif kind_ == "urlset":
                    plan.sitemap.extend(locations)
        elif kind == "links":
            plan.waiting.discard(f"links:{response.url}")
            if fetched.status < 400:
                plan.links.extend(discovery.links_in(fetched.text, response.url))
        elif kind == "gpc":
            yield SiteItem(plan.site_id, {"gpc_json": discovery.gpc_statement(fetched)})
            return
        elif kind == "policy":
            yield RecordItem(_policy_page(plan.site_id, response.request.url, fetched))
            return
        yield from self._discovered(plan, None)

    def on_fetch_error(self, failure: Failure):
        plan = self.plans[failure.request.meta["site_id"]]
        kind = failure.request.meta["kind"]
        if kind == "gpc":
            yield SiteItem(plan.site_id, {"gpc_json": {"url": failure.request.url, "status": 0,
                                                       "error": failure.getErrorMessage()}})
            return
        if kind == "policy":
            yield RecordItem(DeclarationRecord(site_id=plan.site_id, time=time.time(), kind="policy-page",
                                               url=failure.request.url, status=0, error=failure.getErrorMessage()))
            return
        plan.waiting.discard("robots" if kind == "robots" else f"{kind}:{failure.request.url}")
        yield from self._discovered(plan, None)

    def _discovered(self, plan: SitePlan, done: str | None):
        """Once nothing is awaited, fix the page list and start the phases."""
        if done:
            plan.waiting.discard(done)
        if plan.waiting or plan.pages or plan.stopped:
            return
        landing = plan.start_url
        pages = discovery.choose_pages(landing, [plan.links, plan.sitemap], self.config.pages, plan.domains)
        if len(pages) < self.config.pages and plan.depth_reached < self.config.depth:
            plan.depth_reached += 1
            for url in pages[1:][:MAX_DEPTH_FETCHES]:
                plan.waiting.add(f"links:{url}")
                yield self._fetch(plan, url, "links", plan.depth_reached)
            if plan.waiting:
                return
        plan.pages = pages
        yield SiteItem(plan.site_id, {"pages": pages})
        missed = [a.name for a in PHASE_OF[self.lead].later if a.seq(len(pages)) == 0 and a.seq(self.config.pages)]
        if missed:  # the lead's landing visit could not know the list would be this short
            yield ErrorItem(ErrorRecord(
                site_id=plan.site_id, phase=self.lead, time=time.time(), kind="action-skipped", url=plan.start_url,
                message=f"the {self.lead} phase's {', '.join(missed)} was due on a later page but the site has one "
                        "page: scan it with --pages 1, or with another phase first (e.g. --phases baseline,"
                        f"{self.lead})"))
        if len(pages) > 1:
            yield self._visit(plan, self.lead, 1)
        else:
            yield from self._phase_done(plan, self.lead)
        for phase in self.config.phases:
            if phase != self.lead:
                yield self._visit(plan, phase, 0)


def _policy_page(site_id: int, url: str, fetched: Any) -> DeclarationRecord:
    """A policy page as its server sent it (HTML only: a PDF or an image is recorded without content)."""
    html = "html" in (fetched.content_type or "text/html").lower()
    return DeclarationRecord(
        site_id=site_id, time=time.time(), kind="policy-page", url=url, status=fetched.status,
        content=fetched.text[:MAX_CONTENT] if html and not fetched.error else "",
        error=fetched.error or (None if html else f"not an HTML page ({fetched.content_type})"),
        details={"final_url": fetched.url} if fetched.url != url else {})

"""The lifecycle of one page visit in one phase.

new page -> collectors attached -> navigate -> settle -> scroll -> settle
-> [landing page of accept/reject: banner screenshot, consent action,
verification, reload, settle] -> [the page of a later action (withdraw):
the same, once the page was browsed] -> leave the page (so ``pagehide``
beacons are sent and recorded) -> jar snapshot -> close -> records stamped
with their time relative to the phase's consent actions.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from leakmap.crawler import consent
from leakmap.crawler.cdp import Connection
from leakmap.crawler.collectors.base import Collector, VisitContext
from leakmap.crawler.collectors.clicks import ClickCollector
from leakmap.crawler.collectors.cookies import CookieCollector
from leakmap.crawler.collectors.declaration import DeclarationCollector
from leakmap.crawler.collectors.fingerprint import FingerprintCollector
from leakmap.crawler.collectors.forms import FormsCollector
from leakmap.crawler.collectors.network import NetworkCollector
from leakmap.crawler.collectors.page_events import PageEventsCollector
from leakmap.crawler.collectors.page_text import PageTextCollector
from leakmap.crawler.collectors.screenshots import ScreenshotCollector
from leakmap.crawler.collectors.storage import StorageCollector
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.consent.engine import AutoconsentEngine
from leakmap.crawler.errors import describe_navigation_error
from leakmap.crawler.gpc import signal_for
from leakmap.crawler.recorder import PageRecorder
from leakmap.crawler.settle import drain, settle
from leakmap.phases import PHASE_OF
from leakmap.records import ConsentRecord, Evidence, Visit

_LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)
  .filter(h => h.startsWith('http')).slice(0, 2000)"""
# Collectors that need nothing from the visit but the lifecycle hooks; the core ones above are
# created by name because the visit steps call them (settle, jar snapshots, screenshots, errors).
EXTRA_COLLECTORS: list[type[Collector]] = [StorageCollector, FingerprintCollector, DeclarationCollector, FormsCollector,
                                             PageTextCollector]
_SCROLL_STEP = 700
_MAX_SCROLL_STEPS = 15


@dataclass
class VisitJob:
    site_id: int
    phase: str
    seq: int
    url: str
    depth: int = 0
    last: bool = False  # last page of the phase: its profile is dropped afterwards
    consent: str | None = None  # "accept" / "reject" on the landing visit of those phases
    later: tuple[str, ...] = ()  # the phase's later actions taken on this page, in order ("withdraw")
    declaration: bool = False  # read the site's cookie declaration here (the lead phase's landing page)
    attempt: int = 0  # how many times the phase was restarted after a browser crash

    @property
    def key(self) -> str:
        return f"s{self.site_id}-{self.phase}-{self.seq}"


@dataclass
class PhaseState:
    """What persists between the visits of one phase: the profile and the times of its consent
    actions taken so far (the deciding click of each, in order)."""

    context: BrowserContext
    times: list[float] = field(default_factory=list)
    landing: str | None = None  # the landing page as loaded: where a visitor looks for controls the page lacks

    @property
    def consent_time(self) -> float | None:
        """The phase's first consent action."""
        return self.times[0] if self.times else None


@dataclass
class VisitOutcome:
    job: VisitJob
    visit: Visit
    evidence: list[Any] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    html: str = ""
    consent: ConsentRecord | None = None
    later: list[ConsentRecord] = field(default_factory=list)  # the phase's later actions taken on this page
    extra: list[Any] = field(default_factory=list)  # records made by visit steps (not collectors)
    reachable: bool = True  # False when not even the first response arrived


async def _scroll(page: Page) -> None:
    """Wheel down the page like a reader, for lazy loaders and scroll-triggered tags."""
    try:
        height = await page.evaluate("() => document.documentElement.scrollHeight")
        steps = min(_MAX_SCROLL_STEPS, max(1, int(height) // _SCROLL_STEP))
        for _ in range(steps):
            await page.mouse.wheel(0, _SCROLL_STEP)
    except PlaywrightError:
        pass


async def run_visit(job: VisitJob, phase: PhaseState, cdp: Connection, config: ScanConfig,
                    identity: dict[str, Any] | None = None) -> VisitOutcome:
    vc = VisitContext(config, job.site_id, job.phase, job.url, config.output_dir, job.key, context=phase.context,
                      landing=job.seq == 0, action=job.consent, later=job.later, declaration=job.declaration)
    network = NetworkCollector(vc)
    cookies = CookieCollector(vc)
    events = PageEventsCollector(vc)
    shots = ScreenshotCollector(vc)
    engine = AutoconsentEngine(vc)
    clicks = ClickCollector(vc)
    others = [cls(vc) for cls in EXTRA_COLLECTORS]
    recorder = PageRecorder(cdp, [network, cookies, events, shots, engine, clicks, *others], identity=identity,
                            signal=signal_for(PHASE_OF[job.phase].gpc))
    visit = Visit(site_id=job.site_id, phase=job.phase, seq=job.seq, depth=job.depth, url=job.url,
                  is_landing=job.seq == 0, started_at=time.time())
    outcome = VisitOutcome(job=job, visit=visit)

    fixed_due = [True]  # reference mode: one fixed sleep per page load, no other wait

    async def quiet(cap: float = config.settle_cap, load: bool = False) -> bool:
        if config.fixed_wait is not None:  # what a fixed-sleep crawler (WEC: 3 s) does, for benchmarks
            if fixed_due[0] or load:
                fixed_due[0] = False
                await asyncio.sleep(config.fixed_wait)
            return True
        return await settle(page, network, config.quiet_window, cap)

    page = await phase.context.new_page()
    vc.page = page
    page.set_default_timeout(config.navigation_timeout * 1000)
    try:
        await recorder.attach(page)
        async with asyncio.timeout(config.page_timeout):
            landing = job.seq == 0
            await _load(page, job, visit, outcome, events, quiet, config, settle=landing)
            if outcome.reachable and landing:  # the banner as it shows, before any scrolling
                phase.landing = page.url
                await recorder.loaded(page)
                if job.consent:  # some banners take scrolling as consent
                    outcome.consent = await _consent_step(page, job, phase, cookies, engine, shots, clicks, recorder,
                                                          quiet, config, outcome.extra)
                else:
                    if PHASE_OF[job.phase].action is None:
                        outcome.consent = await consent.observe(page, engine, shots)
                    if not (outcome.consent and outcome.consent.screenshot_before):
                        await shots.take("page")
                    await _scroll(page)
                    await quiet()
            elif outcome.reachable:  # scrolled while it loads: one wait covers both
                await _scroll(page)
                await quiet()
                await recorder.loaded(page)
                await quiet()  # returns at once unless filling the forms set something off
                if PHASE_OF[job.phase].verifiable:
                    outcome.extra.append(await consent.recheck(page))
            if outcome.reachable:
                for action in job.later:
                    outcome.later.append(await _later_step(page, action, phase, cookies, shots, clicks, recorder,
                                                           quiet))
            if outcome.reachable:
                outcome.links = await page.evaluate(_LINKS_JS) if job.seq == 0 else []
                visit.title = (await page.title())[:500]
                visit.final_url = page.url
                outcome.html = await page.content()
    except TimeoutError:
        visit.status = "timeout"
        events.add("timeout", f"the visit did not finish within {config.page_timeout:.0f} s (--page-timeout)", job.url)
    except PlaywrightError as exc:
        visit.status = "error"
        events.add("crash" if events.crashed else "browser", describe_navigation_error(exc), job.url)
    finally:
        await _leave(page, network, cookies, events, recorder, config)
    visit.ended_at = time.time()
    visit.consent_time = phase.consent_time
    outcome.evidence = _stamp([*recorder.records(), *filter(None, outcome.extra)], job, phase.times)
    for record in filter(None, [outcome.consent, *outcome.later]):
        record.site_id, record.phase = job.site_id, job.phase
        outcome.evidence.append(record)
    return outcome


async def _load(page, job, visit, outcome, events, quiet, config, settle: bool) -> None:
    try:
        response = await page.goto(job.url, wait_until="load")
    except PlaywrightTimeout:
        # a page that never finishes loading is still audited for what it did meanwhile
        events.add("timeout", f"the page did not finish loading within {config.navigation_timeout:.0f} s", job.url)
        visit.status = "timeout"
        await quiet(cap=min(config.settle_cap, 3))
        return
    except PlaywrightError as exc:
        outcome.reachable = False
        visit.status = "error"
        events.add("navigation", describe_navigation_error(exc), job.url)
        return
    if response is not None:
        visit.http_status = response.status
        if response.status >= 400:
            visit.status = "error"
            events.add("http-error", f"HTTP {response.status} {response.status_text}".strip(), response.url)
        ctype = (await response.all_headers()).get("content-type", "")
        if ctype and "html" not in ctype:
            events.add("not-html", f"the page is not HTML ({ctype.split(';')[0]})", response.url)
    if settle:
        await quiet()


async def _consent_step(page, job, phase, cookies, engine, shots, clicks, recorder, quiet, config,
                        extra) -> ConsentRecord:
    await cookies.snapshot("before-consent")
    record = await consent.perform(page, job.consent, config, engine, quiet, shots, clicks)
    if record.time is not None:
        phase.times.append(record.time)
        await cookies.snapshot("after-consent")
        await _reload(page, recorder, quiet)
        extra.append(await consent.recheck(page))  # a choice that did not stick shows the banner again
    await _scroll(page)
    await quiet()
    return record


async def _reload(page, recorder, quiet, url: str | None = None) -> None:
    """The choice applies from the next load on, as for a visitor who clicks then browses (back on
    ``url`` when the action took the visitor to another page: a withdrawal made elsewhere)."""
    try:
        if url is not None and url.split("#")[0] != page.url.split("#")[0]:
            await page.goto(url, wait_until="load")
        else:
            await page.reload(wait_until="load")
    except PlaywrightTimeout:
        pass
    await quiet(load=True)
    await recorder.loaded(page)


async def _later_step(page, action, phase, cookies, shots, clicks, recorder, quiet) -> ConsentRecord:
    """A later consent action of the phase (``withdraw``) on the page just browsed: taken only when
    the phase's first action happened (nothing given, nothing to withdraw), then the page is
    reloaded and browsed again under the new choice."""
    if not phase.times:
        return ConsentRecord(action=action, error=f"not attempted: no earlier consent action of the phase happened "
                                                  f"(nothing to {action})", details={"attempted": False})
    await cookies.snapshot(f"before-{action}")
    here = page.url
    record = await consent.LATER_ACTIONS[action](page, quiet, shots, clicks, landing=phase.landing)
    if record.time is not None and record.success:
        phase.times.append(record.time)
        await cookies.snapshot(f"after-{action}")
        await _reload(page, recorder, quiet, here)
        await _scroll(page)
        await quiet()
    return record


async def _leave(page: Page, network: NetworkCollector, cookies: CookieCollector, events: PageEventsCollector,
                 recorder: PageRecorder, config: ScanConfig) -> None:
    """Close the page the way a visitor leaves it: unload handlers run (``pagehide``,
    ``visibilitychange``) and the beacons they send are recorded. (Navigating away instead
    loses them: the DevTools session moves to the new document before the old one unloads.)"""
    await events.close_popups()
    try:
        if not page.is_closed():
            async with page.expect_event("close", timeout=5000):
                await page.close(run_before_unload=True)
    except PlaywrightError:  # a beforeunload handler kept it open
        try:
            await page.close()
        except PlaywrightError:
            pass
    await drain(network, min(config.quiet_window, 0.3), cap=2, gone=recorder.page_gone)
    try:
        await cookies.snapshot("end")
    except PlaywrightError:
        pass
    await recorder.finish()
    await recorder.detach()


def _stamp(records: list[Any], job: VisitJob, times: list[float]) -> list[Any]:
    for record in records:
        if hasattr(record, "phase"):
            record.phase = job.phase
        if hasattr(record, "site_id"):
            record.site_id = job.site_id
        if isinstance(record, Evidence):
            record.stamp(times[0] if times else None, times[1:])
    return records

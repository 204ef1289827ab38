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
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from leakmap.crawler import consent, pace
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
    reachable: bool = True  # False when not even the first response arrived, or the page never answered


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
    pace.begin_visit()
    budget = pace.Budget(pace.stretch(config.page_timeout))
    signal = signal_for(PHASE_OF[job.phase].gpc)
    vc = VisitContext(config, job.site_id, job.phase, job.url, config.output_dir, job.key, context=phase.context,
                      landing=job.seq == 0, action=job.consent, later=job.later, declaration=job.declaration,
                      headers=dict(signal.headers) if signal else {})
    network = NetworkCollector(vc)
    cookies = CookieCollector(vc)
    events = PageEventsCollector(vc)
    shots = ScreenshotCollector(vc)
    engine = AutoconsentEngine(vc)
    clicks = ClickCollector(vc)
    others = [cls(vc) for cls in EXTRA_COLLECTORS]
    recorder = PageRecorder(cdp, [network, cookies, events, shots, engine, clicks, *others], identity=identity,
                            signal=signal)
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
        return await settle(page, network, pace.stretch(config.quiet_window), budget.share(pace.stretch(cap)), recorder)

    page = await phase.context.new_page()
    vc.page = page
    vc.budget = budget
    page.set_default_timeout(pace.stretch(config.navigation_timeout) * 1000)
    try:
        await recorder.attach(page)
        async with asyncio.timeout(budget.left()):
            landing = job.seq == 0
            await _load(page, job, visit, outcome, events, quiet, config, budget, settle=landing)
            if outcome.reachable:  # what the page holds, read at once: the steps below may run out of time
                with contextlib.suppress(PlaywrightError):
                    await _read(page, outcome, links=landing)
            if outcome.reachable and landing:  # the banner as it shows, before any scrolling
                phase.landing = page.url
                await recorder.loaded(page)
                if job.consent:  # some banners take scrolling as consent
                    outcome.consent = await _consent_step(page, job, phase, cookies, engine, shots, clicks, recorder,
                                                          quiet, config, outcome.extra, budget)
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
                                                           quiet, budget))
            if outcome.reachable:
                await _read(page, outcome, links=landing, html=True)
    except TimeoutError:
        visit.status = "timeout"
        events.add("timeout", f"the visit did not finish within {budget.seconds:.0f} s (--page-timeout "
                   f"{config.page_timeout:.0f} s{pace.stretched(budget.seconds / config.page_timeout)})", job.url)
    except PlaywrightError as exc:
        visit.status = "error"
        events.add("crash" if events.crashed else "browser", describe_navigation_error(exc), job.url)
    finally:
        await _leave(page, network, cookies, events, recorder, config,
                     unfinished=outcome.reachable and visit.status != "timeout" and not events.crashed)
    visit.ended_at = time.time()
    visit.consent_time = phase.consent_time
    outcome.evidence = _stamp([*recorder.records(), *filter(None, outcome.extra)], job, phase.times)
    for record in filter(None, [outcome.consent, *outcome.later]):
        record.site_id, record.phase = job.site_id, job.phase
        outcome.evidence.append(record)
    return outcome


async def _responsive(page: Page) -> bool:
    try:
        await asyncio.wait_for(page.evaluate("1"), pace.stretch(2))
        return True
    except (PlaywrightError, TimeoutError):
        return False


async def _read(page: Page, outcome: VisitOutcome, links: bool, html: bool = False) -> None:
    """Links (landing page), title, final URL and, at the end, the HTML: read as soon as the page
    is there (a failure then is left to the steps that follow), again when the visit is done
    (what the steps in between added)."""
    if links:
        outcome.links = await page.evaluate(_LINKS_JS)
    outcome.visit.title = (await page.title())[:500]
    outcome.visit.final_url = page.url
    if html:
        outcome.html = await page.content()


async def _load(page, job, visit, outcome, events, quiet, config, budget, settle: bool) -> None:
    """Go to the page and wait for ``DOMContentLoaded``, not ``load``: what a visitor sees is there
    by then, and a page whose load event never fires (a subresource the server never finishes,
    a stream) is audited all the same; what still loads goes on while the visit does. The wait
    that follows (``settle``) treats requests left unanswered for long as background."""
    timeout = min(pace.stretch(config.navigation_timeout), budget.left() * 0.7)
    try:
        response = await page.goto(job.url, wait_until="domcontentloaded", timeout=max(1, timeout * 1000))
    except PlaywrightTimeout:
        # not even the document parsed (a busy main thread, a script that never arrives): what it did is kept
        events.add("timeout", f"the page did not reach DOMContentLoaded within {timeout:.0f} s", job.url)
        visit.status = "timeout"
        if not await _responsive(page):  # every later step would wait out the page budget
            outcome.reachable = False
            events.add("unresponsive", "the page's main thread did not answer (a script that never returns): the "
                       "visit ends here, with what the page sent until then", job.url)
            # the renderer reports a page's requests from that thread, after the task that sent them
            events.add("capture-gap", "requests the page started before its main thread stopped answering may have "
                       "reached their servers unrecorded", job.url)
            return
        await quiet(cap=3)
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
        try:
            ctype = (await response.all_headers()).get("content-type", "")
        except PlaywrightError:
            ctype = ""
        if ctype and "html" not in ctype:
            events.add("not-html", f"the page is not HTML ({ctype.split(';')[0]})", response.url)
    if settle:
        await quiet()


async def _consent_step(page, job, phase, cookies, engine, shots, clicks, recorder, quiet, config,
                        extra, budget) -> ConsentRecord:
    await cookies.snapshot("before-consent")
    record = await consent.perform(page, job.consent, config, engine, quiet, shots, clicks)
    if record.time is not None:
        phase.times.append(record.time)
        await cookies.snapshot("after-consent")
        await _reload(page, recorder, quiet, budget)
        extra.append(await consent.recheck(page))  # a choice that did not stick shows the banner again
    await _scroll(page)
    await quiet()
    return record


async def _reload(page, recorder, quiet, budget, url: str | None = None) -> None:
    """The choice applies from the next load on, as for a visitor who clicks then browses (from
    ``DOMContentLoaded``, as on arrival; what the document still had open is stored as open), back
    on ``url`` when the action took the visitor to another page (a withdrawal made elsewhere)."""
    recorder.leaving()
    timeout = max(1, budget.share(budget.left(), 0.5) * 1000)
    try:
        if url is not None and url.split("#")[0] != page.url.split("#")[0]:
            await page.goto(url, wait_until="domcontentloaded", timeout=timeout)
        else:
            await page.reload(wait_until="domcontentloaded", timeout=timeout)
    except PlaywrightTimeout:
        pass
    await quiet(load=True)
    await recorder.loaded(page)


async def _later_step(page, action, phase, cookies, shots, clicks, recorder, quiet, budget) -> ConsentRecord:
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
        await _reload(page, recorder, quiet, budget, here)
        await _scroll(page)
        await quiet()
    return record


async def _leave(page: Page, network: NetworkCollector, cookies: CookieCollector, events: PageEventsCollector,
                 recorder: PageRecorder, config: ScanConfig, unfinished: bool) -> None:
    """Close the page the way a visitor leaves it: unload handlers run (``pagehide``,
    ``visibilitychange``) and the beacons they send are recorded. (Navigating away instead
    loses them: the DevTools session moves to the new document before the old one unloads.)
    What is still open then is stored as open, never waited out; a page whose load event never
    fired says so on its visit."""
    still_open = network.mark_open()
    if unfinished and not await _load_fired(page):
        shown = ", ".join(still_open[:3]) + (", ..." if len(still_open) > 3 else "")
        events.add("load-incomplete", f"the page's load event had not fired when the visit left it "
                   f"({len(still_open)} request(s) still open{': ' + shown if shown else ''}): it was audited "
                   "from DOMContentLoaded, what was open is stored as open", page.url)
    await events.close_popups(pace.stretch(5))
    try:
        if not page.is_closed():
            async with page.expect_event("close", timeout=pace.stretch(5) * 1000):
                await page.close(run_before_unload=True)
    except PlaywrightError:  # a beforeunload handler kept it open
        try:
            await page.close()
        except PlaywrightError:
            pass
    await recorder.close_windows(pace.stretch(5))  # those it opened while it was being left
    await drain(network, pace.stretch(min(config.quiet_window, 0.3)), cap=pace.stretch(2), gone=recorder.page_gone)
    try:
        await cookies.snapshot("end")
    except PlaywrightError:
        pass
    await recorder.finish()
    await recorder.detach()


async def _load_fired(page: Page) -> bool:
    """Whether the current document's load event has fired (Playwright keeps each frame's lifecycle)."""
    try:
        await page.wait_for_load_state("load", timeout=pace.stretch(100))  # fired: it returns at once
        return True
    except PlaywrightError:
        return page.is_closed()


def _stamp(records: list[Any], job: VisitJob, times: list[float]) -> list[Any]:
    for record in records:
        if hasattr(record, "phase"):
            record.phase = job.phase
        if hasattr(record, "site_id"):
            record.site_id = job.site_id
        if isinstance(record, Evidence):
            record.stamp(times[0] if times else None, times[1:])
    return records

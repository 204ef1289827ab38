"""Wires one page (and every target it spawns) to the collectors.

The page's target is attached on our own DevTools connection before it
navigates; children (cross-origin iframes, workers, service workers) are
auto-attached *paused*, prepared (domains enabled, instrumentation added) and
only then resumed, so nothing they send escapes. The service workers already
running in the visit's browser context (started by an earlier page of the
phase) are taken over before the page navigates: they handle its navigation
and send on its behalf from its first request on. Events are routed to the
collectors that asked for them; a collector that raises is switched off and
the failure becomes an error row, the others go on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from importlib.resources import files
from typing import Any

from playwright.async_api import Page

from leakmap.crawler.cdp import CHILDREN, CDPError, Connection, Session
from leakmap.crawler.collectors.base import Collector
from leakmap.crawler.gpc import BrowserSignal
from leakmap.crawler.proxied import credit_proxied
from leakmap.records import ErrorRecord

log = logging.getLogger(__name__)

_INSTRUMENT = files("leakmap.crawler").joinpath("instrument.js").read_text()
# One binding name per process: pages cannot look for a fixed global to detect the audit.
BINDING = "__lm" + secrets.token_hex(6)
STATE_KEY = "__LEAKMAP_STATE__"


_WORKERS = ("worker", "service_worker", "shared_worker")
MAX_WINDOWS = 5  # windows a visited page opens that get an error row each; a storm of more gets one row


def instrumentation() -> str:
    return _INSTRUMENT.replace("__LEAKMAP_BINDING__", BINDING)


class PageRecorder:
    def __init__(self, connection: Connection, collectors: list[Collector], identity: dict[str, Any] | None = None,
                 signal: BrowserSignal | None = None):
        self.connection = connection
        self.identity = identity  # Network.setUserAgentOverride params: a headful browser's UA
        self.signal = signal  # what the phase's browser sends on every target (GPC), before anything runs
        self.collectors = collectors
        signal_scripts = (signal.script,) if signal is not None else ()
        self.scripts = (instrumentation(), *signal_scripts, *(s for c in collectors for s in (*c.scripts, c.script) if s))
        # windows the page opens are recorded too, without what only the visited page gets (the consent engine)
        self.popup_scripts = (instrumentation(), *signal_scripts,
                              *(s for c in collectors if c.in_popups for s in (*c.scripts, c.script) if s))
        self.failed: dict[str, str] = {}
        self.context_id = ""  # the browser context of the visited page
        self.sessions: list[Session] = []
        self.windows = 0  # windows the page opened
        self.last_setup = time.monotonic()  # when a target was last let run (its requests follow)
        self._setups: set[asyncio.Task] = set()
        self._by_event: dict[str, list[Collector]] = {}
        self._by_hook: dict[str, list[Collector]] = {}
        for c in collectors:
            for event in c.events:
                self._by_event.setdefault(event, []).append(c)
            for hook in c.hooks:
                self._by_hook.setdefault(hook, []).append(c)

    async def attach(self, page: Page) -> None:
        cdp = await page.context.new_cdp_session(page)
        try:
            info = (await cdp.send("Target.getTargetInfo"))["targetInfo"]
        finally:
            await cdp.detach()
        self.context_id = info.get("browserContextId", "")
        if self.context_id:  # one visit at a time runs in a phase's context
            self.connection.contexts[self.context_id] = self._adopt
        session = await self.connection.attach(info["targetId"], "page", page.url)
        session.handler = self._on_event
        await self._setup(session)
        for worker in self.connection.workers_of(self.context_id):
            worker.handler = self._on_event
            await self._setup(worker)
        for c in self.collectors:
            await self._guard(c, c.on_page(page))

    def _adopt(self, session: Session) -> asyncio.Task:
        """A window opened by the page (or one of its frames), or a shared or service worker started
        in the visit's context, still paused: record it as part of the visit. Every window is kept
        and recorded until the visit leaves, even in a ``window.open`` storm: closing one while it
        is paused wedges the opener's input (typing stalls), and closing it once it runs loses what
        it was still sending."""
        session.handler = self._on_event
        if session.popup:
            self.windows += 1
        return self._schedule_setup(session)

    def _schedule_setup(self, session: Session) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(self._setup(session))
        self._setups.add(task)
        task.add_done_callback(self._setups.discard)
        return task

    async def _setup(self, session: Session) -> None:
        """Prepare a (paused) target, then let it run whatever happens."""
        self.sessions.append(session)
        if session.type in ("page", "iframe"):
            self.connection.openers[session.target_id] = self._adopt
        later: list[asyncio.Future] = []
        try:
            steps: list[Any] = []
            if self.identity:
                steps.append(session.send("Network.setUserAgentOverride", self.identity))
            if session.type in ("page", "iframe"):
                steps.append(session.send("Page.enable"))  # scripts-on-new-document only run with it
                steps.append(session.send("Runtime.enable"))  # bindingCalled events need it
                steps.append(session.send("Runtime.addBinding", {"name": BINDING}))
                steps += [session.send("Page.addScriptToEvaluateOnNewDocument", {"source": s, "runImmediately": True})
                          for s in (self.popup_scripts if session.popup else self.scripts)]
            steps += [self._setup_collector(c, session) for c in self.collectors if session.type in c.target_types]
            if self.signal is not None:  # after the collectors' Network.enable, before the target runs
                steps.append(session.send("Network.setExtraHTTPHeaders", {"headers": self.signal.headers}))
                if session.type in _WORKERS:  # no script on new document there: define it in the paused scope
                    steps.append(session.send("Runtime.evaluate", {"expression": self.signal.script}))
            # initiator stacks through async boundaries (setTimeout, promises) need the debugger on
            steps.append(session.send("Debugger.enable"))
            steps.append(session.send("Debugger.setAsyncCallStackDepth", {"maxDepth": 32}))
            steps.append(session.send("Debugger.setSkipAllPauses", {"skip": True}))
            steps.append(session.send("Target.setAutoAttach", CHILDREN))
            if session.type in ("service_worker", "shared_worker"):
                # a new service or shared worker answers only once it runs, and it runs (its script
                # is even fetched) only after the go-ahead: send everything, in order, then let it go
                later = [asyncio.ensure_future(step) for step in steps]
                await asyncio.sleep(0)
            else:
                self._log_failures(session, await asyncio.gather(*steps, return_exceptions=True))
        finally:
            try:
                await session.send("Runtime.runIfWaitingForDebugger")
            except CDPError:
                pass
            self.last_setup = time.monotonic()
        if later:
            self._log_failures(session, await asyncio.gather(*later, return_exceptions=True))

    @staticmethod
    def _log_failures(session: Session, results: list[Any]) -> None:
        for result in results:
            if isinstance(result, Exception) and not session.detached:
                log.debug("setup of %r: %s", session, result)

    async def _setup_collector(self, collector: Collector, session: Session) -> None:
        try:
            await collector.setup(session)
        except CDPError as exc:  # the target went away while being prepared: nothing to record there
            log.debug("%s setup on %r: %s", collector.name, session, exc)
        except Exception as exc:  # noqa: BLE001 - a bug in the collector: switch it off
            self._fail(collector, exc)

    async def _guard(self, collector: Collector, awaitable: Any) -> None:
        try:
            await awaitable
        except Exception as exc:  # noqa: BLE001 - isolate collectors
            self._fail(collector, exc)

    def _fail(self, collector: Collector, exc: BaseException) -> None:
        if collector.name not in self.failed:
            log.warning("collector %s failed: %s", collector.name, exc)
            self.failed[collector.name] = f"{type(exc).__name__}: {exc}"

    def _on_event(self, session: Session, method: str, params: dict[str, Any]) -> None:
        if method == "Target.attachedToTarget":
            child = self.connection.sessions.get(params.get("sessionId", ""))
            if child is not None:
                self._schedule_setup(child)
            return
        if method == "Runtime.bindingCalled":
            if params.get("name") == BINDING:
                self._on_hook(session, params.get("payload", ""), params.get("executionContextId"))
            return
        for c in self._by_event.get(method, ()):
            if c.name in self.failed:
                continue
            try:
                c.on_event(session, method, params)
            except Exception as exc:  # noqa: BLE001
                self._fail(c, exc)

    def _on_hook(self, session: Session, payload: str, context_id: int | None) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            return
        message["_context"] = context_id  # lets a collector answer in the very frame that spoke
        for c in self._by_hook.get(message.get("t"), ()):
            if c.name in self.failed:
                continue
            try:
                c.on_hook(session, message)
            except Exception as exc:  # noqa: BLE001
                self._fail(c, exc)

    async def loaded(self, page: Page) -> None:
        for c in self.collectors:
            if c.name not in self.failed:
                await self._guard(c, c.on_loaded(page))

    async def close_windows(self, cap: float) -> None:
        """Close every window the page opened that is still open, once those still being set up
        are running (capped): a window opened while the visit was leaving (a storm's last keys)
        is recorded until it closes, never left loading after the recorder is gone."""
        deadline = time.monotonic() + cap
        while self._setups and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for session in self.sessions:
            if session.window and not session.detached:
                try:
                    await self.connection.send("Target.closeTarget", {"targetId": session.target_id}, timeout=cap)
                except CDPError:
                    pass  # closed meanwhile

    def setting_up(self) -> bool:
        """A new target (frame, worker, window) is held paused while it is prepared: what it will
        send has not started yet, so the page is not quiet."""
        return bool(self._setups)

    def leaving(self) -> None:
        for c in self.collectors:
            if c.name not in self.failed:
                try:
                    c.leaving()
                except Exception as exc:  # noqa: BLE001
                    self._fail(c, exc)

    def page_gone(self) -> bool:
        return bool(self.sessions) and self.sessions[0].detached

    async def finish(self) -> None:
        for c in self.collectors:
            await self._guard(c, c.finish())

    async def detach(self) -> None:
        if self.connection.contexts.get(self.context_id) == self._adopt:
            del self.connection.contexts[self.context_id]
        for session in self.sessions:
            session.handler = None
            if not session.kept:  # a service worker stays attached for the next visit of its context
                self.connection.sessions.pop(session.id, None)
            self.connection.openers.pop(session.target_id, None)
        # the page (its frames and workers go with it), and what outlives it: a shared worker
        for session in self.sessions:
            if session.parent is None and not session.detached and not session.kept:
                try:
                    await self.connection.send("Target.detachFromTarget", {"sessionId": session.id}, timeout=3)
                except CDPError:
                    pass

    def records(self) -> list[Any]:
        out: list[Any] = []
        for c in self.collectors:
            if c.name in self.failed:
                continue
            try:
                out.extend(c.records())
            except Exception as exc:  # noqa: BLE001
                self._fail(c, exc)
        for name, message in self.failed.items():
            out.append(ErrorRecord(time=time.time(), kind="collector", message=f"{name}: {message}"))
        credit_proxied(out)
        if self.windows > MAX_WINDOWS:
            out.append(ErrorRecord(time=time.time(), kind="popup", message=(
                f"the page opened {self.windows} windows (a window.open storm): all are recorded with this visit and "
                f"closed when it left; the first {MAX_WINDOWS} are listed one by one")))
        return out

"""Driving DuckDuckGo's autoconsent inside every frame of the page.

The bundle runs in each document's main world (``isMainWorld``); its
outgoing ``autoconsentSendMessage`` is routed through leakmap's own
instrumentation channel (no extra global binding for pages to spot), and
answers go back to the very execution context that spoke, so CMPs inside
iframes work. ``autoAction`` is always null: the engine only detects, and
leakmap decides when to click (after the "before" screenshot) by sending
``optIn`` / ``optOut`` itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from leakmap.crawler import pace
from leakmap.crawler.cdp import CDPError, Session
from leakmap.crawler.collectors.base import Collector
from leakmap.crawler.consent.bundle import load_bundle
from leakmap.records import ConsentEvent

# Routes the bundle's messages through instrument.js's channel (added before the bundle itself).
_WRAPPER = """(() => {
  const s = window[Symbol.for("__LEAKMAP_STATE__")];
  if (!s || window.autoconsentSendMessage) return;
  window.autoconsentSendMessage = (m) => { s.post({ t: "autoconsent", m }); return Promise.resolve(); };
})();"""

CONFIG = {
    "enabled": True,
    "autoAction": None,  # detect only; leakmap sends optIn/optOut when it is ready to
    "disabledCmps": [],
    "enablePrehide": False,  # never hide a banner before it is photographed
    "enableCosmeticRules": True,
    "enableGeneratedRules": True,
    "enableHeuristicDetection": True,
    "detectRetries": 10,  # 5 s of polling: the consent step waits 4 s at most
    "isMainWorld": True,
    "logs": {"lifecycle": False, "rulesteps": False, "detectionsteps": False, "evals": False, "errors": False,
             "messages": False, "waits": False},
}
_EVENTS = ("cmpDetected", "popupFound", "optInResult", "optOutResult", "autoconsentDone", "autoconsentError",
           "selfTestResult")


class AutoconsentEngine(Collector):
    name = "consent-engine"
    hooks = frozenset({"autoconsent"})
    target_types = frozenset()
    in_popups = False  # the banner answered is the visited page's

    def __init__(self, visit):
        super().__init__(visit)
        self.bundle = load_bundle()
        # The engine runs where the banner is answered or observed: landing pages. Later pages of
        # a phase only get a cheap check for a banner that comes back (see leakmap.crawler.consent).
        self.active = self.bundle is not None and visit.landing
        self.scripts = (_WRAPPER, self.bundle.script) if self.active else ()
        self.events: list[ConsentEvent] = []
        self.cmps: list[str] = []
        self.popup: dict[str, Any] | None = None  # {cmp, frame, session, context}
        self.results: dict[str, dict[str, Any]] = {}
        self.top_lifecycle = ""  # the top frame's last reported lifecycle state
        self.started = time.monotonic()
        self._init_json: str | None = None
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()

    @property
    def available(self) -> bool:
        return self.active

    # -- messages from the page -------------------------------------------------------------
    def on_hook(self, session: Session, message: dict[str, Any]) -> None:
        m = message.get("m") or {}
        kind = m.get("type", "")
        context = message.get("_context")
        frame = message.get("frame", "")
        if kind == "init":
            self._send(session, context, self._init_response())
        elif kind == "report":
            state = m.get("state") or {}
            if state.get("lifecycle") and message.get("top"):
                self.top_lifecycle = state["lifecycle"]
        elif kind in _EVENTS:
            data = {k: v for k, v in m.items() if k != "type"}
            data["frame"] = frame
            self.events.append(ConsentEvent(time=message.get("time") or time.time(), kind=kind, data=data))
            if kind == "cmpDetected" and m.get("cmp") not in self.cmps:
                self.cmps.append(m.get("cmp"))
            elif kind == "popupFound" and self.popup is None:
                self.popup = {"cmp": m.get("cmp"), "frame": frame, "session": session, "context": context}
            elif kind in ("optInResult", "optOutResult", "autoconsentDone", "selfTestResult", "autoconsentError"):
                self.results[kind] = data
        self._changed.set()

    def _init_response(self) -> str:
        if self._init_json is None:  # opt-in steps exist only in the full rules
            rules = self.bundle.rules_json if self.visit.action == "accept" else f'{{"compact": {self.bundle.compact_json}}}'
            self._init_json = f'{{"type": "initResp", "config": {json.dumps(CONFIG)}, "rules": {rules}}}'
        return self._init_json

    def _send(self, session: Session, context: int | None, message_json: str) -> None:
        async def send() -> None:
            try:
                await session.send("Runtime.evaluate", {
                    "expression": f"window.autoconsentReceiveMessage && window.autoconsentReceiveMessage({message_json})",
                    "contextId": context, "awaitPromise": False})
            except CDPError:
                pass  # the frame went away

        task = asyncio.get_running_loop().create_task(send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- what the consent step asks ---------------------------------------------------------
    def settled(self, quiet_after: float = 1.0) -> bool:
        """Detection is over: a popup is open, the top frame gave up, or no CMP at all showed up
        within ``quiet_after`` seconds of the page being ready (a CMP that is there is found fast;
        its popup may take longer, so a detected CMP keeps us waiting for it)."""
        if self.popup is not None or self.top_lifecycle == "nothingDetected":
            return True
        return not self.cmps and time.monotonic() - self.started >= pace.stretch(quiet_after)

    async def wait(self, condition, timeout: float) -> bool:
        """Until ``condition()`` holds, or ``timeout`` (for an idle machine: stretched for this one) ends."""
        deadline = time.monotonic() + pace.stretch(timeout)
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._changed.clear()
            try:  # wake up on a message, or soon anyway: conditions may depend on elapsed time
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.1))
            except TimeoutError:
                pass
        return True

    async def on_loaded(self, page) -> None:
        self.started = time.monotonic()  # CMPs present are detected within a second of this

    async def detect(self, timeout: float) -> bool:
        """Wait until a popup is found or detection is over; True when a popup is open."""
        await self.wait(self.settled, timeout)
        return self.popup is not None

    async def act(self, action: str, timeout: float) -> dict[str, Any] | None:
        """Send optIn/optOut to the frame showing the popup; the engine's result, or None on timeout."""
        if self.popup is None:
            return None
        kind = "optInResult" if action == "accept" else "optOutResult"
        self.results.pop(kind, None)
        self.results.pop("autoconsentDone", None)
        self._send(self.popup["session"], self.popup["context"],
                   json.dumps({"type": "optIn" if action == "accept" else "optOut"}))
        if not await self.wait(lambda: kind in self.results, timeout):
            return None
        if self.results[kind].get("result"):
            await self.wait(lambda: "autoconsentDone" in self.results, timeout)
        return self.results[kind]

    async def self_test(self, timeout: float) -> bool | None:
        """The rule's own check that the choice took effect (None when the rule has none)."""
        if self.popup is None or not (self.results.get("optOutResult", {}).get("scheduleSelfTest")
                                      or self.results.get("optInResult", {}).get("scheduleSelfTest")):
            return None
        self.results.pop("selfTestResult", None)
        self._send(self.popup["session"], self.popup["context"], json.dumps({"type": "selfTest"}))
        if not await self.wait(lambda: "selfTestResult" in self.results, timeout):
            return None
        return bool(self.results["selfTestResult"].get("result"))

    def done_clicks(self) -> int | None:
        done = self.results.get("autoconsentDone")
        return done.get("totalClicks") if done else None

    def records(self) -> list[Any]:
        return list(self.events)

"""A small DevTools-protocol client of our own, beside Playwright's.

Why a second connection: Playwright's CDP sessions see only their own target,
so requests of cross-origin iframes, workers and service workers, and
keep-alive beacons sent while a page unloads, never reach them. A flat-mode
connection that auto-attaches to every child target (paused until we have
enabled our domains) sees all of them, the way Tracker Radar Collector does.

Service workers outlive the page that started them: the next page of the site
is controlled by the one already running, which handles its navigation before
the new page's own auto-attach can see it. So this connection attaches every
service worker at the browser level, held before it runs, keeps that session
for the worker's life (:attr:`Connection.workers`), and each visit's recorder
takes over the running service workers of its browser context before its page
navigates. A page's own auto-attach leaves service workers out
(:data:`CHILDREN`): a paused worker runs only once every session holding it
has said go, and one session per worker is enough.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

import websockets

from leakmap.crawler import pace

log = logging.getLogger(__name__)

EventHandler = Callable[["Session", str, dict[str, Any]], None]


class CDPError(Exception):
    """A protocol command failed (target gone, bad params...)."""


class Session:
    """One attached target (page, iframe, worker) on the shared connection."""

    def __init__(self, connection: Connection, session_id: str, target_type: str, target_id: str, url: str):
        self.connection = connection
        self.id = session_id
        self.type = target_type
        self.target_id = target_id
        self.url = url
        self.handler: EventHandler | None = None
        self.parent: Session | None = None
        self.popup = False  # a window a visited page opened (or a frame or worker inside one)
        self.detached = False
        self.kept = False  # a service worker's browser-level session: it outlives the visits it serves
        self.context_id = ""  # the browser context of a kept session

    @classmethod
    def attached(cls, connection: Connection, params: dict[str, Any]) -> Session:
        """The session of a ``Target.attachedToTarget`` event."""
        info = params["targetInfo"]
        return cls(connection, params["sessionId"], info["type"], info["targetId"], info.get("url", ""))

    async def send(self, method: str, params: dict[str, Any] | None = None, timeout: float | None = None) -> dict[str, Any]:
        return await self.connection.send(method, params, session_id=self.id, timeout=timeout)

    @property
    def window(self) -> bool:
        """The top of a window a visited page opened (not a frame or worker inside one)."""
        return self.popup and self.parent is None and self.type == "page"

    def __repr__(self) -> str:
        return f"<Session {self.type} {self.url[:60]}>"


def held_for_us(info: dict[str, Any]) -> bool:
    """A new target a visit may own (a window a page opened, a shared or service worker), which must
    not run before its recorder is set up: the first go-ahead any client gives lets it run."""
    return (info.get("type") == "page" and bool(info.get("openerId"))) or info.get("type") in _WORKERS


_WORKERS = ("shared_worker", "service_worker")
# what a recorded target auto-attaches: everything but service workers, which this connection keeps itself
CHILDREN = {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True,
            "filter": [{"type": "service_worker", "exclude": True}, {}]}


class Connection:
    """A browser-level websocket; routes flat-mode messages to sessions by id."""

    def __init__(self, ws: websockets.ClientConnection):
        self._ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self.sessions: dict[str, Session] = {}
        self.browser_handler: Callable[[str, dict[str, Any]], None] | None = None
        # target id of a recorded page or frame -> who takes the windows it opens
        self.openers: dict[str, Callable[[Session], asyncio.Future]] = {}
        # browser context of a running visit -> who takes the shared and service workers started in it
        self.contexts: dict[str, Callable[[Session], asyncio.Future]] = {}
        # target id -> the kept session of a service worker (see the module docstring)
        self.workers: dict[str, Session] = {}
        self._let_go: dict[str, asyncio.Future] = {}  # targets held_for_us -> done once we let them run
        self._releases: set[asyncio.Task] = set()
        self._reader = asyncio.get_running_loop().create_task(self._read())
        self.closed = asyncio.Event()

    @classmethod
    async def connect(cls, ws_url: str) -> Connection:
        ws = await websockets.connect(ws_url, max_size=None, ping_interval=None, compression=None)
        return cls(ws)

    async def close(self) -> None:
        self._reader.cancel()
        await self._ws.close()

    async def send(self, method: str, params: dict[str, Any] | None = None, *, session_id: str | None = None,
                   timeout: float | None = None) -> dict[str, Any]:
        """A command's result; ``timeout`` defaults to 10 s, stretched on a loaded machine (a target
        prepared too late for recording would run unrecorded)."""
        timeout = pace.stretch(10) if timeout is None else timeout
        if self.closed.is_set():
            raise CDPError(f"{method}: connection closed")
        msg_id = next(self._ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        future = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        try:
            await self._ws.send(json.dumps(message))
            return await asyncio.wait_for(future, timeout)
        except (TimeoutError, websockets.ConnectionClosed) as exc:
            raise CDPError(f"{method}: {type(exc).__name__}") from exc
        finally:
            self._pending.pop(msg_id, None)

    async def watch_new_pages(self) -> None:
        """Hold every new page, shared and service worker until we have looked at it: a window opened
        by a recorded page, or a worker started in a visit's browser context, is handed to that
        visit's recorder before its first request (its traffic is the visit's); a service worker is
        kept attached for the next visits too; any other target is let go at once (a visited page's
        recorder attaches to it explicitly)."""
        await self.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True,
                                                 "filter": [{"type": "page"}, *({"type": t} for t in _WORKERS)]})

    def workers_of(self, context_id: str) -> list[Session]:
        """The service workers running in a browser context, each on its kept session."""
        return [s for s in self.workers.values() if s.context_id == context_id and not s.detached]

    def _new_page(self, params: dict[str, Any]) -> None:
        session = Session.attached(self, params)
        info = params["targetInfo"]
        held = held_for_us(info)  # Playwright's go-ahead for it waits for ours (relay.py)
        if session.type == "service_worker":
            self._new_service_worker(session, info.get("browserContextId", ""))
            return
        if session.type == "shared_worker":
            adopt = self.contexts.get(info.get("browserContextId", ""))
        else:
            adopt = self.openers.get(info.get("openerId", ""))
        if adopt is not None:
            session.popup = session.type == "page"
            self.sessions[session.id] = session
            adopt(session).add_done_callback(lambda _: self._settle(session.target_id))
            return
        if held:
            self._settle(session.target_id)
        self._spawn(self._release(session))

    def _new_service_worker(self, session: Session, context_id: str) -> None:
        """Keep a new service worker's session; the visit running in its context sets it up before it
        runs, else it runs at once and the next visit of that context takes it over."""
        session.kept, session.context_id = True, context_id
        self.sessions[session.id] = session
        self.workers[session.target_id] = session
        adopt = self.contexts.get(context_id)
        if adopt is not None:
            adopt(session).add_done_callback(lambda _: self._settle(session.target_id))
        else:
            self._spawn(self._run(session), lambda _: self._settle(session.target_id))

    def _spawn(self, coro, done: Callable[[Any], None] | None = None) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)
        if done is not None:
            task.add_done_callback(done)

    async def _run(self, session: Session) -> None:
        try:
            await session.send("Runtime.runIfWaitingForDebugger")
        except CDPError:
            pass

    def _waiter(self, target_id: str) -> asyncio.Future:
        return self._let_go.setdefault(target_id, asyncio.get_running_loop().create_future())

    def _settle(self, target_id: str) -> None:
        waiter = self._waiter(target_id)
        if not waiter.done():
            waiter.set_result(None)

    async def let_go(self, target_id: str) -> None:
        """Until we have let a target ``held_for_us`` run: set up for recording, or not one of ours."""
        try:
            await asyncio.shield(self._waiter(target_id))
        finally:
            self._let_go.pop(target_id, None)

    async def _release(self, session: Session) -> None:
        try:
            await session.send("Runtime.runIfWaitingForDebugger")
            await self.send("Target.detachFromTarget", {"sessionId": session.id})
        except CDPError:
            pass  # closed meanwhile

    async def attach(self, target_id: str, target_type: str = "page", url: str = "") -> Session:
        result = await self.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})
        session = Session(self, result["sessionId"], target_type, target_id, url)
        self.sessions[session.id] = session
        return session

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                message = json.loads(raw)
                if "id" in message:
                    future = self._pending.get(message["id"])
                    if future and not future.done():
                        if "error" in message:
                            future.set_exception(CDPError(message["error"].get("message", "error")))
                        else:
                            future.set_result(message.get("result", {}))
                    continue
                self._dispatch(message)
        except websockets.ConnectionClosed:
            pass
        except Exception:  # pragma: no cover - a reader crash must not go unnoticed
            log.exception("CDP reader failed")
        finally:
            self.closed.set()
            for target_id in list(self._let_go):
                self._settle(target_id)
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(CDPError("connection closed"))

    def _dispatch(self, message: dict[str, Any]) -> None:
        method, params = message.get("method", ""), message.get("params", {})
        session = self.sessions.get(message.get("sessionId", ""))
        if method == "Target.attachedToTarget" and session is not None:
            child = Session.attached(self, params)
            child.parent = session
            child.popup = session.popup
            child.handler = session.handler
            self.sessions[child.id] = child
        elif method == "Target.detachedFromTarget":
            gone = self.sessions.pop(params.get("sessionId", ""), None)
            if gone:
                gone.detached = True
                if gone.kept:
                    self.workers.pop(gone.target_id, None)
        if session is None:
            if method == "Target.attachedToTarget" and params.get("waitingForDebugger"):
                self._new_page(params)
                return
            if self.browser_handler:
                self.browser_handler(method, params)
            return
        if session.handler:
            try:
                session.handler(session, method, params)
            except Exception:
                log.exception("CDP event handler failed on %s", method)

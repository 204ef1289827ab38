"""Playwright's DevTools connection, passed through us so a window a page opens waits for leakmap.

Why: a window opened with ``window.open()`` is held before its first request until a
debugger says ``Runtime.runIfWaitingForDebugger``, but Chromium lets it run on the *first*
client that says so. Playwright says it within one round trip of the window appearing, so
the window's first request (an ad's click-through, a login popup: often carrying
identifiers) could leave before our recorder listened in it, and its first document ran
without our instrumentation. The relay forwards everything unchanged, except that
Playwright's go-ahead for such a window waits until our own connection has let it go.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.server import Server, ServerConnection, serve

from leakmap.crawler.cdp import held_for_us

log = logging.getLogger(__name__)

_WS_OPTIONS: dict[str, Any] = {"max_size": None, "ping_interval": None, "compression": None}


def _held_target(message: str) -> tuple[str, str] | None:
    """(Playwright's session id, target id) when the message attaches Playwright to a target our
    own connection must set up before it runs."""
    event = json.loads(message)
    params = event.get("params", {})
    info = params.get("targetInfo", {})
    if (event.get("method") == "Target.attachedToTarget" and "sessionId" not in event and params.get("waitingForDebugger")
            and held_for_us(info)):
        return params["sessionId"], info["targetId"]
    return None


async def _quietly(connection: websockets.ClientConnection | ServerConnection) -> AsyncIterator[str | bytes]:
    try:
        async for message in connection:
            yield message
    except websockets.ConnectionClosed:
        return


async def _until_closed(pump: Awaitable[None]) -> None:
    try:
        await pump
    except websockets.ConnectionClosed:  # the other side went away while we were sending
        pass


class Relay:
    """A local DevTools endpoint in front of Chromium's, for Playwright."""

    def __init__(self, upstream: str, let_go: Callable[[str], Awaitable[None]], hold_cap: float = 10):
        self.upstream = upstream
        self._let_go = let_go  # resolves once our connection has let that target run
        self.hold_cap = hold_cap
        self._server: Server | None = None
        self.url = ""

    @classmethod
    async def start(cls, upstream: str, let_go: Callable[[str], Awaitable[None]], hold_cap: float = 10) -> Relay:
        relay = cls(upstream, let_go, hold_cap)
        relay._server = await serve(relay._link, "127.0.0.1", 0, **_WS_OPTIONS)
        port = relay._server.sockets[0].getsockname()[1]
        relay.url = f"ws://127.0.0.1:{port}{urlsplit(upstream).path}"
        return relay

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            try:
                await asyncio.wait_for(self._server.wait_closed(), 5)
            except TimeoutError:
                pass
            self._server = None

    async def _link(self, client: ServerConnection) -> None:
        """One Playwright connection, until either side closes (a dead browser closes Playwright's)."""
        try:
            browser = await websockets.connect(self.upstream, **_WS_OPTIONS)
        except (OSError, websockets.WebSocketException) as exc:
            log.debug("relay: browser endpoint unreachable: %s", exc)
            return
        windows: dict[str, str] = {}  # Playwright's session id -> target id of a window waiting for us
        held: set[asyncio.Task] = set()

        async def to_client() -> None:
            async for message in _quietly(browser):
                if isinstance(message, str) and '"Target.attachedToTarget"' in message:
                    held = _held_target(message)
                    if held:
                        windows[held[0]] = held[1]
                await client.send(message)

        async def to_browser() -> None:
            async for message in _quietly(client):
                target = None
                if isinstance(message, str) and "runIfWaitingForDebugger" in message:
                    target = windows.pop(json.loads(message).get("sessionId", ""), None)
                if target is None:
                    await browser.send(message)
                    continue
                task = asyncio.create_task(self._hold(browser, message, target))
                held.add(task)
                task.add_done_callback(held.discard)

        pumps = [asyncio.create_task(_until_closed(to_client())), asyncio.create_task(_until_closed(to_browser()))]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*pumps, *held):
                task.cancel()
            await browser.close()
            await client.close()

    async def _hold(self, browser: websockets.ClientConnection, message: str, target: str) -> None:
        try:
            await asyncio.wait_for(self._let_go(target), self.hold_cap)
        except TimeoutError:
            log.debug("relay: %s was not let go within %.0f s; Playwright's go-ahead sent anyway", target, self.hold_cap)
        try:
            await browser.send(message)
        except websockets.ConnectionClosed:
            pass

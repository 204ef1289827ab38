"""Cookies written by scripts (with the writing script) and snapshots of the profile's jar."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from leakmap.crawler.cdp import Session
from leakmap.crawler.collectors.base import Collector
from leakmap.crawler.setcookie import parse_set_cookie
from leakmap.records import CookieRecord, JarCookie


class CookieCollector(Collector):
    name = "cookies"
    hooks = frozenset({"cookie", "cookiestore"})

    def __init__(self, visit):
        super().__init__(visit)
        self._writes: list[CookieRecord] = []
        self._jar: list[JarCookie] = []

    def on_hook(self, session: Session, message: dict[str, Any]) -> None:
        frame = message.get("frame") or ""
        stack = message.get("stack") or []
        when = message.get("time") or time.time()
        if message["t"] == "cookie":
            parsed = parse_set_cookie(message.get("raw") or "")
            if parsed is None:
                return
            self._writes.append(CookieRecord(
                time=when, origin="js", url=frame, host=urlsplit(frame).hostname or "", name=parsed.name,
                value=parsed.value, domain=parsed.domain, path=parsed.path, expires=parsed.expires,
                max_age=parsed.max_age, lifetime=parsed.lifetime(when), secure=parsed.secure,
                http_only=False, same_site=parsed.same_site, partitioned=parsed.partitioned,
                raw=message.get("raw") or "", script_url=stack[0] if stack else None,
            ))
        else:  # cookieStore.set({name, value, expires (ms), domain, path, sameSite, partitioned})
            c = message.get("cookie") or {}
            expires = c.get("expires")
            self._writes.append(CookieRecord(
                time=when, origin="js", url=frame, host=urlsplit(frame).hostname or "", name=str(c.get("name", "")),
                value=str(c.get("value", "")), domain=c.get("domain"), path=c.get("path"),
                expires=str(expires) if expires else None,
                lifetime=round(expires / 1000 - when, 3) if isinstance(expires, (int, float)) else None,
                secure=True, same_site=c.get("sameSite"), partitioned=bool(c.get("partitioned")),
                raw=f"cookieStore.set({c})", script_url=stack[0] if stack else None,
            ))

    async def snapshot(self, moment: str) -> None:
        """Copy the whole jar of the phase's profile (every domain, third parties included)."""
        now = time.time()
        for c in await self.visit.context.cookies():
            self._jar.append(JarCookie(
                moment=moment, time=now, name=c["name"], value=c["value"], domain=c["domain"], path=c["path"],
                expires=None if c.get("expires", -1) in (-1, None) else c["expires"],
                http_only=c.get("httpOnly", False), secure=c.get("secure", False), same_site=c.get("sameSite"),
                partition_key=c.get("partitionKey"),
            ))

    def records(self) -> list[Any]:
        return [*self._writes, *self._jar]

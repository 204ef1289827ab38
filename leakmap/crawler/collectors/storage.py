"""localStorage / sessionStorage writes: the DevTools DOMStorage domain sees every write
(property assignment included); the page instrumentation adds which script made it."""

from __future__ import annotations

import time
from typing import Any

from leakmap.crawler.cdp import CDPError, Session
from leakmap.crawler.collectors.base import Collector
from leakmap.records import StorageRecord

_OPS = {
    "DOMStorage.domStorageItemAdded": "set",
    "DOMStorage.domStorageItemUpdated": "set",
    "DOMStorage.domStorageItemRemoved": "remove",
    "DOMStorage.domStorageItemsCleared": "clear",
}


class StorageCollector(Collector):
    name = "storage"
    events = frozenset(_OPS)
    hooks = frozenset({"storage"})
    target_types = frozenset({"page", "iframe"})

    def __init__(self, visit):
        super().__init__(visit)
        self._writes: list[StorageRecord] = []
        self._attributions: list[dict[str, Any]] = []

    async def setup(self, session: Session) -> None:
        try:
            await session.send("DOMStorage.enable")
        except CDPError:
            pass  # the instrumentation hook still records setItem/removeItem/clear

    def on_event(self, session: Session, method: str, p: dict[str, Any]) -> None:
        storage_id = p.get("storageId", {})
        origin = storage_id.get("securityOrigin") or storage_id.get("storageKey", "").rstrip("/")
        self._writes.append(StorageRecord(
            time=time.time(), kind="local" if storage_id.get("isLocalStorage") else "session",
            origin=origin, op=_OPS[method], key=p.get("key"), value=p.get("newValue"),
        ))

    def on_hook(self, session: Session, message: dict[str, Any]) -> None:
        self._attributions.append(message)

    def records(self) -> list[Any]:
        unused = list(self._attributions)
        for write in self._writes:
            for i, hook in enumerate(unused):
                if (hook.get("kind"), hook.get("op"), hook.get("key")) == (write.kind, write.op, write.key) and (
                    write.op != "set" or hook.get("value") == (write.value or "")[:4096]
                ):
                    write.stack = hook.get("stack") or []
                    write.script_url = write.stack[0] if write.stack else None
                    write.frame_url = hook.get("frame") or ""
                    write.time = hook.get("time") or write.time
                    del unused[i]
                    break
        # writes the DOMStorage domain did not report (it was unavailable on that target)
        for hook in unused:
            frame = hook.get("frame") or ""
            stack = hook.get("stack") or []
            self._writes.append(StorageRecord(
                time=hook.get("time") or time.time(), kind=hook.get("kind", "local"),
                origin="/".join(frame.split("/")[:3]), frame_url=frame, op=hook.get("op", "set"),
                key=hook.get("key"), value=hook.get("value"), script_url=stack[0] if stack else None, stack=stack,
            ))
        return list(self._writes)

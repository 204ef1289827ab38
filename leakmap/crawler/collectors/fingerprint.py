"""Fingerprinting API use per calling script: canvas, canvas fonts, WebGL, audio, navigator/screen.

``fingerprint.js`` aggregates in the page (per document, script and API family; capped) and
re-posts an aggregate shortly after it changes; the latest one per (document, API, script) wins.
Raw counts and arguments only: whether it is fingerprinting is judged by analysis.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from leakmap.crawler.cdp import Session
from leakmap.crawler.collectors.base import Collector
from leakmap.records import ApiCallRecord

SCRIPT = (Path(__file__).parent / "fingerprint.js").read_text()


class FingerprintCollector(Collector):
    name = "fingerprint"
    hooks = frozenset({"fp"})
    target_types = frozenset({"page", "iframe"})
    script = SCRIPT

    def __init__(self, visit):
        super().__init__(visit)
        self._latest: dict[tuple[str, str, str], dict[str, Any]] = {}

    def on_hook(self, session: Session, message: dict[str, Any]) -> None:
        key = (str(message.get("doc", "")), str(message.get("api", "")), str(message.get("script", "")))
        self._latest[key] = message

    def records(self) -> list[Any]:
        out = []
        for (doc, api, script), m in self._latest.items():
            stack = [str(u) for u in (m.get("stack") or [])][:10]
            out.append(ApiCallRecord(
                time=float(m.get("first") or m.get("time") or time.time()), api=api, script_url=script or None,
                frame_url=str(m.get("frame") or ""), document=doc, calls=int(m.get("calls") or 0),
                details=m.get("d") if isinstance(m.get("d"), dict) else {}, stack=stack,
            ))
        return sorted(out, key=lambda r: r.time)

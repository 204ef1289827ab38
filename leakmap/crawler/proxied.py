"""Writes a tag made through a web-worker proxy, credited to the tag.

A web-worker proxy (Partytown and the like) runs third-party tags in a web worker and carries out
in the page what they ask of it: a tag's ``document.cookie`` or ``localStorage`` write is a
request from the worker to the proxy (a synchronous XHR its service worker answers) holding the
write, and the proxy's page-side code (its sandbox frame) then makes it. The page hook sees that
code write; the request names the tag (its initiator: see
:func:`leakmap.crawler.collectors.network._initiator`). So a script write whose content a worker
request carried just before is credited to that request's initiator, the proxy's code kept in
``via``. Evidence, not judgement: both scripts stay on the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from leakmap.records import CookieRecord, RequestRecord, StorageRecord

_WORKERS = ("worker", "shared_worker")
_SLACK = 0.5  # seconds: the request leaves before the write it carries, both stamped by one clock
_WINDOW = 10.0  # seconds: a proxy's round trip (worker -> service worker -> page) is far shorter


def _carried(body: str, text: str) -> bool:
    return text in body or json.dumps(text)[1:-1] in body


def _what(record: Any) -> tuple[str, ...] | None:
    """The strings a proxy request must hold to have carried this write."""
    if isinstance(record, CookieRecord) and record.origin == "js" and record.raw:
        return (record.raw,)
    if isinstance(record, StorageRecord) and record.op == "set" and record.key:
        return (record.key, record.value or "")
    return None


def credit_proxied(records: Iterable[Any]) -> None:
    """Credit the visit's script writes made through a web-worker proxy to the tag that asked (in place)."""
    records = list(records)
    carriers = sorted((r for r in records if isinstance(r, RequestRecord) and r.target_type in _WORKERS
                       and r.post_data and r.initiator_url and r.initiator_url.startswith(("http:", "https:"))),
                      key=lambda r: r.time)
    if not carriers:
        return
    for record in records:
        needles = _what(record)
        if needles is None:
            continue
        carrier = next((c for c in reversed(carriers)
                        if record.time - _WINDOW <= c.time <= record.time + _SLACK
                        and all(_carried(c.post_data, n) for n in needles)), None)
        if carrier is not None and carrier.initiator_url != record.script_url:
            record.via, record.script_url = record.script_url, carrier.initiator_url

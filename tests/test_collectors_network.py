"""The network collector on DevTools events as Chromium sends them (no browser): windows the page
opened whose first request Chromium reported to no session are named as capture gaps, each once,
and only those."""

from __future__ import annotations

import asyncio

from leakmap.crawler.cdp import Session
from leakmap.crawler.collectors.base import VisitContext
from leakmap.crawler.collectors.network import NetworkCollector
from leakmap.crawler.config import ScanConfig
from leakmap.records import ErrorRecord, RequestRecord

SPONSOR = "https://www.ridgeway-courier.co.uk/sponsor.html"
FAVICON = "https://www.ridgeway-courier.co.uk/favicon.svg"


class _Connection:
    """Answers every command (Network.enable) at once."""

    async def send(self, *_args, **_kwargs) -> dict:
        return {}


def session(n: int, popup: bool = True) -> Session:
    """A page target's session: a window the visited page opened (``popup``), or the page itself."""
    target = Session(_Connection(), f"S{n}", "page", f"T{n}", "")
    target.popup = popup
    return target


PAGE = session(0, popup=False)


def collector(*windows: Session) -> NetworkCollector:
    c = NetworkCollector(VisitContext(config=ScanConfig(), site_id=1, phase="baseline", url="https://x/",
                                      output_dir=None, visit_key="v"))
    for window in windows:  # the recorder sets each window up as it appears
        asyncio.run(c.setup(window))
    return c


def opened(c: NetworkCollector, times: int, url: str = SPONSOR) -> None:
    for _ in range(times):
        c.on_event(PAGE, "Page.windowOpen", {"url": url, "windowName": "_blank", "userGesture": True})


def heard(c: NetworkCollector, window: Session, url: str, kind: str = "Document", n: int = 0) -> None:
    c.on_event(window, "Network.requestWillBeSent", {
        "requestId": f"R{window.id}{n}", "loaderId": f"R{window.id}{n}", "type": kind, "frameId": window.target_id,
        "wallTime": 1000.0 + n, "timestamp": 4.0 + n, "documentURL": SPONSOR, "request": {"url": url, "method": "GET"}})


def answered_only(c: NetworkCollector, window: Session, url: str) -> None:
    """The request went out before the window listened; its answer did not."""
    c.on_event(window, "Network.responseReceived", {"requestId": f"A{window.id}", "type": "Document",
                                                    "frameId": window.target_id, "timestamp": 5.0,
                                                    "response": {"url": url, "status": 200, "headers": {}}})


def gaps(c: NetworkCollector) -> list[ErrorRecord]:
    return [r for r in c.records() if isinstance(r, ErrorRecord) and r.kind == "capture-gap"]


def test_a_window_whose_document_went_unheard_is_named_once():
    heard_, answered, silent, blind = (session(n) for n in (1, 2, 3, 4))
    c = collector(heard_, answered, silent, blind)
    opened(c, 4)
    heard(c, heard_, SPONSOR)
    answered_only(c, answered, SPONSOR)  # recorded from its answer: no gap
    heard(c, silent, FAVICON, kind="Other", n=1)  # the window's favicon was heard, its document not
    # blind: nothing at all was heard from it
    got = gaps(c)
    assert [(g.url, g.kind) for g in got] == [(SPONSOR, "capture-gap")] * 2
    assert "reported the window's request for it to no DevTools session" in got[0].message
    urls = sorted(r.url for r in c.records() if isinstance(r, RequestRecord))
    assert urls == [FAVICON, SPONSOR, SPONSOR]


def test_no_gap_when_every_window_document_is_recorded_or_no_window_appeared():
    window = session(1)
    c = collector(window)
    opened(c, 1)
    heard(c, window, SPONSOR)
    assert gaps(c) == []
    # near miss: a window asked for that never appeared (a blocked popup) is no gap
    blocked = collector()
    opened(blocked, 2)
    assert gaps(blocked) == []


def test_a_frame_document_inside_a_window_is_not_its_document():
    window = session(1)
    c = collector(window)
    opened(c, 1)
    c.on_event(window, "Network.requestWillBeSent", {
        "requestId": "F1", "loaderId": "F1", "type": "Document", "frameId": "IFRAME-9", "wallTime": 1000.0,
        "timestamp": 4.0, "request": {"url": "https://ads.example/frame.html", "method": "GET"}})
    assert [g.url for g in gaps(c)] == [SPONSOR]

"""The network collector on DevTools events as Chromium sends them (no browser): a window's first
document request handed over as the connection's document hold paused it (cdp.py), with or
without the ``Network.requestWillBeSent`` the window's session may or may not have heard."""

from __future__ import annotations

import time
from types import SimpleNamespace

from leakmap.crawler.collectors.base import VisitContext
from leakmap.crawler.collectors.network import NetworkCollector
from leakmap.crawler.config import ScanConfig
from leakmap.records import RequestRecord

WINDOW = SimpleNamespace(type="page", url="", target_id="WINDOW-1", detached=False, id="S1")
URL = "https://www.ridgeway-courier.co.uk/sponsor.html"
NETWORK_ID = "LOADER-7"


def collector() -> NetworkCollector:
    return NetworkCollector(VisitContext(config=ScanConfig(), site_id=1, phase="baseline", url="https://x/",
                                         output_dir=None, visit_key="v"))


def paused(frame: str = WINDOW.target_id) -> dict:
    return {"requestId": "interception-1", "networkId": NETWORK_ID, "frameId": frame, "resourceType": "Document",
            "request": {"url": URL, "method": "GET", "headers": {"Referer": "https://www.ridgeway-courier.co.uk/"}}}


def the_rest(c: NetworkCollector) -> None:
    """What the window's session hears once the held request goes: headers sent, the answer."""
    c.on_event(WINDOW, "Network.requestWillBeSentExtraInfo",
               {"requestId": NETWORK_ID, "headers": {"Cookie": "rc_consent=accepted", "Referer": "x"}})
    c.on_event(WINDOW, "Network.responseReceived", {"requestId": NETWORK_ID, "type": "Document", "timestamp": 5.0,
                                                    "response": {"url": URL, "status": 200, "headers": {}}})
    c.on_event(WINDOW, "Network.loadingFinished", {"requestId": NETWORK_ID, "timestamp": 5.1})


def requests(c: NetworkCollector) -> list[RequestRecord]:
    return [r for r in c.records() if isinstance(r, RequestRecord)]


def test_a_held_first_request_is_recorded_from_the_hand_over():
    c = collector()
    before = time.time()
    c.on_event(WINDOW, "Fetch.requestPaused", paused())
    the_rest(c)
    [r] = requests(c)
    assert (r.url, r.method, r.resource_type, r.status, r.is_navigation) == (URL, "GET", "Document", 200, True)
    assert before <= r.time <= time.time()  # handed over just before it was let go: it left after
    assert r.request_headers["cookie"] == "rc_consent=accepted"  # what went on the wire, from the extra info


def test_heard_by_the_window_too_it_is_recorded_once_as_heard():
    c = collector()
    c.on_event(WINDOW, "Network.requestWillBeSent", {
        "requestId": NETWORK_ID, "loaderId": NETWORK_ID, "type": "Document", "frameId": WINDOW.target_id,
        "wallTime": 1000.0, "timestamp": 4.0, "initiator": {"type": "script", "url": "https://opener/"},
        "request": {"url": URL, "method": "GET", "headers": {}}})
    c.on_event(WINDOW, "Fetch.requestPaused", paused())
    the_rest(c)
    [r] = requests(c)
    assert (r.time, r.initiator_type) == (1000.0, "script")


def test_a_frame_document_held_in_a_window_is_no_navigation_of_it():
    c = collector()
    c.on_event(WINDOW, "Fetch.requestPaused", paused(frame="FRAME-2"))
    [r] = requests(c)
    assert (r.url, r.is_navigation, r.frame_id) == (URL, False, "FRAME-2")

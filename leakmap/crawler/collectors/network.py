"""Requests from every frame, worker and redirect hop, with their initiator, and the raw
``Set-Cookie`` lines of their responses (the browser's capped expiry is not what was asked)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from leakmap.crawler import pace
from leakmap.crawler.cdp import CDPError, Session
from leakmap.crawler.collectors.base import Collector
from leakmap.crawler.setcookie import parse_set_cookie
from leakmap.records import CookieRecord, ErrorRecord, RequestRecord

_NETWORK_SCHEMES = ("http:", "https:", "ws:", "wss:")
# seconds: a beacon call's time (the page's Date.now()) and its request's DevTools wall time are
# read from the same system clock, the call first; this only absorbs rounding
_CLOCK_SLACK = 0.005
# seconds: a request without an answer after this (a hanging subresource, a long poll) is background:
# it no longer delays "quiet", and the visit goes on without it (it is stored as still open)
LONG_LIVED = 5.0
# requests that stay open by design from the start: they never delay "quiet"
_STREAMS = frozenset({"EventSource", "Media", "WebSocket"})
_WORKERS = ("worker", "shared_worker", "service_worker")


def _lower(headers: dict[str, Any] | None) -> dict[str, str]:
    return {k.lower(): str(v) for k, v in (headers or {}).items()}


def _initiator(initiator: dict[str, Any], worker: str | None = None) -> tuple[str | None, str | None, list[str]]:
    """(type, the script that asked, the script URLs of the stack, innermost first). In a worker
    (``worker``: its own script's URL), a script the worker evaluated is the one that asked when
    the innermost frames are the worker's own code: a web-worker proxy (Partytown) runs each tag
    it hosts with ``//# sourceURL=<the tag's URL>`` and makes the requests the tag asks for."""
    urls: list[str] = []
    stack = initiator.get("stack")
    while stack:
        for frame in stack.get("callFrames", ()):
            url = frame.get("url")
            if url and (not urls or urls[-1] != url):
                urls.append(url)
        stack = stack.get("parent")
    asked = urls[0] if urls else initiator.get("url")
    if worker and urls and urls[0] == worker:
        asked = next((u for u in urls if u != worker and u.startswith(("http:", "https:"))), asked)
    return initiator.get("type"), asked, urls


def _outlived_its_page(hop: RequestRecord, failure: dict[str, Any]) -> bool:
    """A beacon (``sendBeacon``, ``<a ping>``) is a keep-alive request: when its page goes away the
    page's loader reports it aborted, while the browser still sends it (the server log has it)."""
    return hop.resource_type == "Ping" and failure.get("errorText") == "net::ERR_ABORTED" and not failure.get("blockedReason")


def _beacon_type(beacon: dict[str, Any]) -> str:
    """The DevTools resource type of the request a beacon call makes."""
    return "Ping" if beacon.get("api") == "sendBeacon" else "Fetch"


@dataclass
class _Flight:
    """One requestId: its hops (redirects reuse the id) and extra infos that may arrive early."""

    hops: list[RequestRecord] = field(default_factory=list)
    extra_requests: list[dict[str, str]] = field(default_factory=list)
    extra_responses: list[dict[str, Any]] = field(default_factory=list)
    n_extra_req: int = 0
    n_extra_resp: int = 0
    started: float = 0.0
    done: bool = False
    responded: bool = False  # headers are in: the data has left; an unread body may never "finish"
    from_cache: bool = False  # Network.requestServedFromCache came before the hop it is about
    session: Session | None = None  # the target that sent it


class NetworkCollector(Collector):
    name = "requests"
    events = frozenset({
        "Network.requestWillBeSent", "Network.requestWillBeSentExtraInfo", "Network.responseReceived",
        "Network.responseReceivedExtraInfo", "Network.loadingFinished", "Network.loadingFailed",
        "Network.webSocketCreated", "Network.webSocketWillSendHandshakeRequest",
        "Network.webSocketHandshakeResponseReceived", "Network.webSocketFrameSent", "Network.webSocketClosed",
        "Network.requestServedFromCache", "Page.windowOpen",
    })
    hooks = frozenset({"beacon"})

    def __init__(self, visit):
        super().__init__(visit)
        self._flights: dict[str, _Flight] = {}
        self._finished: list[_Flight] = []  # flights whose request id was later reused
        self._cookies: list[CookieRecord] = []
        self._beacons: list[tuple[Session, dict[str, Any]]] = []
        self._clock_offset: float | None = None  # wall time minus the browser's monotonic clock
        # windows the page opened (see _window_document): the URLs it opened them with, when; the
        # windows set up for recording; the URL each one's document request was recorded with
        self._opened: list[tuple[float, str]] = []
        self._windows: set[str] = set()
        self._window_documents: dict[str, str] = {}
        self._tasks: set[asyncio.Task] = set()
        self.last_activity = time.monotonic()

    async def setup(self, session: Session) -> None:
        if session.window:
            self._windows.add(session.id)
        await session.send("Network.enable", {"maxPostDataSize": self.visit.config.post_data_cap})

    # -- quiet detection -------------------------------------------------------
    def busy(self) -> int:
        """Requests still waiting for their response, leaving out the background: streams, and
        requests unanswered for ``LONG_LIVED`` seconds (a hanging pixel, a long poll), which would
        otherwise hold the page unsettled for ever."""
        now = time.monotonic()
        return sum(1 for f in self._flights.values()
                   if not (f.done or f.responded) and now - f.started < LONG_LIVED
                   and not (f.hops and f.hops[-1].resource_type in _STREAMS))

    def leaving(self) -> None:
        self.mark_open()

    def mark_open(self) -> list[str]:
        """The visit leaves the page: what is still open now (no answer yet, or its body or stream
        still coming, a websocket not closed) is stored as such, not as failed when leaving aborts
        it. Requests the page sends while it unloads are not marked. Their URLs."""
        still = []
        for flight in self._flights.values():
            # a window already closed took its requests with it: they are not open, just unfinished
            if flight.hops and not flight.done and not (flight.session and flight.session.detached):
                flight.hops[-1].still_open = True
                still.append(flight.hops[-1].url)
        return still

    # -- events ----------------------------------------------------------------
    def _wall(self, timestamp: float | None) -> float:
        if timestamp is None or self._clock_offset is None:
            return time.time()
        return timestamp + self._clock_offset

    def on_event(self, session: Session, method: str, p: dict[str, Any]) -> None:
        if method == "Page.windowOpen":
            if p.get("url", "").startswith(_NETWORK_SCHEMES):
                self._opened.append((time.time(), p["url"]))
            return
        self.last_activity = time.monotonic()
        # request ids are unique browser-wide, and one request may be reported by two targets
        # (a worker's script: requested by the page, completed in the worker), so key by id alone
        key = p.get("requestId", "")
        if method == "Network.requestWillBeSent":
            self._request(session, key, p)
        elif method == "Network.requestWillBeSentExtraInfo":
            flight = self._flights.setdefault(key, _Flight(started=time.monotonic()))
            flight.extra_requests.append(_lower(p.get("headers")))
            self._apply_extras(flight)
        elif method == "Network.responseReceived":
            flight = self._flights.get(key)
            if not (flight and flight.hops):
                flight = self._unannounced(session, key, p)
            if flight and flight.hops:
                flight.responded = True
                self._response(flight.hops[-1], p.get("response", {}))
        elif method == "Network.responseReceivedExtraInfo":
            flight = self._flights.setdefault(key, _Flight(started=time.monotonic()))
            flight.extra_responses.append(p)
            self._apply_extras(flight)
        elif method == "Network.requestServedFromCache":
            # Blink's memory cache answered: nothing went on the wire (no extra info will come)
            flight = self._flights.setdefault(key, _Flight(started=time.monotonic()))
            if flight.hops:
                flight.hops[-1].from_cache = True
            else:
                flight.from_cache = True
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            flight = self._flights.get(key)
            if flight:
                flight.done = True
                if method == "Network.loadingFinished" and flight.hops:  # it finished as the visit left
                    flight.hops[-1].still_open = False
                elif method == "Network.loadingFailed" and flight.hops and not flight.hops[-1].still_open \
                        and not _outlived_its_page(flight.hops[-1], p):
                    reason = p.get("blockedReason") or p.get("corsErrorStatus", {}).get("corsError")
                    text = p.get("errorText", "failed")
                    flight.hops[-1].failed = f"{text} ({reason})" if reason else text
        elif method.startswith("Network.webSocket"):
            self._websocket(session, key, method, p)

    def _request(self, session: Session, key: str, p: dict[str, Any]) -> None:
        if p.get("wallTime") and p.get("timestamp"):
            self._clock_offset = p["wallTime"] - p["timestamp"]
        if not p.get("request", {}).get("url", "").startswith(_NETWORK_SCHEMES):
            return  # data:, blob:, about: URLs never leave the browser
        flight = self._flights.get(key)
        request = p.get("request", {})
        url = request.get("url", "")
        if flight is not None and flight.hops and not p.get("redirectResponse") and flight.hops[-1].url == url:
            return  # the same request reported by a second target
        if flight is None or (flight.done and not p.get("redirectResponse")):
            if flight is not None and flight.hops:
                self._finished.append(flight)
            flight = self._flights[key] = _Flight(started=time.monotonic())
        redirect_from = None
        if p.get("redirectResponse") and flight.hops:
            previous = flight.hops[-1]
            self._response(previous, p["redirectResponse"])
            redirect_from = previous.url
        itype, iurl, istack = _initiator(p.get("initiator", {}), session.url if session.type in _WORKERS else None)
        record = RequestRecord(
            time=p.get("wallTime") or self._wall(p.get("timestamp")),
            cdp_id=p.get("requestId", ""),
            url=url,
            host=(urlsplit(url).hostname or ""),
            method=request.get("method", "GET"),
            resource_type=p.get("type", "Other"),
            target_type=session.type,
            frame_id=p.get("frameId"),
            frame_url=p.get("documentURL"),
            is_navigation=p.get("type") == "Document" and p.get("requestId") == p.get("loaderId"),
            redirect_from=redirect_from,
            request_headers=_lower(request.get("headers")),
            initiator_type=itype,
            initiator_url=iurl,
            initiator_stack=istack,
        )
        self._post_data(session, record, request)
        if not p.get("redirectResponse"):
            self._window_document(session, record, p)
        record.from_cache, flight.from_cache = flight.from_cache, False
        flight.session = flight.session or session
        flight.hops.append(record)
        self._apply_extras(flight)

    def _window_document(self, session: Session, record: RequestRecord, p: dict[str, Any]) -> None:
        """A window's document request. Chromium sometimes reports a window's first request (its
        document: what a ``window.open`` storm or an ad's click-through sends) to no DevTools
        session at all (one storm window in twenty, on a loaded machine with other visits running):
        windows opened (``Page.windowOpen``) are counted against the window documents recorded,
        and the visit names each one missing (:meth:`records`) instead of passing it over."""
        if session.window and p.get("frameId") == session.target_id and record.resource_type == "Document":
            self._window_documents.setdefault(session.id, record.url)

    def _window_gaps(self) -> list[ErrorRecord]:
        recorded = Counter(self._window_documents.values())
        unseen = len(self._windows - set(self._window_documents))
        gaps = []
        for when, url in self._opened:
            if recorded[url] > 0:
                recorded[url] -= 1
            elif len(gaps) < unseen:
                gaps.append(ErrorRecord(time=when, kind="capture-gap", url=url, message=(
                    f"the page opened a window on {url}, but Chromium reported the window's request for it to no "
                    "DevTools session (it went out as the window appeared): that one request is not stored; the "
                    "window's other requests are")))
        return gaps

    def _unannounced(self, session: Session, key: str, p: dict[str, Any]) -> _Flight | None:
        """A request whose start was reported before we could listen, known by its response: a new
        service worker's own script, fetched by the browser as the worker's target appears (its
        ``requestWillBeSent`` goes out before the target's ``Network.enable`` takes effect)."""
        response = p.get("response", {})
        url = response.get("url", "")
        if not url.startswith(_NETWORK_SCHEMES):
            return None
        started = (response.get("timing") or {}).get("requestTime")
        flight = self._flights.setdefault(key, _Flight(started=time.monotonic()))
        flight.hops.append(RequestRecord(
            time=self._wall(started if started else p.get("timestamp")), cdp_id=key, url=url,
            host=urlsplit(url).hostname or "", method="GET", resource_type=p.get("type", "Other"),
            target_type=session.type, frame_id=p.get("frameId"), request_headers=_lower(response.get("requestHeaders")),
        ))
        self._window_document(session, flight.hops[-1], p)
        self._apply_extras(flight)
        return flight

    def _post_data(self, session: Session, record: RequestRecord, request: dict[str, Any]) -> None:
        entries = request.get("postDataEntries")
        body: bytes | None = None
        if entries:
            body = b"".join(base64.b64decode(e.get("bytes", "")) for e in entries)
        elif request.get("postData") is not None:
            body = request["postData"].encode("utf-8", "surrogatepass")
        if body is not None:
            self._set_body(record, body)
        elif request.get("hasPostData"):  # over the inline cap: fetch it while the request lives
            task = asyncio.get_running_loop().create_task(self._fetch_body(session, record))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _set_body(self, record: RequestRecord, body: bytes) -> None:
        cap = self.visit.config.post_data_cap
        record.post_data_size = len(body)
        record.post_data_sha256 = hashlib.sha256(body).hexdigest()
        record.post_data = body[:cap].decode("utf-8", "replace")

    async def _fetch_body(self, session: Session, record: RequestRecord) -> None:
        try:
            result = await session.send("Network.getRequestPostData", {"requestId": record.cdp_id},
                                        timeout=pace.stretch(5))
        except CDPError:
            return
        data = result.get("postData", "")
        body = base64.b64decode(data) if result.get("base64Encoded") else data.encode("utf-8", "surrogatepass")
        self._set_body(record, body)

    def _response(self, record: RequestRecord, response: dict[str, Any]) -> None:
        record.status = response.get("status")
        record.mime_type = response.get("mimeType")
        record.remote_ip = response.get("remoteIPAddress")
        record.from_cache = record.from_cache or bool(response.get("fromDiskCache") or response.get("fromPrefetchCache")
                                                      or response.get("fromServiceWorker"))
        if response.get("fromServiceWorker"):
            record.service_worker = response.get("serviceWorkerResponseSource") or "unknown"
        if not record.response_headers:
            record.response_headers = _lower(response.get("headers"))

    def _apply_extras(self, flight: _Flight) -> None:
        """Extra infos come once per hop, in order, sometimes before the hop itself."""
        while flight.n_extra_req < min(len(flight.hops), len(flight.extra_requests)):
            flight.hops[flight.n_extra_req].request_headers = flight.extra_requests[flight.n_extra_req]
            flight.n_extra_req += 1
        while flight.n_extra_resp < min(len(flight.hops), len(flight.extra_responses)):
            hop = flight.hops[flight.n_extra_resp]
            self._raw_response(hop, flight.extra_responses[flight.n_extra_resp])
            flight.n_extra_resp += 1

    def _raw_response(self, hop: RequestRecord, extra: dict[str, Any]) -> None:
        headers = extra.get("headers", {})
        hop.response_headers = _lower(headers)
        if extra.get("statusCode") and hop.status is None:
            hop.status = extra["statusCode"]
        blocked = {b.get("cookieLine"): ",".join(b.get("blockedReasons", [])) for b in extra.get("blockedCookies", [])}
        raw = next((v for k, v in headers.items() if k.lower() == "set-cookie"), None)
        if not raw:
            return
        for line in str(raw).split("\n"):
            parsed = parse_set_cookie(line)
            if parsed is None:
                continue
            self._cookies.append(CookieRecord(
                time=hop.time, origin="http", url=hop.url, host=hop.host, name=parsed.name, value=parsed.value,
                domain=parsed.domain, path=parsed.path, expires=parsed.expires, max_age=parsed.max_age,
                lifetime=parsed.lifetime(hop.time), secure=parsed.secure, http_only=parsed.http_only,
                same_site=parsed.same_site, partitioned=parsed.partitioned, raw=line,
                blocked=blocked.get(line) or None,
            ))

    def _websocket(self, session: Session, key: str, method: str, p: dict[str, Any]) -> None:
        if method == "Network.webSocketCreated":
            itype, iurl, istack = _initiator(p.get("initiator", {}))
            url = p.get("url", "")
            record = RequestRecord(time=time.time(), cdp_id=p.get("requestId", ""), url=url,
                                   host=urlsplit(url).hostname or "", resource_type="WebSocket",
                                   target_type=session.type, initiator_type=itype, initiator_url=iurl,
                                   initiator_stack=istack)
            self._flights[key] = _Flight(hops=[record], started=time.monotonic(), session=session)  # open until closed
            return
        flight = self._flights.get(key)
        if not flight or not flight.hops:
            return
        record = flight.hops[0]
        if method == "Network.webSocketWillSendHandshakeRequest":  # the network stack's own headers
            record.time = p.get("wallTime") or record.time
            record.request_headers = _lower(p.get("request", {}).get("headers"))
            flight.n_extra_req = 1
        elif method == "Network.webSocketHandshakeResponseReceived":
            record.status = p.get("response", {}).get("status")
            record.response_headers = _lower(p.get("response", {}).get("headers"))
        elif method == "Network.webSocketClosed":
            flight.done = True
        elif method == "Network.webSocketFrameSent":
            payload = p.get("response", {}).get("payloadData", "")
            sent = (record.post_data or "") + payload + "\n"
            self._set_body(record, sent.encode("utf-8", "surrogatepass"))

    # -- beacons the network path may miss ----------------------------------------
    def on_hook(self, session: Session, message: dict[str, Any]) -> None:
        self._beacons.append((session, message))

    async def finish(self) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=pace.stretch(5))

    def _unseen_beacons(self, requests: list[RequestRecord]) -> list[tuple[Session, dict[str, Any]]]:
        """The beacon calls no network event stands for. A call is matched to one request of its
        URL, method and kind sent at or after it, each request once: a tracker that beacons the same
        URL on every page hide (the reload a consent click triggers, then the close), or that also
        posts there with ``fetch``, has several such requests, and each counts."""
        sent: dict[tuple[str, str, str], list[float]] = {}
        for r in sorted(requests, key=lambda r: r.time):
            sent.setdefault((r.url, r.method, r.resource_type), []).append(r.time)
        unseen = []
        for session, beacon in sorted(self._beacons, key=lambda b: b[1].get("time") or 0):
            times = sent.get((beacon.get("url", ""), beacon.get("method", "POST"), _beacon_type(beacon)), [])
            called = (beacon.get("time") or 0) - _CLOCK_SLACK
            match = next((i for i, t in enumerate(times) if t >= called), None)
            if match is None:
                unseen.append((session, beacon))
            else:
                del times[match]
        return unseen

    def _complete_headers(self, flights: list[_Flight]) -> None:
        """A hop whose extra info never came (its page went away first, as for a beacon sent on
        ``pagehide``) only has the page's view of its headers, without those leakmap itself made the
        browser add: they were sent all the same (the signal is set on every target before it runs),
        so the evidence shows them. Not on the one request that goes without them: the browser's
        fetch of a service worker's own script (``Service-Worker: script``), made before the worker's
        DevTools session handles commands (see leakmap.crawler.gpc)."""
        added = _lower(self.visit.headers)
        for flight in flights:
            for i, hop in enumerate(flight.hops):
                hop.raw_headers = i < flight.n_extra_req
                if not hop.raw_headers and not hop.from_cache and hop.request_headers.get("service-worker") != "script":
                    hop.request_headers = {**added, **hop.request_headers}

    def records(self) -> list[Any]:
        flights = [*self._finished, *self._flights.values()]
        self._complete_headers(flights)
        requests = [hop for flight in flights for hop in flight.hops]
        for session, beacon in self._unseen_beacons(requests):
            url, method = beacon.get("url", ""), beacon.get("method", "POST")
            stack = beacon.get("stack") or []
            record = RequestRecord(
                time=beacon.get("time") or time.time(), url=url, host=urlsplit(url).hostname or "", method=method,
                resource_type=_beacon_type(beacon), target_type=session.type,
                frame_url=beacon.get("frame"), initiator_type="script", initiator_url=stack[0] if stack else None,
                initiator_stack=stack, source="js", request_headers=_lower(self.visit.headers),
            )
            if beacon.get("body") is not None:
                self._set_body(record, beacon["body"].encode("utf-8", "surrogatepass"))
            requests.append(record)
        requests.sort(key=lambda r: r.time)
        return [*requests, *self._cookies, *self._window_gaps()]

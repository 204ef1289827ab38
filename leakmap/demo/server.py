"""A local web: many host names on one loopback port, TLS and plain HTTP alike.

Chromium reaches it through ``--host-resolver-rules="MAP * 127.0.0.1:PORT"``,
so real tracker host names (www.google-analytics.com, ...) resolve here and
classification is exercised for real. The first byte of a connection tells
TLS (0x16, a handshake record) from plain HTTP. Every request is logged so
a test or a benchmark can compare what the server saw with what leakmap stored.

It serves the demo shop (``leakmap demo``) and, under the test suite, every
fixture site of the repository's test web (``tests/web``), which builds on it.

Sites are directories named after their host under a sites directory; a
directory may hold a ``_headers`` file (Netlify format: a path line, then
indented ``Name: value`` lines), a ``_redirects`` file (``/from /to
[status]``) and a ``_mounts`` file (``/url/prefix/ dir``: serve a directory
under that prefix; *dir* is one of the web's named mounts, e.g. ``shared``
for :data:`leakmap.demo.KIT_DIR`, or a path relative to the web's mount
root), so sites share first-party code without copies. Files whose name
starts with ``_`` are never served, but an HTML page may pull one in with an
Apache-style server-side include, ``<!--#include virtual="/_header.html"
-->`` (one level, same site), so a site's pages share their head,
navigation and footer.

Dynamic endpoints (tracker pixels, ID-sync redirects) are Python functions
registered in a :class:`~leakmap.demo.vendors.Registry` as
``routes[(host, path)]``; ``path`` may be ``"*"`` (the whole host) or end
with ``*`` (a prefix, the longest one wins). ``websockets[(host, path)] =
fn(request, message)`` accepts a websocket upgrade there and answers each
message with what ``fn`` returns (``None``: no answer).
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import re
import select
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from leakmap.demo.certs import server_context

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SSI_INCLUDE = re.compile(rb'<!--#include virtual="(/[^"]+)" -->')


@dataclass
class Request:
    method: str
    scheme: str
    host: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"

    @property
    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for part in self.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                jar[name] = value
        return jar


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering (slow trackers)
    # never answer: the request stays open until the client gives up (closes the connection) or the
    # server stops; the thread holding it only watches the socket (a hanging pixel, a stalled stream)
    hold: bool = False


Endpoint = Callable[[Request], Response]
WebSocketHandler = Callable[[Request, "str | bytes"], "str | bytes | None"]


@dataclass
class LogEntry:
    """One request as the server received it."""

    time: float
    scheme: str
    method: str
    host: str
    path: str  # path and query, as sent
    headers: dict[str, str]
    body_size: int
    status: int = 0

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"


def _parse_headers_file(text: str) -> dict[str, list[tuple[str, str]]]:
    rules: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t" and current is not None:
            name, _, value = line.strip().partition(":")
            current.append((name.strip(), value.strip()))
        else:
            current = rules.setdefault(line.strip(), [])
    return rules


def _parse_redirects_file(text: str) -> dict[str, tuple[str, int]]:
    rules: dict[str, tuple[str, int]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not parts[0].startswith("#"):
            rules[parts[0]] = (parts[1], int(parts[2]) if len(parts) > 2 else 302)
    return rules


def _parse_mounts_file(text: str, base: Path, named: Mapping[str, Path]) -> list[tuple[str, Path]]:
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith("#"):
            mounts.append((parts[0], (named[parts[1]] if parts[1] in named else base / parts[1]).resolve()))
    return sorted(mounts, key=lambda m: -len(m[0]))


class Site:
    """Static files of one host, with its ``_headers``, ``_redirects`` and ``_mounts`` rules."""

    def __init__(self, root: Path, mount_root: Path, named_mounts: Mapping[str, Path]):
        self.root = root
        headers = root / "_headers"
        redirects = root / "_redirects"
        mounts = root / "_mounts"
        self.header_rules = _parse_headers_file(headers.read_text()) if headers.exists() else {}
        self.redirects = _parse_redirects_file(redirects.read_text()) if redirects.exists() else {}
        self.mounts = _parse_mounts_file(mounts.read_text(), mount_root, named_mounts) if mounts.exists() else []

    def _locate(self, path: str) -> Path | None:
        """The file serving URL *path*, or None (outside the root, hidden, missing)."""
        root, rel = self.root.resolve(), path.lstrip("/")
        for prefix, directory in self.mounts:
            if path.startswith(prefix):
                root, rel = directory, path[len(prefix):]
                break
        file = (root / rel).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(root) or not file.is_file() or file.name.startswith("_"):
            return None
        return file

    def serve(self, request: Request) -> Response:
        path = urlsplit(request.path).path
        if path in self.redirects:
            target, status = self.redirects[path]
            return Response(status, headers=[("Location", target)])
        file = self._locate(path)
        if file is None:
            return Response(404, "<h1>Not found</h1>")
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/xml"):
            ctype += "; charset=utf-8"
        headers = list(self.header_rules.get(path, [])) + list(self.header_rules.get("/*", []))
        body = file.read_bytes()
        if ctype.startswith("text/html"):
            body = SSI_INCLUDE.sub(self._include, body)
        return Response(200, body, ctype, headers)

    def _include(self, match: re.Match) -> bytes:
        """The file an SSI directive names, inside this site; ``_`` files allowed, like Apache's."""
        root = self.root.resolve()
        part = (root / match.group(1).decode().lstrip("/")).resolve()
        if not part.is_relative_to(root) or not part.is_file():
            return b"<!-- include failed: " + match.group(1) + b" -->"
        return part.read_bytes().rstrip(b"\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, web: LocalWeb):
        self.web = web
        self.connections = 0  # being served now: each ends when its client closes it (or it idles 30 s)
        self.idle = threading.Condition()
        self.stopping = threading.Event()  # held requests let go
        super().__init__(("127.0.0.1", web.requested_port), _Handler)

    def finish_request(self, request, client_address):  # type: ignore[override]
        with self.idle:
            self.connections += 1
        try:
            self._serve(request, client_address)
        finally:
            with self.idle:
                self.connections -= 1
                self.idle.notify_all()

    def _serve(self, request, client_address) -> None:
        request.settimeout(30)
        # headers and body leave in separate writes: without this, Nagle + delayed ACK add ~40 ms
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        scheme = "http"
        try:
            if request.recv(1, socket.MSG_PEEK) == b"\x16":
                request = self.web.ssl_context.wrap_socket(request, server_side=True)
                scheme = "https"
        except (OSError, ssl.SSLError):
            return
        _Handler(request, client_address, self, scheme)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def __init__(self, request, client_address, server, scheme: str = "http"):
        self.scheme = scheme
        super().__init__(request, client_address, server)

    def log_message(self, format, *args):  # noqa: A002 - silence stderr access log
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}
        request = Request(self.command, self.scheme, host, self.path, query, headers, body)
        received = time.time()
        if headers.get("upgrade", "").lower() == "websocket":
            handler = self.server.web.websockets.get((host, urlsplit(self.path).path))
            if handler and "sec-websocket-key" in headers:
                request.scheme = "wss" if self.scheme == "https" else "ws"  # logged as the page's URL
                self.server.web._record(received, request, 101)
                self._websocket(request, handler)
                return
        response = self.server.web.respond(request)
        self.server.web._record(received, request, 0 if response.hold else response.status)
        if response.hold:
            self._hold()
            return
        if response.delay:
            time.sleep(response.delay)
        self._send(request, response)

    def _send(self, request: Request, response: Response):
        body = response.body.encode() if isinstance(response.body, str) else response.body
        self.send_response(response.status)
        names = {name.lower() for name, _ in response.headers}
        if "content-type" not in names:
            self.send_header("Content-Type", response.content_type)
        origin = request.headers.get("origin")
        if origin and "access-control-allow-origin" not in names:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Credentials", "true")
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store") if "cache-control" not in names else None
        self.end_headers()
        if request.method != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _dispatch

    def _hold(self) -> None:
        """Send nothing until the client closes the connection (a browser does when the page that
        asked goes away; HTTP/1.1 sends nothing else on a connection awaiting its response) or the
        server stops."""
        self.close_connection = True
        while not self.server.stopping.is_set():
            try:
                readable, _, _ = select.select([self.connection], [], [], 0.5)
            except (OSError, ValueError):
                return
            if readable:
                return

    # -- websockets (RFC 6455, enough for browsers: masked client frames) --
    def _websocket(self, request: Request, handler: WebSocketHandler) -> None:
        accept = base64.b64encode(hashlib.sha1((request.headers["sec-websocket-key"] + WS_GUID).encode()).digest())
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            while (frame := self._ws_read()) is not None:
                opcode, data = frame
                if opcode == 0x8:  # close: answer with the same status, then stop
                    self._ws_write(0x8, data[:2])
                    return
                if opcode == 0x9:  # ping
                    self._ws_write(0xA, data)
                elif opcode in (0x1, 0x2):
                    reply = handler(request, data.decode("utf-8", "replace") if opcode == 0x1 else data)
                    if reply is not None:
                        self._ws_write(0x1 if isinstance(reply, str) else 0x2,
                                       reply.encode() if isinstance(reply, str) else reply)
        except (OSError, ssl.SSLError, struct.error):
            return

    def _ws_read(self) -> tuple[int, bytes] | None:
        """One whole message (continuation frames joined): (opcode, payload), or None at EOF."""
        opcode, payload = None, b""
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return None
            fin, op, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b""
            data = self.rfile.read(length)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if op >= 0x8:  # control frames may interleave
                return op, data
            opcode = op if opcode is None else opcode
            payload += data
            if fin:
                return opcode, payload

    def _ws_write(self, opcode: int, data: bytes) -> None:
        n = len(data)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        self.wfile.write(header + data)
        self.wfile.flush()

    def do_OPTIONS(self):
        request_headers = self.headers.get("Access-Control-Request-Headers", "")
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        request = Request("OPTIONS", self.scheme, host, self.path, {}, {k.lower(): v for k, v in self.headers.items()}, b"")
        self.server.web._record(time.time(), request, 204)
        headers = [("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"), ("Access-Control-Max-Age", "600")]
        if request_headers:
            headers.append(("Access-Control-Allow-Headers", request_headers))
        self._send(request, Response(204, headers=headers))


class LocalWeb:
    """Serve every site of *sites_dirs* (the first directory naming a host wins) and the
    endpoints of *registries* on one port."""

    def __init__(self, sites_dirs: Iterable[Path], registries: Iterable = (), *, mount_root: Path,
                 named_mounts: Mapping[str, Path] | None = None, port: int = 0, log_file: Path | None = None):
        self.requested_port = port
        self.log_file = log_file
        self.ssl_context = server_context()
        self.endpoints: dict[tuple[str, str], Endpoint] = {}
        self.websockets: dict[tuple[str, str], WebSocketHandler] = {}
        for registry in registries:
            self.endpoints.update(registry.routes)
            self.websockets.update(registry.websockets)
        # prefix routes ("/embed/*"), longest first; "*" alone stays the whole-host fallback
        self._prefixes = sorted(((h, p[:-1]) for h, p in self.endpoints if p.endswith("*") and p != "*"),
                                key=lambda hp: -len(hp[1]))
        self.sites: dict[str, Site] = {}
        for sites_dir in sites_dirs:
            for d in sorted(sites_dir.iterdir()):
                if d.is_dir() and d.name not in self.sites:
                    self.sites[d.name] = Site(d, mount_root, named_mounts or {})
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> LocalWeb:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, name="testweb", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.stopping.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalWeb:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_idle(self, timeout: float = 60) -> bool:
        """Wait until no connection is being served: once the browser that made them is gone, every
        request it sent (a page's last beacons included) is in the log. False if some connection
        was still open after ``timeout`` seconds (a response held open on purpose, a live browser)."""
        assert self._server, "server not started"
        with self._server.idle:
            return self._server.idle.wait_for(lambda: self._server.connections == 0, timeout)

    @property
    def port(self) -> int:
        assert self._server, "server not started"
        return self._server.server_address[1]

    @property
    def host_rules(self) -> str:
        """Chromium host-resolver rules that send every host name here."""
        return f"MAP * 127.0.0.1:{self.port}"

    # -- requests --------------------------------------------------------
    def respond(self, request: Request) -> Response:
        path = urlsplit(request.path).path
        endpoint = self.endpoints.get((request.host, path))
        if endpoint is None:
            prefix = next((p for h, p in self._prefixes if h == request.host and path.startswith(p)), None)
            endpoint = self.endpoints.get((request.host, prefix + "*")) if prefix is not None else None
        endpoint = endpoint or self.endpoints.get((request.host, "*"))
        if endpoint:
            return endpoint(request)
        site = self.sites.get(request.host)
        if site is None:
            return Response(404, f"unknown host {request.host}", "text/plain")
        return site.serve(request)

    def _record(self, received: float, request: Request, status: int) -> None:
        entry = LogEntry(received, request.scheme, request.method, request.host, request.path,
                         request.headers, len(request.body), status)
        with self._lock:
            self.log.append(entry)
            if self.log_file:
                with self.log_file.open("a") as fh:
                    fh.write(json.dumps(asdict(entry)) + "\n")

    def requests_between(self, start: float, end: float) -> list[LogEntry]:
        with self._lock:
            return [e for e in self.log if start <= e.time <= end]

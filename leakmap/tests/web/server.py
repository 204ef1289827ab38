"""The test web: many host names on one loopback port, TLS and plain HTTP alike.

Chromium reaches it through ``--host-resolver-rules="MAP * 127.0.0.1:PORT"``,
so real tracker host names (www.google-analytics.com, ...) resolve here and
classification is exercised for real. The first byte of a connection tells
TLS (0x16, a handshake record) from plain HTTP. Every request is logged so
tests can compare what the server saw with what leakmap stored.

Sites are directories named after their host under ``sites/``; a directory
may hold a ``_headers`` file (Netlify format: a path line, then indented
``Name: value`` lines) and a ``_redirects`` file (``/from /to [status]``).
Dynamic endpoints (tracker pixels, ID-sync redirects) are Python functions
registered in :mod:`leakmap.tests.web.endpoints`.
"""

from __future__ import annotations

import json
import mimetypes
import socket
import ssl
import threading
import time
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from leakmap.tests.web.certs import server_context

SITES_DIR = Path(__file__).parent / "sites"


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


Endpoint = Callable[[Request], Response]


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


class Site:
    """Static files of one host, with its ``_headers`` and ``_redirects`` rules."""

    def __init__(self, root: Path):
        self.root = root
        headers = root / "_headers"
        redirects = root / "_redirects"
        self.header_rules = _parse_headers_file(headers.read_text()) if headers.exists() else {}
        self.redirects = _parse_redirects_file(redirects.read_text()) if redirects.exists() else {}

    def serve(self, request: Request) -> Response:
        path = urlsplit(request.path).path
        if path in self.redirects:
            target, status = self.redirects[path]
            return Response(status, headers=[("Location", target)])
        file = (self.root / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(self.root.resolve()) or not file.is_file() or file.name.startswith("_"):
            return Response(404, "<h1>Not found</h1>")
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/xml"):
            ctype += "; charset=utf-8"
        headers = list(self.header_rules.get(path, [])) + list(self.header_rules.get("/*", []))
        return Response(200, file.read_bytes(), ctype, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, web: "TestWeb"):
        self.web = web
        super().__init__(("127.0.0.1", web.requested_port), _Handler)

    def finish_request(self, request, client_address):  # type: ignore[override]
        request.settimeout(30)
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
        response = self.server.web.respond(request)
        self.server.web._record(received, request, response.status)
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

    def do_OPTIONS(self):
        request_headers = self.headers.get("Access-Control-Request-Headers", "")
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        request = Request("OPTIONS", self.scheme, host, self.path, {}, {k.lower(): v for k, v in self.headers.items()}, b"")
        self.server.web._record(time.time(), request, 204)
        headers = [("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"), ("Access-Control-Max-Age", "600")]
        if request_headers:
            headers.append(("Access-Control-Allow-Headers", request_headers))
        self._send(request, Response(204, headers=headers))


class TestWeb:
    """Serve every site under *sites_dir* (plus registered endpoints) on one port."""

    __test__ = False  # not a pytest test class

    def __init__(self, sites_dir: Path = SITES_DIR, port: int = 0, log_file: Path | None = None):
        from leakmap.tests.web import endpoints  # registers dynamic routes

        self.sites_dir = sites_dir
        self.requested_port = port
        self.log_file = log_file
        self.ssl_context = server_context()
        self.endpoints: dict[tuple[str, str], Endpoint] = dict(endpoints.ROUTES)
        self.sites = {d.name: Site(d) for d in sorted(sites_dir.iterdir()) if d.is_dir()}
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> "TestWeb":
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, name="testweb", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "TestWeb":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

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
        endpoint = self.endpoints.get((request.host, path)) or self.endpoints.get((request.host, "*"))
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

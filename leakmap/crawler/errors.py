"""Turning browser errors into one clear, actionable line."""

from __future__ import annotations

import re

from playwright.async_api import Error as PlaywrightError

_NET_HINTS = {
    "ERR_NAME_NOT_RESOLVED": "the host name does not resolve (typo, or a staging host: use --host-rules)",
    "ERR_CONNECTION_REFUSED": "the server refused the connection (nothing listens on that port)",
    "ERR_CONNECTION_RESET": "the server reset the connection",
    "ERR_CONNECTION_CLOSED": "the server closed the connection without answering",
    "ERR_CONNECTION_TIMED_OUT": "the connection timed out",
    "ERR_TIMED_OUT": "the connection timed out",
    "ERR_ADDRESS_UNREACHABLE": "the address is unreachable",
    "ERR_INTERNET_DISCONNECTED": "no network connection",
    "ERR_TOO_MANY_REDIRECTS": "the page redirects in a loop",
    "ERR_EMPTY_RESPONSE": "the server sent an empty response",
    "ERR_ABORTED": "the navigation was aborted (a download, or the page replaced itself)",
    "ERR_PROXY_CONNECTION_FAILED": "the proxy refused the connection (check --proxy)",
    "ERR_SSL_PROTOCOL_ERROR": "TLS handshake failed",
}


def describe_navigation_error(exc: PlaywrightError | str) -> str:
    text = exc.message if isinstance(exc, PlaywrightError) else str(exc)
    first = text.splitlines()[0] if text else "unknown error"
    match = re.search(r"net::(ERR_[A-Z_]+)", first)
    if match:
        code = match.group(1)
        if code.startswith("ERR_CERT") or code.startswith("ERR_SSL"):
            hint = _NET_HINTS.get(code) or "the TLS certificate is not trusted"
            return f"{code}: {hint} (for a staging server, use --ignore-https-errors)"
        return f"{code}: {_NET_HINTS.get(code, 'network error')}"
    if "Target page, context or browser has been closed" in first or "Target crashed" in first:
        return "the browser or the page's renderer crashed"
    return re.sub(r"^\w+\.\w+: ", "", first)[:500]

"""Parsing cookie writes as they were asked for, not as the browser stored them.

Chromium caps stored expiry at 400 days, so the lifetime a tracker *asked for*
(what CNIL's 13-month rule is about) is only in the raw ``Set-Cookie`` line or
``document.cookie`` string. The parser follows RFC 6265 section 5.2 loosely,
like browsers do: the first ``=`` splits name and value, attributes are
case-insensitive, unknown attributes are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass
class ParsedCookie:
    name: str
    value: str
    domain: str | None = None
    path: str | None = None
    expires: str | None = None
    max_age: int | None = None
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    partitioned: bool = False

    def lifetime(self, now: float) -> float | None:
        """Seconds the cookie asked to live (Max-Age wins over Expires); None for a session cookie."""
        if self.max_age is not None:
            return float(self.max_age)
        if self.expires:
            when = parse_cookie_date(self.expires)
            if when is not None:
                return round(when - now, 3)
        return None


def parse_cookie_date(text: str) -> float | None:
    """Epoch seconds of a cookie date (RFC 1123 and the common variants), or None."""
    text = text.strip()
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        pass
    for sep in ("-", " "):  # "Wed, 21-Oct-2026 07:28:00 GMT"
        try:
            return parsedate_to_datetime(text.replace(sep, " ")).timestamp()
        except (TypeError, ValueError, IndexError):
            continue
    return None


def parse_set_cookie(line: str) -> ParsedCookie | None:
    """Parse one ``Set-Cookie`` header line or ``document.cookie`` assignment."""
    parts = line.split(";")
    pair = parts[0]
    if "=" in pair:
        name, value = pair.split("=", 1)
    else:  # a nameless cookie, as browsers accept it
        name, value = "", pair
    name, value = name.strip(), value.strip()
    if not name and not value:
        return None
    cookie = ParsedCookie(name, value)
    for attr in parts[1:]:
        key, _, val = attr.partition("=")
        key, val = key.strip().lower(), val.strip()
        if key == "domain" and val:
            cookie.domain = val.lower()
        elif key == "path":
            cookie.path = val or None
        elif key == "expires":
            cookie.expires = val or None
        elif key == "max-age":
            try:
                cookie.max_age = int(val)
            except ValueError:
                pass
        elif key == "secure":
            cookie.secure = True
        elif key == "httponly":
            cookie.http_only = True
        elif key == "samesite":
            cookie.same_site = val.capitalize() if val else None
        elif key == "partitioned":
            cookie.partitioned = True
    return cookie

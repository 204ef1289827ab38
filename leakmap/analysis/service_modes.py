"""Which parameters a request passes, and whether they put the vendor in a service-provider mode.

A vendor told to act as a service provider (Google's restricted data processing ``rdp=1``, Meta's
Limited Data Use ``dpo=LDU``, ...: :func:`leakmap.blocklists.laws.service_modes`) receives no sale
or share under the CCPA and the laws modelled on it, so a request in such a mode with Global
Privacy Control on is the site honouring the opt-out. Parameters are read where tags put them:
the URL query, a form-encoded body, and any key of a JSON body or of a JSON-valued parameter
(OpenRTB's ``regs.gpp``, a pixel's ``ed={...}``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from leakmap.blocklists.laws import Law, service_modes

_MAX_DEPTH = 6


def _leaves(value: Any, depth: int = 0) -> list[tuple[str, str]]:
    """(key, value) of every string or number under a JSON value's keys."""
    out: list[tuple[str, str]] = []
    if depth > _MAX_DEPTH:
        return out
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                out.append((str(k), str(v)))
            else:
                out += _leaves(v, depth + 1)
    elif isinstance(value, list):  # its items have no key of their own: only their objects count
        for v in value:
            out += _leaves(v, depth + 1)
    return out


def _json(text: str) -> Any:
    text = text.strip()
    if not text.startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def request_params(url: str, body: str | None) -> list[tuple[str, str]]:
    """Every (name, value) a request passes: query and form pairs, and the keys of JSON bodies and
    JSON-valued pairs."""
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=False) if "?" in url else []
    if body:
        parsed = _json(body)
        if parsed is not None:
            pairs += _leaves(parsed)
        elif "=" in body and "\n" not in body[:2000]:
            pairs += parse_qsl(body[:65536])
    out = list(pairs)
    for _, value in pairs:
        nested = _json(value) if value[:1] in "{[" else None
        if nested is not None:
            out += _leaves(nested)
    return out


def service_mode(url: str, body: str | None, domain: str, laws: list[Law],
                 params: list[tuple[str, str]] | None = None) -> dict[str, Any] | None:
    """The documented service-provider mode a request to ``domain`` is sent in, when it covers a
    law in scope: the vendor, the mode, the parameter that says so, the states it covers and does
    not, what the site declared beside it, and the vendor's documentation."""
    modes = [m for m in service_modes() if domain in m.domains]
    if not modes or not laws:
        return None
    params = request_params(url, body) if params is None else params
    for mode in modes:
        hit = next(((k, v) for p in mode.params for k, v in params if k == p.name and p.matches(v)), None)
        covered = [law.id for law in laws if mode.covers(law.id)]
        if hit is None or not covered:
            continue
        declared = {k: v for k, v in params if k in mode.detail}
        return {"vendor": mode.vendor, "mode": mode.name, "parameter": f"{hit[0]}={hit[1]}", "covers": covered,
                "not_covered": [law.id for law in laws if law.id not in covered],
                **({"declared": declared} if declared else {}), "sources": list(mode.sources)}
    return None

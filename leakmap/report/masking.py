"""Masking cookie and identifier values in report evidence.

A report travels further than the store (PR comments, CI artifacts, e-mails to a lawyer), and a
tracker's cookie value is an identifier of the auditing browser's profile. Reports show that a
value existed and how long it was, not the value itself, unless ``--show-values`` is given.
Request URLs and bodies are kept as sent: they are the evidence, even when they carry an identifier.
"""

from __future__ import annotations

from typing import Any

# evidence keys holding a cookie, storage or identifier value
VALUE_KEYS = frozenset({"value", "identifier"})
# subtrees whose values are the auditor's own canary input (pii-leak), never a visitor's
KEEP_SUBTREES = frozenset({"field"})


def mask(value: str) -> str:
    return f"[masked: {len(value)} chars]"


def mask_raw_cookie(raw: str) -> str:
    """``name=value; Attr=...`` with the value masked and the attributes kept."""
    head, sep, attrs = raw.partition(";")
    name, eq, value = head.partition("=")
    if not eq:
        return raw
    return f"{name}={mask(value)}{sep}{attrs}"


def mask_evidence(node: Any, key: str | None = None) -> Any:
    """A copy of ``node`` with cookie/storage/identifier values masked."""
    if isinstance(node, dict):
        if key in KEEP_SUBTREES:
            return dict(node)
        out: dict[str, Any] = {}
        for k, v in node.items():
            if k in VALUE_KEYS and isinstance(v, str):
                out[k] = mask(v)
            elif k == "raw" and isinstance(v, str):
                out[k] = mask_raw_cookie(v)
            elif k == "stored_choice" and isinstance(v, dict):
                out[k] = {name: mask(val) if isinstance(val, str) else val for name, val in v.items()}
            else:
                out[k] = mask_evidence(v, k)
        return out
    if isinstance(node, list):
        return [mask_evidence(v, key) for v in node]
    return node

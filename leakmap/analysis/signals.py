"""Consent signals carried by requests and recorded by the consent engine.

Google Consent Mode, parsed from request URLs (and POST bodies):

- ``gcs=G1<ad_storage><analytics_storage>``: ``1`` granted, ``0`` denied; ``G100`` is the
  "cookieless ping" Google sends when both are denied.
- ``gcd=<2 chars><letter><digit><letter><digit>...``: one letter per signal, in the order
  ad_storage, analytics_storage, ad_user_data, ad_personalization. ``l``: not set;
  ``p``/``q``/``m``/``u``: denied (by default, by default and update, by update, granted by
  default but denied by update); ``t``/``r``/``n``/``v``: granted (by default, denied by default
  but granted by update, by update, by default and update).

IAB TCF v2 TC strings are decoded with the ``iab-tcf`` library; they are read from the consent
records (see :mod:`leakmap.analysis.rules.consent` for the keys) and from request parameters
(``gdpr_consent``, ``euconsent-v2``, ...).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from iab_tcf import decode_v2

_GCS = re.compile(r"[?&;]gcs=G1([01])([01])")
_GCD = re.compile(r"[?&;]gcd=([0-9a-zA-Z.]{4,40})")
GCD_SIGNALS = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")
_GRANTED, _DENIED = frozenset("trnv"), frozenset("pqmu")
TC_PARAMS = ("gdpr_consent", "gdpr_consent_string", "euconsent-v2", "euconsent", "tc_string", "consent_string")
_TC = re.compile(r"[?&;](?:" + "|".join(re.escape(p) for p in TC_PARAMS) + r")=([A-Za-z0-9_\-.]{16,})")


def consent_mode(text: str) -> dict[str, Any] | None:
    """Google Consent Mode state of a request URL (or body), or None when it carries none."""
    if "gcs=" not in text and "gcd=" not in text:
        return None
    state: dict[str, Any] = {}
    m = _GCS.search(text)
    if m:
        state["gcs"] = f"G1{m.group(1)}{m.group(2)}"
        state["ad_storage"] = m.group(1) == "1"
        state["analytics_storage"] = m.group(2) == "1"
    m = _GCD.search(text)
    if m:
        state["gcd"] = m.group(1)
        letters = [c for c in m.group(1)[2:] if c.isalpha()]
        for name, letter in zip(GCD_SIGNALS, letters, strict=False):
            if letter in _GRANTED:
                state.setdefault(name, True)
            elif letter in _DENIED:
                state.setdefault(name, False)
    return state or None


def granted(state: dict[str, Any] | None) -> list[str]:
    """The storage signals a Consent Mode state grants."""
    return [s for s in GCD_SIGNALS if state and state.get(s) is True]


def denied_ping(state: dict[str, Any] | None) -> bool:
    """A "cookieless" ping: ad_storage and analytics_storage both denied (``gcs=G100``)."""
    return bool(state) and state.get("ad_storage") is False and state.get("analytics_storage") is False


def tc_strings(text: str) -> list[str]:
    return _TC.findall(text) if "consent" in text else []


@lru_cache(maxsize=4096)
def decode_tc(tc_string: str) -> dict[str, Any] | None:
    """Purposes and vendors a TCF v2 TC string consents to (None when it cannot be decoded)."""
    try:
        tc = decode_v2(tc_string)
    except Exception:  # noqa: BLE001 - the decoder raises anything on junk
        return None
    ranges = getattr(tc, "consented_vendors_range", None)
    if ranges is not None:
        vendors = sorted({v for start, end in ranges for v in range(start, end + 1)})
    else:
        vendors = sorted(k for k, on in (getattr(tc, "consented_vendors", None) or {}).items() if on)
    return {
        "cmp_id": tc.cmp_id,
        "purposes_consent": sorted(k for k, on in (tc.purposes_consent or {}).items() if on),
        "vendors_consent": vendors,
    }


def tcf_state(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A TCF state from what the consent engine recorded: ``{"tcString": ..., "decoded": {...}}``
    (the engine's format), a bare TC string, or already decoded ``purposes_consent`` lists."""
    if not data:
        return None
    if isinstance(data, str):
        decoded = decode_tc(data)
        return {"tc_string": data, **decoded} if decoded else None
    if "purposes_consent" in data:
        return {"tc_string": data.get("tc_string") or data.get("tcString"), **data}
    decoded = data.get("decoded")
    if isinstance(decoded, dict) and "purposes_consent" in decoded:
        return {"tc_string": data.get("tcString"), **decoded}
    if data.get("tcString"):
        return tcf_state(data["tcString"])
    return None


def grants_anything(state: dict[str, Any] | None) -> bool:
    return bool(state) and bool(state.get("purposes_consent") or state.get("vendors_consent"))


# IAB Global Vendor List ids of common vendors, by registrable domain (GVL, public). Used to tell
# whether a vendor receiving data holds TCF consent. Belongs in the knowledge base; kept small here.
GVL_IDS: dict[str, int] = {
    "doubleclick.net": 755, "google-analytics.com": 755, "googlesyndication.com": 755,
    "googleadservices.com": 755, "google.com": 755,
    "criteo.com": 91, "criteo.net": 91,
    "adnxs.com": 32,
    "rubiconproject.com": 52,
    "pubmatic.com": 76,
    "openx.net": 69,
    "casalemedia.com": 10,
    "adsrvr.org": 21,
    "3lift.com": 28,
    "taboola.com": 42,
    "outbrain.com": 164,
    "quantserve.com": 11, "quantcount.com": 11,
    "rlcdn.com": 97,
    "crwdcntrl.net": 95,
    "teads.tv": 132,
    "smartadserver.com": 45,
    "adform.net": 50,
    "lijit.com": 13,
    "sharethrough.com": 80,
    "360yield.com": 253,
}

"""Consent state as the page's own standard APIs report it: IAB TCF v2, GPP and the US Privacy API.

Read in the top frame after the consent step (and in ``baseline`` after
detection), with short caps: a CMP that never answers is recorded as such.
The TC string is decoded with the ``iab-tcf`` library.
"""

from __future__ import annotations

import asyncio
from typing import Any

from iab_tcf import decode_v2
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

_TCF_JS = """
() => new Promise((resolve) => {
  if (typeof window.__tcfapi !== "function") return resolve(null);
  let done = false;
  const finish = (v) => { if (!done) { done = true; resolve(v); } };
  setTimeout(() => finish({ status: "no answer" }), 1500);
  try {
    window.__tcfapi("addEventListener", 2, (d, ok) => {
      if (!ok || !d) return finish({ status: "failed" });
      if (!["tcloaded", "useractioncomplete", "cmpuishown"].includes(d.eventStatus)) return;
      finish({ status: "ok", tcString: d.tcString, eventStatus: d.eventStatus, cmpId: d.cmpId,
               cmpVersion: d.cmpVersion, cmpStatus: d.cmpStatus, gdprApplies: d.gdprApplies,
               tcfPolicyVersion: d.tcfPolicyVersion });
      try { window.__tcfapi("removeEventListener", 2, () => {}, d.listenerId); } catch (e) {}
    });
  } catch (e) { finish({ status: "error", error: String(e) }); }
})
"""

_GPP_JS = """
() => new Promise((resolve) => {
  if (typeof window.__gpp !== "function") return resolve(null);
  let done = false;
  const finish = (v) => { if (!done) { done = true; resolve(v); } };
  const pick = (d) => ({ status: "ok", gppVersion: d.gppVersion, cmpStatus: d.cmpStatus, signalStatus: d.signalStatus,
    cmpId: d.cmpId, gppString: d.gppString, applicableSections: d.applicableSections,
    sectionList: d.sectionList, parsedSections: d.parsedSections });
  const ping = () => new Promise((r) => { try { window.__gpp("ping", (d) => r(d)); } catch (e) { r(null); } });
  setTimeout(async () => { const d = await ping(); finish(d ? { ...pick(d), status: "not ready" } : { status: "no answer" }); }, 1500);
  ping().then((d) => {
    if (!d) return;
    if (d.signalStatus === "ready") return finish(pick(d));
    try {
      window.__gpp("addEventListener", (evt) => {
        if (evt && evt.eventName === "signalStatus" && evt.data === "ready") ping().then((p) => p && finish(pick(p)));
      });
    } catch (e) {}
  });
})
"""


# IAB CCPA/US Privacy API (``usprivacy`` string such as ``1YYN``; GPP's predecessor, still common)
_USP_JS = """
() => new Promise((resolve) => {
  if (typeof window.__uspapi !== "function") return resolve(null);
  setTimeout(() => resolve({ status: "no answer" }), 1500);
  try {
    window.__uspapi("getUSPData", 1, (d, ok) => resolve(ok && d ? { status: "ok", version: d.version,
      uspString: d.uspString } : { status: "failed" }));
  } catch (e) { resolve({ status: "error", error: String(e) }); }
})
"""
# the signal as the page sees it (undefined unless the phase's browser sends GPC)
_GPC_JS = "() => navigator.globalPrivacyControl"


def decode_tc_string(tc_string: str) -> dict[str, Any]:
    """The parts of a TCF v2 TC string the rules need (purposes, vendors, CMP)."""
    try:
        tc = decode_v2(tc_string)
    except Exception as exc:  # noqa: BLE001 - the decoder raises various errors on junk
        return {"error": f"cannot decode TC string: {exc}"}
    if tc.version != 2:
        return {"error": f"not a TCF v2 TC string (version field {tc.version})"}
    def on(bits: dict[int, bool] | None) -> list[int]:
        return sorted(k for k, v in (bits or {}).items() if v)

    def vendors(field: str) -> list[int]:  # bitfield or range encoding
        ranges = getattr(tc, f"{field}_range", None)
        if ranges is not None:
            return sorted({v for start, end in ranges for v in range(start, end + 1)})
        return on(getattr(tc, field, None))

    def text(value: Any) -> Any:
        return value.decode() if isinstance(value, bytes) else value

    return {
        "version": tc.version,
        "cmp_id": tc.cmp_id,
        "cmp_version": tc.cmp_version,
        "consent_language": text(tc.consent_language),
        "vendor_list_version": tc.vendor_list_version,
        "policy_version": tc.tcf_policy_version,
        "created": tc.created.isoformat() if hasattr(tc.created, "isoformat") else str(tc.created),
        "purposes_consent": on(tc.purposes_consent),
        "purposes_legitimate_interest": on(tc.purposes_legitimate_interests),
        "special_features": on(tc.special_features_optin),
        "vendors_consent": vendors("consented_vendors"),
        "vendors_legitimate_interest": vendors("interests_vendors"),
        "publisher_cc": text(tc.publisher_cc),
    }


async def _evaluate(page: Page, script: str) -> Any:
    try:
        return await asyncio.wait_for(page.evaluate(script), 4)
    except (PlaywrightError, TimeoutError):
        return None


async def read_signals(page: Page) -> dict[str, Any]:
    """{"tcf": ..., "gpp": ..., "usp": ...} for whichever of the APIs the page offers, and
    ``navigator_gpc`` when the page sees a Global Privacy Control property."""
    out: dict[str, Any] = {}
    tcf, gpp, usp, gpc = await asyncio.gather(_evaluate(page, _TCF_JS), _evaluate(page, _GPP_JS),
                                              _evaluate(page, _USP_JS), _evaluate(page, _GPC_JS))
    if usp:
        out["usp"] = usp
    if gpc is not None:
        out["navigator_gpc"] = gpc
    if tcf:
        if tcf.get("tcString"):
            tcf["decoded"] = decode_tc_string(tcf["tcString"])
        out["tcf"] = tcf
    if gpp:
        out["gpp"] = gpp
    return out

"""The Global Privacy Control signal, sent by the browser of a phase whose row asks for it.

GPC is two things (W3C GPC spec): the ``Sec-GPC: 1`` request header on every request, and
``navigator.globalPrivacyControl === true`` in every window and worker before any page script
runs. Chromium has a built-in switch (``--enable-features=GlobalPrivacyControlForce``, checked on
Chromium 156), but it is process-wide: in the one browser every phase shares it would send the
signal from the baseline, accept and reject contexts too and change the traffic they audit. So
the signal is set per target, on leakmap's own DevTools session of each target while it is still
paused (:meth:`leakmap.crawler.recorder.PageRecorder._setup`): ``Network.setExtraHTTPHeaders``
adds the header (pages, frames, workers, service workers, beacons: every request the target
sends), a script on new document defines the property in windows and frames, and
``Runtime.evaluate`` defines it in a worker's global scope before its script runs. One request
goes without the header: the browser's fetch of a new service worker's own script, made before
that worker's DevTools session handles commands (the worker's own requests carry it).
``tests/test_crawler_gpc.py`` checks each channel against the test web's server log and
against the built-in switch.
"""

from __future__ import annotations

from dataclasses import dataclass

HEADER = {"Sec-GPC": "1"}

# Defines the property as Chromium's built-in does: a getter on the prototype (Navigator in
# windows, WorkerNavigator in workers), enumerable and configurable; never redefined.
_PROPERTY = """(() => {
  const proto = typeof Navigator !== "undefined" ? Navigator.prototype
    : typeof WorkerNavigator !== "undefined" ? WorkerNavigator.prototype : null;
  if (!proto || Object.getOwnPropertyDescriptor(proto, "globalPrivacyControl")) return;
  Object.defineProperty(proto, "globalPrivacyControl", {
    get: function globalPrivacyControl() { return true; }, enumerable: true, configurable: true,
  });
})();"""


@dataclass(frozen=True)
class BrowserSignal:
    """What a phase's browser sends on every target: extra request headers and a script that
    runs in every document and worker before the page's own."""

    headers: dict[str, str]
    script: str


GPC = BrowserSignal(HEADER, _PROPERTY)


def signal_for(gpc: bool) -> BrowserSignal | None:
    """The browser signal of a phase (its row's ``gpc`` field), or None when it sends none."""
    return GPC if gpc else None

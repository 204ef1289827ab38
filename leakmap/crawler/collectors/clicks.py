"""The clicks of a consent action, each with its time, in every frame of the visited page.

The moment of a choice is the click that decides it (the last of "settings", "untick", "save"),
not the first; the consent engine's own clicks (autoconsent clicks from inside the page) and
leakmap's (Playwright's) are both seen here, by a capture-phase listener that runs before the
page's own handlers. A click on a label counts once: the click the browser then gives its control
is not another step. Only visits that take a consent action listen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leakmap.crawler.collectors.base import Collector

_CLICK_JS = """(() => {
  const s = window[Symbol.for("__LEAKMAP_STATE__")];
  if (!s || s.clicks) return;
  s.clicks = true;
  const text = (el) => (el.tagName === "INPUT" ? el.value : (el.innerText || el.textContent || el.getAttribute("aria-label") || ""))
    .replace(/\\s+/g, " ").trim().slice(0, 120);
  let activated = null;  // the control a clicked label is about to click too: one click of the visitor's
  addEventListener("click", (e) => {
    try {
      if (e.target === activated) { activated = null; return; }
      const label = e.target instanceof Element ? e.target.closest("label") : null;
      if (label && label.control && label.control !== e.target && !label.contains(e.target.closest("input, button, select, textarea"))) {
        activated = label.control;
        setTimeout(() => { activated = null; }, 0);
      }
      const el = e.target instanceof Element ? (e.target.closest("button, a, [role=button], input, label, [onclick]") || e.target) : null;
      s.post({ t: "click", text: el ? text(el) : "", tag: el ? el.tagName.toLowerCase() : "", id: el && el.id ? el.id.slice(0, 80) : "",
               trusted: e.isTrusted });
    } catch (err) {}
  }, true);
})();"""


@dataclass(frozen=True)
class Click:
    time: float
    text: str
    tag: str
    element_id: str
    frame: str
    trusted: bool  # dispatched by the browser (Playwright's clicks) rather than by a script (autoconsent's)

    def as_dict(self) -> dict[str, Any]:
        return {"time": self.time, "text": self.text, "tag": self.tag, "id": self.element_id, "frame": self.frame,
                "trusted": self.trusted}


class ClickCollector(Collector):
    name = "clicks"
    hooks = frozenset({"click"})
    target_types = frozenset()  # page-side only: the hook reaches every frame through instrument.js
    in_popups = False

    def __init__(self, visit):
        super().__init__(visit)
        self.scripts = (_CLICK_JS,) if visit.action or visit.later else ()
        self.clicks: list[Click] = []

    def on_hook(self, session, message: dict[str, Any]) -> None:
        self.clicks.append(Click(float(message.get("time") or 0), str(message.get("text") or ""),
                                 str(message.get("tag") or ""), str(message.get("id") or ""),
                                 str(message.get("frame") or ""), bool(message.get("trusted"))))

    def between(self, start: float, end: float) -> list[Click]:
        """The clicks from ``start`` to ``end`` (epoch seconds), in order."""
        return sorted((c for c in self.clicks if start <= c.time <= end), key=lambda c: c.time)

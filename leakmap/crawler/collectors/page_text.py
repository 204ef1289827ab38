"""What a page shows a visitor: its visible text, links and toggles, per frame, after each load.

Recorded raw (capped) in the phases whose browser sends Global Privacy Control: California's
regulation § 7025(c)(6) makes a site that processes the signal display whether it did
("Opt-Out Request Honored", or a toggle showing the opt-out), and § 1798.135(a) asks for a "Do Not
Sell or Share My Personal Information" (or "Your Privacy Choices") link. Whether the page did is
judged in analysis (:mod:`leakmap.analysis.rules.optout`), from these records, so an old store is
re-judged with newer vocabulary.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from leakmap.crawler.collectors.base import Collector
from leakmap.phases import phase as phase_of
from leakmap.records import PageText

MAX_TEXT = 20_000  # characters of visible text per frame and load
MAX_FRAMES = 20

# Visible text (open shadow roots included: consent platforms render there), visible links and
# buttons with their accessible names, and visible toggles (checkbox, radio, switch) with their
# labels and state.
_READ_JS = """(max) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect(), st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none' && st.opacity !== '0';
  };
  const name = (el) => (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 200);
  const texts = [], links = [], controls = [];
  const labelOf = (el) => {
    const own = el.getAttribute('aria-label') || (el.labels && el.labels.length ? el.labels[0].innerText : '');
    const by = el.getAttribute('aria-labelledby');
    const ref = by ? by.split(/\\s+/).map((id) => (el.getRootNode().getElementById
      ? el.getRootNode().getElementById(id) : document.getElementById(id))).filter(Boolean).map((n) => n.innerText).join(' ') : '';
    return (own || ref || (el.closest('label') ? el.closest('label').innerText : '') || '').trim().replace(/\\s+/g, ' ').slice(0, 200);
  };
  const walk = (root) => {
    for (const el of root.querySelectorAll('a[href], button, [role=button], [role=link]')) {
      if (links.length < 300 && visible(el)) links.push({ text: name(el), href: el.href || '',
        label: (el.getAttribute('aria-label') || el.getAttribute('title') || '').slice(0, 200) });
    }
    for (const el of root.querySelectorAll('input[type=checkbox], input[type=radio], [role=switch], [role=checkbox]')) {
      if (controls.length < 100 && (visible(el) || (el.labels && el.labels.length && visible(el.labels[0])))) {
        const checked = el.matches('input') ? el.checked : el.getAttribute('aria-checked') === 'true';
        controls.push({ label: labelOf(el), checked, role: el.getAttribute('role') || el.type });
      }
    }
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) {
      texts.push(Array.from(el.shadowRoot.children, (c) => c.innerText || '').join('\\n'));
      walk(el.shadowRoot);
    }
  };
  texts.unshift(document.body ? document.body.innerText : '');
  walk(document);
  return { text: texts.join('\\n').slice(0, max), links, controls };
}"""


class PageTextCollector(Collector):
    name = "page_text"
    target_types = frozenset()

    def __init__(self, visit):
        super().__init__(visit)
        self._texts: list[PageText] = []

    async def on_loaded(self, page: Page) -> None:
        if not phase_of(self.visit.phase).gpc:
            return
        frames = page.frames[:MAX_FRAMES]
        read = await asyncio.gather(*(self._read(frame) for frame in frames))
        now = time.time()
        for frame, found in zip(frames, read, strict=True):
            if found and (found["text"].strip() or found["links"] or found["controls"]):
                self._texts.append(PageText(time=now, page_url=page.url, frame_url=frame.url, text=found["text"],
                                            links=found["links"], controls=found["controls"]))

    @staticmethod
    async def _read(frame: Frame) -> dict[str, Any] | None:
        try:
            return await frame.evaluate(_READ_JS, MAX_TEXT)
        except PlaywrightError:
            return None

    def records(self) -> list[Any]:
        return list(self._texts)

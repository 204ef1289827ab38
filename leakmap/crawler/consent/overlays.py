"""Pop-ups over a consent banner, closed the way a visitor closes them.

A newsletter, promotion or app-install modal with a full-page overlay often opens a second after
load, above the cookie banner, and takes every click meant for it. Before each click of a consent
action, :class:`Hand` looks at what the browser would click at the control's centre (inside
shadow roots too, and, for a control in an iframe, in the page around the iframe); when something
else is on top, it closes that first as a visitor would: its close control (a lone cross, or a
text, aria-label or title of the vocabulary's ``close`` role in any language: "Close",
"Schließen", "No thank you", ...), else ``Escape``, else a click on its backdrop beside the box.
Each dismissal is a step of the consent action (kept in :attr:`Hand.dismissals`; the key press in
:attr:`Hand.keys`, the clicks are in the page's click log). A layer that itself speaks of cookies
or consent is never dismissed (closing a banner can be taken as an answer), and leakmap never
falls back to a script click: a control that stays covered is an error of the consent step.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import ElementHandle, Frame, JSHandle, Page
from playwright.async_api import Error as PlaywrightError

from leakmap.crawler.consent import dom
from leakmap.crawler.consent.texts import COOKIE_WORDS
from leakmap.crawler.consent.vocabulary import vocabulary

# ms for Playwright to find the control clickable (visible, stable, not covered): what covers it
# is looked at before, so this is only the page's own pace, which a busy machine slows down
CLICK_TIMEOUT = 15000
GONE_WAIT = 3.0  # seconds for a dismissed layer to leave (closing animations)
CROSSES = ("×", "✕", "✖", "╳", "⨯", "x", "X")

# What a visitor's click at the control's centre lands on, when it is something else: the outermost
# element around it that does not hold the control (the pop-up's whole layer), when that is a
# layer of the page's own (a child of the body). ``point``: where
# to look (the centre of an iframe's control, in this frame), else the control's own centre,
# scrolled into view first as a visitor scrolls to it.
_COVER_JS = """([el, point]) => {
  let x, y;
  if (point) { [x, y] = point; } else {
    el.scrollIntoView({ block: "center", inline: "center" });
    const r = el.getBoundingClientRect();
    x = r.left + r.width / 2; y = r.top + r.height / 2;
  }
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return null;
  const hit = deep.at(x, y);
  if (!hit || hit === el || deep.contains(el, hit) || deep.contains(hit, el)) return null;
  const label = deep.closest(hit, "label");
  if (label && el.labels && [...el.labels].includes(label)) return null;  // its own label takes the click
  let layer = hit;
  for (let p = deep.parent(layer); p && p !== document.body && p !== document.documentElement && !deep.contains(p, el);
       p = deep.parent(p)) layer = p;
  // a pop-up is a layer of its own under the body; a part of the same container (a label, a sticky
  // bar of the same panel) is no pop-up: Playwright's own checks judge that click
  const parent = deep.parent(layer);
  return !parent || parent === document.body || parent === document.documentElement ? layer : null;
}"""

_DESCRIBE_JS = """([layer, words]) => {
  const text = deep.text(layer).replace(/\\s+/g, " ").trim();
  const cls = typeof layer.className === "string" ? layer.className.trim() : "";
  return { element: "<" + layer.tagName.toLowerCase() + (layer.id ? "#" + layer.id : "") + (cls ? "." + cls.split(/\\s+/).join(".") : "") + ">",
           text: text.slice(0, 160), consent: words.some((w) => text.toLowerCase().includes(w)) };
}"""

# The layer's own close control: a lone cross, or a close text of the vocabulary (text, aria-label, title).
_CLOSE_JS = """([layer, closes, crosses]) => {
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim().toLowerCase()
      .replace(/^[\\s"'«»›>→✓✔×✕]+|[\\s"'«»›>→✓✔×✕.!]+$/g, "");
  const rank = new Map(closes.map((w, i) => [w, i]));
  let best = null, bestRank = Infinity;
  for (const el of deep.all('button, a, [role=button], [onclick], input[type=button], [aria-label], [title]', layer)) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, opacityProperty: true }))) continue;
    const raw = (el.tagName === "INPUT" ? el.value : el.innerText || "").trim();
    for (const name of [raw, el.getAttribute("aria-label"), el.getAttribute("title")]) {
      const at = crosses.includes((name || "").trim()) ? -1 : rank.has(norm(name)) ? rank.get(norm(name)) : null;
      if (at !== null && at < bestRank) { best = el; bestRank = at; }
    }
  }
  return best;
}"""

# A point of the layer's backdrop, off its box: near the viewport's edges, on the layer itself or
# on an empty part of it, never on a link or button. [x, y] in this frame, or null.
_OUTSIDE_JS = """(layer) => {
  const w = innerWidth, h = innerHeight;
  for (const [x, y] of [[8, 8], [w - 8, 8], [8, h - 8], [w - 8, h - 8], [w / 2, 8], [w / 2, h - 8], [8, h / 2], [w - 8, h / 2]]) {
    const hit = deep.at(x, y);
    if (!hit || !(hit === layer || deep.contains(layer, hit))) continue;
    if (deep.closest(hit, "a, button, input, select, textarea, label, [role=button]")) continue;
    if (hit !== layer && deep.text(hit).trim()) continue;
    return [x, y];
  }
  return null;
}"""


class Covered(Exception):
    """A consent control stays covered by another element that a visitor could not close."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def why(exc: PlaywrightError | Covered) -> str:
    """What went wrong with a click, in one line."""
    return exc.message.splitlines()[0]


@dataclass
class Hand:
    """Clicks the controls of one consent action as a visitor does, closing what covers them."""

    page: Page
    dismissals: list[dict[str, Any]] = field(default_factory=list)  # {time, how, control, covering, text}
    keys: list[dict[str, Any]] = field(default_factory=list)  # key presses, as steps beside the clicks

    async def click(self, element: ElementHandle, frame: Frame, what: str = "") -> None:
        """Click ``element`` (found in ``frame``) once nothing covers it; raises :class:`Covered`
        when something does and cannot be closed, PlaywrightError when the click itself fails."""
        for attempt in range(2):
            await self.clear(element, frame, what)
            try:
                await element.click(timeout=CLICK_TIMEOUT)
                return
            except PlaywrightError as exc:  # a pop-up that opened between the check and the click
                if attempt or "intercepts pointer events" not in exc.message:
                    raise

    async def clear(self, element: ElementHandle, frame: Frame, what: str = "") -> None:
        """Close whatever covers ``element``, as a visitor would; raises :class:`Covered` when it stays."""
        layer = await self._covering(element, frame)
        if layer is None:
            return
        await dom.reveal_closed_roots(self.page)  # the pop-up's own controls may sit in a closed root
        where, cover = layer
        about = await where.evaluate(dom.deep_script(_DESCRIBE_JS), [cover, list(COOKIE_WORDS)])
        control = f"the {what} control" if what else "the control"
        if about["consent"]:
            raise Covered(f"{control} is covered by {about['element']} (“{about['text']}”), which speaks of "
                          "cookies or consent: leakmap does not dismiss it")
        for how in ("close-control", "escape", "click-outside"):
            done = await self._dismiss(how, where, cover, about, what)
            if not done:
                continue
            if await self._gone(element, frame):
                return
            layer = await self._covering(element, frame)
            if layer is None:
                return
            where, cover = layer
        raise Covered(f"{control} is covered by {about['element']} (“{about['text']}”), which neither a close "
                      "control, Escape nor a click beside it removed")

    async def _dismiss(self, how: str, frame: Frame, layer: JSHandle, about: dict[str, Any], what: str) -> bool:
        step = {"how": how, "control": what, "covering": about["element"], "text": about["text"]}
        try:
            if how == "close-control":
                handle = await frame.evaluate_handle(dom.deep_script(_CLOSE_JS),
                                                     [layer, list(vocabulary().close), list(CROSSES)])
                closer = handle.as_element()
                if closer is None:
                    return False
                label = await closer.evaluate("(el) => (el.innerText || '').trim() || el.getAttribute('aria-label') "
                                              "|| el.getAttribute('title') || ''")
                step.update(time=time.time(), label=label[:80])
                await closer.click(timeout=CLICK_TIMEOUT)
            elif how == "escape":
                step["time"] = time.time()
                await self.page.keyboard.press("Escape")
                self.keys.append({"time": step["time"], "text": "Escape", "tag": "key", "id": "", "frame": frame.url,
                                  "trusted": True})
            else:
                point = await frame.evaluate(dom.deep_script(_OUTSIDE_JS), layer)
                if point is None:
                    return False
                x, y = await _in_page(frame, point)
                step.update(time=time.time(), at=[round(x), round(y)])
                await self.page.mouse.click(x, y)
        except PlaywrightError:
            return False
        self.dismissals.append(step)
        return True

    async def _covering(self, element: ElementHandle, frame: Frame) -> tuple[Frame, JSHandle] | None:
        """The layer on top of ``element`` (in its frame, or in the page around its iframe), or None.
        (The closed roots on the way to ``element`` were handed over by the search that found it.)"""
        script = dom.deep_script(_COVER_JS)
        try:
            handle = await frame.evaluate_handle(script, [element, None])
            if handle.as_element() is not None:
                return frame, handle
            if frame.parent_frame is None:
                return None
            box = await element.bounding_box()  # in the page's viewport
            top = frame
            while top.parent_frame is not None and top.parent_frame.parent_frame is not None:
                top = top.parent_frame
            iframe = await top.frame_element()
            main = top.parent_frame
            if box is None or main is None:
                return None
            centre = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
            handle = await main.evaluate_handle(script, [iframe, centre])
            return (main, handle) if handle.as_element() is not None else None
        except PlaywrightError:
            return None  # the frame went away: the click says what happened

    async def _gone(self, element: ElementHandle, frame: Frame) -> bool:
        deadline = time.monotonic() + GONE_WAIT
        while True:
            if await self._covering(element, frame) is None:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.1)


async def _in_page(frame: Frame, point: list[float]) -> tuple[float, float]:
    """A point of ``frame``'s viewport in the page's viewport (mouse coordinates)."""
    x, y = point
    while frame.parent_frame is not None:
        box = await (await frame.frame_element()).bounding_box()
        if box is not None:
            x, y = x + box["x"], y + box["y"]
        frame = frame.parent_frame
    return x, y

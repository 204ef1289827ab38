"""Finding a banner's buttons by their text, in any frame, and the path through its second layer."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

from playwright.async_api import ElementHandle, Frame, Page
from playwright.async_api import Error as PlaywrightError

from leakmap.crawler import pace
from leakmap.crawler.consent.texts import BANNER_WORDS
from leakmap.crawler.consent.vocabulary import vocabulary

# A button's visible text as the vocabulary holds it: the same steps as vocabulary.normalise.
NORMALISE_JS = """(s) => (s || "").replace(/\\s+/g, " ").trim().toLowerCase()
      .replace(/^[\\s"'«»›>→✓✔×✕]+|[\\s"'«»›>→✓✔×✕.!]+$/g, "")"""

# Scores every visible clickable element whose whole text is one of the wanted texts;
# elements inside something that talks about cookies/consent win. With `inBanner`, only those count.
_FIND_JS = """
([wanted, words, inBanner]) => {
  const norm = """ + NORMALISE_JS + """;
  const wantedSet = new Map(wanted.map((w, i) => [w, i]));
  const visible = (el) => {  // shown to a visitor: rendered, opaque up the tree, inside the viewport
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return false;
    if (el.closest('[aria-hidden="true"], [inert]')) return false;  // a closing dialog says so
    if (el.checkVisibility) return el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true });
    const st = getComputedStyle(el);
    return st.visibility !== "hidden" && st.display !== "none" && st.opacity !== "0";
  };
  const bannerish = (el) => {
    let node = el.parentElement, depth = 0;
    while (node && depth < 8) {
      const blob = norm((node.id || "") + " " + (typeof node.className === "string" ? node.className : "") + " "
                        + (node.getAttribute("role") || "") + " " + (node.getAttribute("aria-label") || ""));
      if (words.some((w) => blob.includes(w)) || node.getAttribute("role") === "dialog"
          || node.getAttribute("role") === "alertdialog" || node.tagName === "DIALOG") return 60;
      if (words.some((w) => norm(node.innerText || "").slice(0, 3000).includes(w))) return 30;
      node = node.parentElement; depth++;
    }
    return window !== window.top ? 30 : 0;  // a consent iframe has little else in it
  };
  const els = document.querySelectorAll('button, a, [role=button], input[type=button], input[type=submit], [onclick], [tabindex]');
  let best = null, bestScore = -1;
  for (const el of els) {
    const text = norm(el.tagName === "INPUT" ? el.value : (el.innerText || el.textContent || el.getAttribute("aria-label")));
    if (!wantedSet.has(text) || !visible(el)) continue;
    const context = bannerish(el);
    if (inBanner && context === 0) continue;
    const score = 100 - wantedSet.get(text) / wanted.length * 50 + context;
    if (score > bestScore) { best = el; bestScore = score; }
  }
  return best;
}
"""

# Switches a second layer shows ticked: purposes and vendors the visitor would have to untick.
_UNTICK_JS = """
() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  let n = 0;
  for (const el of document.querySelectorAll('input[type=checkbox], [role=switch], [role=checkbox]')) {
    const on = el.tagName === "INPUT" ? el.checked : el.getAttribute("aria-checked") === "true";
    const locked = el.disabled || el.getAttribute("aria-disabled") === "true" || el.readOnly;
    if (!on || locked) continue;
    const target = el.tagName === "INPUT" && !visible(el) && el.labels && el.labels[0] ? el.labels[0] : el;
    if (!visible(target)) continue;
    target.click();
    n++;
  }
  return n;
}
"""


def frames(page: Page) -> list[Frame]:
    """The page's frames, main frame first."""
    return [page.main_frame, *[f for f in page.frames if f != page.main_frame]]


async def find_text(page: Page, texts: Sequence[str], in_banner: bool = False) -> tuple[ElementHandle, Frame] | None:
    """The best visible button with one of ``texts`` on the page or in a frame (main frame first)."""
    arg = json.loads(json.dumps([list(texts), list(BANNER_WORDS), in_banner]))
    for frame in frames(page):
        try:
            handle = await frame.evaluate_handle(_FIND_JS, arg)
        except PlaywrightError:
            continue
        element = handle.as_element()
        if element is not None:
            return element, frame
        await handle.dispose()
    return None


async def find_button(page: Page, action: str) -> tuple[ElementHandle, Frame] | None:
    words = vocabulary()
    return await find_text(page, words.accept if action == "accept" else words.reject)


async def find_selector(page: Page, selector: str) -> tuple[ElementHandle, Frame] | None:
    """The first visible element matching a user's selector, in any frame."""
    for frame in frames(page):
        try:
            for element in await frame.query_selector_all(selector):
                if await element.is_visible():
                    return element, frame
        except PlaywrightError:
            continue
    return None


async def first_layer(page: Page) -> dict[str, str | None]:
    """The texts of the accept / reject / settings buttons a banner shows right now (None: absent)."""
    facts: dict[str, str | None] = {}
    words = vocabulary()
    for key, texts in (("accept", words.accept), ("reject", words.reject), ("settings", words.settings)):
        found = await find_text(page, texts, in_banner=True)
        facts[key] = ((await found[0].text_content()) or "").strip()[:120] if found else None
        if found:
            await found[0].dispose()
    return facts


async def click(element: ElementHandle) -> None:
    await element.click(timeout=pace.stretch(5) * 1000)  # a busy machine needs longer to make it actionable


async def reject_in_second_layer(page: Page, settle: Callable[[], Awaitable[object]]) -> tuple[int, str | None]:
    """Open the banner's settings, untick what is ticked, save (or reject there if offered).
    Returns (clicks, error)."""
    words = vocabulary()
    opener = await find_text(page, words.settings, in_banner=True)
    if opener is None:
        return 0, "the banner offers neither a reject button nor a settings layer"
    await click(opener[0])
    await settle()
    clicks, error = await refuse_in_layer(page)
    return clicks + 1, error


async def refuse_in_layer(page: Page) -> tuple[int, str | None]:
    """On an open settings layer: reject there if offered, else untick what is ticked and save.
    Returns (clicks, error)."""
    words = vocabulary()
    rejecter = await find_text(page, words.reject, in_banner=True)
    if rejecter is not None:
        await click(rejecter[0])
        return 1, None
    clicks = 0
    for frame in frames(page):
        try:
            clicks += await frame.evaluate(_UNTICK_JS)
        except PlaywrightError:
            continue
    saver = await find_text(page, words.save, in_banner=True)
    if saver is None:
        return clicks, "the settings layer has no save / confirm button"
    await click(saver[0])
    return clicks + 1, None

"""Finding the accept or reject button of a banner by its text, in any frame."""

from __future__ import annotations

import json

from playwright.async_api import ElementHandle, Error as PlaywrightError, Frame, Page

from leakmap.crawler.consent.texts import ACCEPT, BANNER_WORDS, REJECT

# Scores every visible clickable element whose whole text is one of the wanted texts;
# elements inside something that talks about cookies/consent win.
_FIND_JS = """
([wanted, words]) => {
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim().toLowerCase()
      .replace(/^[\\s"'«»›>→✓✔×✕]+|[\\s"'«»›>→✓✔×✕.!]+$/g, "");
  const wantedSet = new Map(wanted.map((w, i) => [w, i]));
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && st.visibility !== "hidden" && st.display !== "none" && st.opacity !== "0";
  };
  const els = document.querySelectorAll('button, a, [role=button], input[type=button], input[type=submit], [onclick], [tabindex]');
  let best = null, bestScore = -1;
  for (const el of els) {
    const text = norm(el.tagName === "INPUT" ? el.value : (el.innerText || el.textContent || el.getAttribute("aria-label")));
    if (!wantedSet.has(text) || !visible(el)) continue;
    let score = 100 - wantedSet.get(text) / wanted.length * 50;
    let node = el.parentElement, depth = 0;
    while (node && depth < 8) {
      const blob = norm((node.id || "") + " " + (typeof node.className === "string" ? node.className : "") + " "
                        + (node.getAttribute("role") || "") + " " + (node.getAttribute("aria-label") || ""));
      if (words.some((w) => blob.includes(w)) || node.getAttribute("role") === "dialog" || node.tagName === "DIALOG") { score += 60; break; }
      if (words.some((w) => norm(node.innerText || "").slice(0, 2000).includes(w))) { score += 30; break; }
      node = node.parentElement; depth++;
    }
    if (score > bestScore) { best = el; bestScore = score; }
  }
  return best;
}
"""


async def find_button(page: Page, action: str) -> tuple[ElementHandle, Frame] | None:
    """The best accept/reject button on the page or in one of its frames (main frame first)."""
    wanted = list(ACCEPT if action == "accept" else REJECT)
    arg = json.loads(json.dumps([wanted, list(BANNER_WORDS)]))
    for frame in [page.main_frame, *[f for f in page.frames if f != page.main_frame]]:
        try:
            handle = await frame.evaluate_handle(_FIND_JS, arg)
        except PlaywrightError:
            continue
        element = handle.as_element()
        if element is not None:
            return element, frame
        await handle.dispose()
    return None


async def find_selector(page: Page, selector: str) -> tuple[ElementHandle, Frame] | None:
    """The first visible element matching a user's selector, in any frame."""
    for frame in [page.main_frame, *[f for f in page.frames if f != page.main_frame]]:
        try:
            for element in await frame.query_selector_all(selector):
                if await element.is_visible():
                    return element, frame
        except PlaywrightError:
            continue
    return None

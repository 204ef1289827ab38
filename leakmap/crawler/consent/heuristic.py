"""Finding a banner's buttons by their text, anywhere a visitor sees them, and the path through its
second layer.

Every search runs through :mod:`leakmap.crawler.consent.dom`: in every frame, inside open and
closed shadow roots. Every click goes through :class:`~leakmap.crawler.consent.overlays.Hand`,
which closes a pop-up covering the control first, as a visitor would.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from playwright.async_api import ElementHandle, Frame, Page
from playwright.async_api import Error as PlaywrightError

from leakmap.crawler.consent import dom
from leakmap.crawler.consent.overlays import Hand
from leakmap.crawler.consent.texts import BANNER_WORDS, COOKIE_WORDS, PAY
from leakmap.crawler.consent.vocabulary import vocabulary

# A button's visible text as the vocabulary holds it: the same steps as vocabulary.normalise.
NORMALISE_JS = """(s) => (s || "").replace(/\\s+/g, " ").trim().toLowerCase()
      .replace(/^[\\s"'«»›>→✓✔×✕]+|[\\s"'«»›>→✓✔×✕.!]+$/g, "")"""

CLICKABLE = "button, a, [role=button], input[type=button], input[type=submit], [onclick], [tabindex]"

# Page-side helpers every search of this module shares (they use dom.DEEP_JS's ``deep``).
_HELPERS_JS = """
  const norm = """ + NORMALISE_JS + """;
  const visible = (el) => {  // shown to a visitor: rendered, opaque up the tree, inside the viewport
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return false;
    if (deep.closest(el, '[aria-hidden="true"], [inert]')) return false;  // a closing dialog says so
    if (el.checkVisibility) return el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true });
    const st = getComputedStyle(el);
    return st.visibility !== "hidden" && st.display !== "none" && st.opacity !== "0";
  };
  const label = (el) => norm(el.tagName === "INPUT" ? el.value : (el.innerText || el.textContent || el.getAttribute("aria-label")));
  const bannerish = (el) => {  // how much the element's surroundings look like a consent banner
    let node = deep.parent(el), depth = 0;
    while (node && depth < 8) {
      const blob = norm((node.id || "") + " " + (typeof node.className === "string" ? node.className : "") + " "
                        + (node.getAttribute("role") || "") + " " + (node.getAttribute("aria-label") || ""));
      if (words.some((w) => blob.includes(w)) || node.getAttribute("role") === "dialog"
          || node.getAttribute("role") === "alertdialog" || node.tagName === "DIALOG") return 60;
      if (words.some((w) => norm(node.innerText || "").slice(0, 3000).includes(w))) return 30;
      node = deep.parent(node); depth++;
    }
    return window !== window.top ? 30 : 0;  // a consent iframe has little else in it
  };
"""

# Per query [texts, inBanner]: the best visible clickable element whose whole text is one of the
# texts (earlier texts win a tie); elements inside something that talks about cookies/consent win.
# With inBanner, only those count.
_FIND_JS = """([queries, words]) => {""" + _HELPERS_JS + """
  const els = deep.all('""" + CLICKABLE + """');
  return queries.map(([wanted, inBanner]) => {
    const rank = new Map(wanted.map((w, i) => [w, i]));
    let best = null, bestScore = -1;
    for (const el of els) {
      const text = label(el);
      if (!rank.has(text) || !visible(el)) continue;
      const context = bannerish(el);
      if (inBanner && context === 0) continue;
      const score = 100 - rank.get(text) / wanted.length * 50 + context;
      if (score > bestScore) { best = el; bestScore = score; }
    }
    return best;
  });
}"""

# The paid alternative of a "pay or OK" wall: a control on the banner whose text speaks of paying.
_PAY_JS = """([phrases, words]) => {""" + _HELPERS_JS + """
  for (const el of deep.all('""" + CLICKABLE + """')) {
    const text = (el.tagName === "INPUT" ? el.value : (el.innerText || el.textContent || "")).replace(/\\s+/g, " ").trim();
    if (!text || text.length > 160 || !visible(el) || bannerish(el) < 60) continue;  // on the banner itself
    const t = " " + norm(text) + " ";
    if (!phrases.some((p) => t.includes(p))) continue;
    const link = deep.closest(el, "a[href]");
    return { text: text.slice(0, 200), link: link ? link.href : null };
  }
  return null;
}"""

# A consent banner on screen, whatever its buttons say: a visible dialog or fixed/sticky box (not
# the whole page) whose text speaks of cookies or consent. What it is, or null.
_SHOWN_JS = """([words, minText]) => {
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim().toLowerCase();
  for (const el of deep.all("*")) {
    if (el === document.body || el === document.documentElement) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 200 || r.height < 40 || r.bottom <= 0 || r.top >= innerHeight) continue;
    if (r.width >= innerWidth * 0.98 && r.height >= innerHeight * 0.98 && !el.matches('dialog, [role=dialog], [role=alertdialog], [aria-modal=true]')) continue;
    const role = el.getAttribute("role");
    const boxed = el.tagName === "DIALOG" || role === "dialog" || role === "alertdialog"
      || ["fixed", "sticky"].includes(getComputedStyle(el).position);
    if (!boxed || (el.checkVisibility && !el.checkVisibility({ opacityProperty: true, visibilityProperty: true }))) continue;
    const text = norm(deep.text(el));
    if (text.length < minText || !words.some((w) => text.includes(w))) continue;
    return { tag: el.tagName.toLowerCase(), id: el.id || null,
             class: typeof el.className === "string" ? el.className.slice(0, 120) : null,
             in_shadow_root: el.getRootNode() !== document, text: text.slice(0, 200) };
  }
  return null;
}"""

# A switch a second layer shows ticked (a purpose or vendor the visitor has to untick): what a
# visitor clicks to untick it (its label when the box itself is hidden), or null.
_TICKED_JS = """() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const el of deep.all('input[type=checkbox], [role=switch], [role=checkbox]')) {
    const on = el.tagName === "INPUT" ? el.checked : el.getAttribute("aria-checked") === "true";
    const locked = el.disabled || el.getAttribute("aria-disabled") === "true" || el.readOnly;
    if (!on || locked) continue;
    // a styled switch: the box is hidden or drawn over by its label, which is what a visitor clicks
    let target = el;
    if (el.tagName === "INPUT" && el.labels && el.labels[0]) {
      const r = el.getBoundingClientRect();
      const top = visible(el) ? deep.at(r.left + r.width / 2, r.top + r.height / 2) : null;
      if (!top || (top !== el && !deep.contains(el, top))) target = el.labels[0];
    }
    if (visible(target)) return target;
  }
  return null;
}"""
MAX_SWITCHES = 60

# How many purpose or vendor switches a consent interface shows (visible, inside something that
# talks about cookies or consent), ticked or not.
_SWITCHES_JS = """([words]) => {""" + _HELPERS_JS + """
  let n = 0;
  for (const el of deep.all('input[type=checkbox], [role=switch], [role=checkbox]')) {
    const target = el.tagName === "INPUT" && el.labels && el.labels[0] && !visible(el) ? el.labels[0] : el;
    if (visible(target) && bannerish(el)) n++;
  }
  return n;
}"""

# The first visible element matching a user's CSS selector, in the document or any shadow root.
_SELECTOR_JS = """(selector) => {
  for (const el of deep.all(selector)) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && (!el.checkVisibility || el.checkVisibility({ visibilityProperty: true }))) return el;
  }
  return null;
}"""

Found = tuple[ElementHandle, Frame]


async def find_texts(page: Page, queries: Sequence[tuple[Sequence[str], bool]]) -> list[Found | None]:
    """Per query (texts, in_banner), the best visible button with one of the texts, main frame first."""
    arg = json.loads(json.dumps([[[list(texts), in_banner] for texts, in_banner in queries], list(BANNER_WORDS)]))
    out: list[Found | None] = [None] * len(queries)
    for frame, handle in await dom.each(page, _FIND_JS, arg, handles=True):
        try:
            for i in range(len(queries)):
                if out[i] is None:
                    element = (await handle.get_property(str(i))).as_element()
                    if element is not None:
                        out[i] = (element, frame)
        except PlaywrightError:
            continue
        finally:
            await handle.dispose()
    return out


async def find_text(page: Page, texts: Sequence[str], in_banner: bool = False) -> Found | None:
    """The best visible button with one of ``texts`` on the page or in a frame (main frame first)."""
    return (await find_texts(page, [(texts, in_banner)]))[0]


async def find_button(page: Page, action: str) -> Found | None:
    words = vocabulary()
    return await find_text(page, words.accept if action == "accept" else words.reject)


async def find_selector(page: Page, selector: str) -> Found | None:
    """The first visible element matching a user's selector, in any frame and shadow root: through
    Playwright's selector engines (open shadow roots, its own ``text=``/``xpath=`` syntax), else as
    CSS inside closed shadow roots too."""
    for frame in dom.frames(page):
        try:
            for element in await frame.query_selector_all(selector):
                if await element.is_visible():
                    return element, frame
        except PlaywrightError:
            continue
    return await dom.first(page, _SELECTOR_JS, selector)


async def text_of(element: ElementHandle) -> str:
    try:
        return ((await element.evaluate("(el) => el.tagName === 'INPUT' ? el.value : el.textContent")) or "").strip()
    except PlaywrightError:
        return ""


async def first_layer(page: Page) -> dict[str, str | None]:
    """The texts of the accept / reject / settings buttons a banner shows right now (None: absent)."""
    words = vocabulary()
    found = await find_texts(page, [(words.accept, True), (words.reject, True), (words.settings, True)])
    facts: dict[str, str | None] = {}
    for key, hit in zip(("accept", "reject", "settings"), found, strict=True):
        facts[key] = (await text_of(hit[0]))[:120] if hit else None
        if hit:
            await hit[0].dispose()
    return facts


async def interface(page: Page) -> dict[str, Any]:
    """What consent interface is open right now: the texts of its accept / reject / settings / save
    buttons (None: absent) and how many purpose switches it shows."""
    words = vocabulary()
    roles = ("accept", "reject", "settings", "save")
    found = await find_texts(page, [(getattr(words, role), True) for role in roles])
    facts: dict[str, Any] = {}
    for key, hit in zip(roles, found, strict=True):
        facts[key] = (await text_of(hit[0]))[:120] if hit else None
        if hit:
            await hit[0].dispose()
    facts["switches"] = sum(n for _, n in await dom.each(page, _SWITCHES_JS, [list(BANNER_WORDS)]) if isinstance(n, int))
    return facts


async def paid_alternative(page: Page) -> dict[str, Any] | None:
    """A "pay or OK" wall's paid alternative on the banner: its text and link (None: not offered)."""
    found = [value for _, value in await dom.each(page, _PAY_JS, [list(PAY), list(BANNER_WORDS)]) if value]
    return found[0] if found else None


async def banner_shown(page: Page) -> dict[str, Any] | None:
    """A consent banner a visitor sees on screen (a dialog or fixed box speaking of cookies or
    consent), whether or not its buttons could be read: what it is, or None."""
    found = [value for _, value in await dom.each(page, _SHOWN_JS, [list(COOKIE_WORDS), 40]) if value]
    return found[0] if found else None


async def reject_in_second_layer(page: Page, hand: Hand, settle: Callable[[], Awaitable[object]]) -> tuple[int, str | None]:
    """Open the banner's settings, untick what is ticked, save (or reject there if offered).
    Returns (clicks, error)."""
    words = vocabulary()
    opener = await find_text(page, words.settings, in_banner=True)
    if opener is None:
        return 0, "the banner offers neither a reject button nor a settings layer"
    await hand.click(*opener, "settings")
    await settle()
    clicks, error = await refuse_in_layer(page, hand)
    return clicks + 1, error


async def refuse_in_layer(page: Page, hand: Hand) -> tuple[int, str | None]:
    """On an open settings layer: reject there if offered, else untick what is ticked and save.
    Returns (clicks, error)."""
    words = vocabulary()
    rejecter = await find_text(page, words.reject, in_banner=True)
    if rejecter is not None:
        await hand.click(*rejecter, "reject")
        return 1, None
    clicks, last = 0, None
    while clicks < MAX_SWITCHES and (switch := await dom.first(page, _TICKED_JS, None)) is not None:
        if last is not None and await switch[0].evaluate("(a, b) => a === b", last):
            break  # the switch stays ticked whatever the click: the save button says the rest
        await hand.click(*switch, "switch")  # one at a time: a "toggle all" switch unticks the others
        clicks, last = clicks + 1, switch[0]
    saver = await find_text(page, words.save, in_banner=True)
    if saver is None:
        return clicks, "the settings layer has no save / confirm button"
    await hand.click(*saver, "save")
    return clicks + 1, None

"""Reopening a consent choice the way a visitor would, to withdraw it.

Once a choice is made the banner is gone; a visitor who changes their mind looks for the
site's "Cookie settings" link (footer, privacy page) or the consent platform's floating
button. Both are looked for on the page: a clickable element whose text, ``aria-label`` or
``title`` contains a phrase of :data:`~leakmap.crawler.consent.texts.REOPEN`, else a small
element fixed on screen whose label, image ``alt``, id or class speaks of cookies or consent
(tarteaucitron's icon, Cookiebot's widget). Links to another page are not followed: a visitor
clicking them leaves for a policy page, not the choice. When the page shows neither, the
consent platform's documented JavaScript call (:data:`APIS`) opens its interface so the audit
can go on; a visitor has no such call, so that is recorded as "no way to reopen found". The
IAB TCF API (``__tcfapi``) has no standard call to show the interface, so a TCF-only platform
is reopened only through its visible controls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from playwright.async_api import ElementHandle, Frame, Page
from playwright.async_api import Error as PlaywrightError

from leakmap.crawler.consent.heuristic import frames
from leakmap.crawler.consent.texts import BANNER_WORDS, REOPEN

MAX_TEXT = 60  # longer text is prose, not a control

# Returns [element, kind, label] of the best reopening control, or null. Visibility does not
# require the viewport: a footer link counts (the click scrolls to it).
_FIND_JS = """
([phrases, words, maxText]) => {
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim().toLowerCase();
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || el.closest('[aria-hidden="true"], [inert]')) return false;
    if (el.checkVisibility) return el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
    const st = getComputedStyle(el);
    return st.visibility !== "hidden" && st.display !== "none" && st.opacity !== "0";
  };
  const elsewhere = (el) => {  // a link that loads another document
    if (el.tagName !== "A" || el.hasAttribute("onclick") || Object.keys(el.dataset).length) return false;
    const href = el.getAttribute("href") || "";
    if (!href || href.startsWith("#") || href.toLowerCase().startsWith("javascript:")) return false;
    try { return new URL(href, location.href).href.split("#")[0] !== location.href.split("#")[0]; }
    catch (e) { return false; }
  };
  const texts = (el) => [el.tagName === "INPUT" ? el.value : el.innerText, el.getAttribute("aria-label"),
                         el.getAttribute("title")].map((t) => (t || "").replace(/\\s+/g, " ").trim())
                         .filter((t) => t && t.length <= maxText);
  const labels = (el) => texts(el).map(norm);
  const fixed = (el) => {
    for (let node = el, depth = 0; node && node !== document.body && depth < 4; node = node.parentElement, depth++) {
      const pos = getComputedStyle(node).position;
      if (pos === "fixed" || pos === "sticky") return true;
    }
    return false;
  };
  const els = [...document.querySelectorAll('a, button, [role=button], input[type=button], [onclick], [tabindex]')]
    .filter((el) => shown(el) && !elsewhere(el));
  for (const el of els) {
    const label = texts(el).find((t) => phrases.some((p) => norm(t).includes(p)));
    if (label) return [el, el.tagName === "A" ? "link" : "button", label];
  }
  for (const el of els) {
    const r = el.getBoundingClientRect();
    if (r.width > 240 || r.height > 160 || !fixed(el)) continue;
    const blob = norm([...labels(el), ...[...el.querySelectorAll("img[alt]")].map((i) => i.alt), el.id,
                       typeof el.className === "string" ? el.className : ""].join(" "));
    if (words.some((w) => blob.includes(w))) return [el, "floating-button", texts(el)[0] || el.id || ""];
  }
  return null;
}
"""


@dataclass(frozen=True)
class Api:
    """A consent platform's documented call that shows its interface again."""

    cmp: str
    present: str  # JS expression: the call exists on this page
    call: str  # JS expression that opens the interface


APIS: tuple[Api, ...] = (
    Api("Klaro", "typeof window.klaro?.show === 'function'", "klaro.show()"),
    Api("tarteaucitron.js", "typeof window.tarteaucitron?.userInterface?.openPanel === 'function'",
        "tarteaucitron.userInterface.openPanel()"),
    Api("vanilla-cookieconsent", "typeof window.CookieConsent?.showPreferences === 'function'",
        "CookieConsent.showPreferences()"),
    Api("OneTrust", "typeof window.OneTrust?.ToggleInfoDisplay === 'function'", "OneTrust.ToggleInfoDisplay()"),
    Api("Cookiebot", "typeof window.Cookiebot?.renew === 'function'", "Cookiebot.renew()"),
    Api("Didomi", "typeof window.Didomi?.preferences?.show === 'function'", "Didomi.preferences.show()"),
    Api("Usercentrics", "typeof window.UC_UI?.showSecondLayer === 'function'", "UC_UI.showSecondLayer()"),
)


@dataclass
class Reopener:
    """A visible control that reopens the choice."""

    element: ElementHandle
    frame: Frame
    kind: str  # link, button, floating-button
    label: str


async def find_reopener(page: Page) -> Reopener | None:
    """The page's control for reopening the consent choice (main frame first), or None."""
    arg = json.loads(json.dumps([list(REOPEN), list(BANNER_WORDS), MAX_TEXT]))
    for frame in frames(page):
        try:
            handle = await frame.evaluate_handle(_FIND_JS, arg)
            if await frame.evaluate("(found) => found !== null", handle):
                element = (await handle.get_property("0")).as_element()
                kind, label = await frame.evaluate("(found) => [found[1], found[2]]", handle)
                if element is not None:
                    return Reopener(element, frame, kind, label)
            await handle.dispose()
        except PlaywrightError:
            continue
    return None


async def open_by_api(page: Page) -> Api | None:
    """Call the first consent platform API the page exposes (main frame first); the one called, or None."""
    for frame in frames(page):
        for api in APIS:
            try:
                if await frame.evaluate(f"() => {api.present}"):
                    await frame.evaluate(f"() => {{ {api.call}; }}")
                    return api
            except PlaywrightError:
                continue
    return None

"""Reopening a consent choice the way a visitor would, to withdraw it.

Once a choice is made the banner is gone; a visitor who changes their mind looks for a control
that speaks of cookies or consent: a footer link ("Cookie settings", or just "Cookies"), a
button, the consent platform's floating icon. Candidates are judged by their effect, not only by
their words (:func:`candidates`, strongest first):

1. a clickable element whose text, ``aria-label`` or ``title`` holds a phrase of
   :data:`~leakmap.crawler.consent.texts.REOPEN` ("Cookie-Einstellungen", "Gérer mes choix");
2. a small element fixed on screen whose label, image ``alt``, id or class speaks of cookies or
   consent (tarteaucitron's icon, Cookiebot's widget);
3. any other visible link, button or floating control whose text, title or label mentions
   cookies, consent or privacy choices in a language of the vocabulary
   (:data:`~leakmap.crawler.consent.texts.CONSENT_WORDS`): klaro's ``<a onclick="klaro.show()">Cookies</a>``.

Each is tried until one proves itself: clicking it opens a consent interface (a new or re-shown
dialog with a refuse control, purpose switches or a settings button) or changes the stored choice
at once (a one-click "withdraw consent" link). Links that load another page are no candidates
here: a visitor following them leaves for another page, which the withdrawal visits on its own
terms (:func:`policy_links`: the cookie or privacy policy page the footer links to). Every search
pierces iframes and shadow roots (:mod:`leakmap.crawler.consent.dom`).

When no visitor path exists, the consent platform's documented JavaScript call (:data:`APIS`)
opens its interface so the audit can go on; a visitor has no such call, so that is recorded as
"no way to reopen found". The IAB TCF API (``__tcfapi``) has no standard call to show the
interface, so a TCF-only platform is reopened only through its visible controls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.async_api import ElementHandle, Frame, Page
from playwright.async_api import Error as PlaywrightError

from leakmap.blocklists.domains import registrable_domain
from leakmap.crawler.consent import dom
from leakmap.crawler.consent.texts import CONSENT_WORDS, REOPEN

MAX_TEXT = 60  # longer text is prose, not a control
MAX_CANDIDATES = 8  # per frame: the strongest first

# Policy pages a footer links to, cookie policy first (matched in the link's text or title).
COOKIE_POLICY_WORDS = ("cookie", "témoins", "traceurs")
PRIVACY_POLICY_WORDS = ("privacy", "datenschutz", "confidentialité", "données personnelles", "privacidad",
                        "riservatezza", "privacybeleid", "privacyverklaring", "protection des données")

_SHOWN_JS = """
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim().toLowerCase();
  const shown = (el) => {  // rendered (a footer link counts: the click scrolls to it)
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || deep.closest(el, '[aria-hidden="true"], [inert]')) return false;
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
"""

# [element, kind, label, strength] of the candidates, strongest first. Visibility does not require the
# viewport: a footer link counts.
_FIND_JS = """([phrases, words, maxText, most]) => {""" + _SHOWN_JS + """
  const texts = (el) => [el.tagName === "INPUT" ? el.value : el.innerText, el.getAttribute("aria-label"),
                         el.getAttribute("title")].map((t) => (t || "").replace(/\\s+/g, " ").trim())
                         .filter((t) => t && t.length <= maxText);
  const fixed = (el) => {
    for (let node = el, depth = 0; node && node !== document.body && depth < 4; node = deep.parent(node), depth++) {
      const pos = getComputedStyle(node).position;
      if (pos === "fixed" || pos === "sticky") return true;
    }
    return false;
  };
  const small = (el) => { const r = el.getBoundingClientRect(); return r.width <= 240 && r.height <= 160; };
  const kind = (el) => small(el) && fixed(el) ? "floating-button" : el.tagName === "A" ? "link" : "button";
  const els = deep.all('a, button, [role=button], input[type=button], [onclick], [tabindex]')
    .filter((el) => shown(el) && !elsewhere(el));
  const out = [], seen = new Set();
  const add = (el, k, label, strength) => {
    if (seen.has(el) || [...seen].some((s) => deep.contains(s, el) || deep.contains(el, s))) return;
    seen.add(el); out.push([el, k, label, strength]);
  };
  for (const el of els) {  // 1. a phrase that says what it does
    const label = texts(el).find((t) => phrases.some((p) => norm(t).includes(p)));
    if (label) add(el, el.tagName === "A" ? "link" : "button", label, 1);
  }
  for (const el of els) {  // 2. a floating icon of the consent platform
    if (!small(el) || !fixed(el)) continue;
    const blob = norm([...texts(el), ...[...el.querySelectorAll("img[alt]")].map((i) => i.alt), el.id,
                       typeof el.className === "string" ? el.className : ""].join(" "));
    if (words.some((w) => blob.includes(w))) add(el, "floating-button", texts(el)[0] || el.id || "", 2);
  }
  for (const el of els) {  // 3. any control that mentions cookies, consent or privacy choices
    const label = texts(el).find((t) => words.some((w) => norm(t).includes(w)));
    if (label) add(el, kind(el), label, 3);
  }
  return out.slice(0, most);
}"""

# Links of the page whose text or title speaks of a cookie or privacy policy, footer links first:
# [[url, text, "cookie" | "privacy"], ...], cookie policy links before privacy ones.
_POLICY_JS = """([cookieWords, privacyWords]) => {""" + _SHOWN_JS + """
  const here = location.href.split("#")[0];
  const links = deep.all("a[href]").filter((a) => /^https?:/.test(a.href) && a.href.split("#")[0] !== here);
  const footer = (a) => !!deep.closest(a, 'footer, [role=contentinfo], #footer, .footer');
  const text = (a) => (a.innerText || a.textContent || "").replace(/\\s+/g, " ").trim();
  const out = [];
  for (const [words, what] of [[cookieWords, "cookie"], [privacyWords, "privacy"]]) {
    const match = links.filter((a) => words.some((w) => norm(text(a) + " " + (a.getAttribute("title") || "")).includes(w)));
    match.sort((a, b) => footer(b) - footer(a));
    for (const a of match) out.push([a.href.split("#")[0], text(a).slice(0, 80), what]);
  }
  return out;
}"""


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
    """A visible control that may reopen the choice."""

    element: ElementHandle
    frame: Frame
    kind: str  # link, button, floating-button
    label: str
    strength: int = 1  # 1: a phrase that says what it does, 2: a consent platform's floating icon, 3: it mentions cookies


@dataclass(frozen=True)
class PolicyLink:
    """A link to the site's cookie or privacy policy page."""

    url: str
    text: str
    what: str  # cookie, privacy


async def candidates(page: Page) -> list[Reopener]:
    """The page's controls that may reopen the consent choice, strongest first (main frame first
    within a strength)."""
    arg = json.loads(json.dumps([list(REOPEN), list(CONSENT_WORDS), MAX_TEXT, MAX_CANDIDATES]))
    ranked: list[tuple[tuple[int, int, int], Reopener]] = []
    for order, (frame, handle) in enumerate(await dom.each(page, _FIND_JS, arg, handles=True)):
        try:
            described = await frame.evaluate("(found) => found.map((c) => [c[1], c[2], c[3]])", handle)
            for i, (kind, label, strength) in enumerate(described):
                element = (await (await handle.get_property(str(i))).get_property("0")).as_element()
                if element is not None:
                    ranked.append(((strength, order, i), Reopener(element, frame, kind, label, strength)))
        except PlaywrightError:
            continue
    return [r for _, r in sorted(ranked, key=lambda t: t[0])]


async def find_reopener(page: Page) -> Reopener | None:
    """The strongest candidate for reopening the consent choice, or None."""
    found = await candidates(page)
    return found[0] if found else None


async def policy_links(page: Page) -> list[PolicyLink]:
    """The site's cookie policy page and privacy policy page the page links to (its footer's links
    first), cookie policy first; at most one of each."""
    await dom.reveal_closed_roots(page)
    try:
        found = await page.main_frame.evaluate(dom.deep_script(_POLICY_JS),
                                               [list(COOKIE_POLICY_WORDS), list(PRIVACY_POLICY_WORDS)])
    except PlaywrightError:
        return []
    site = registrable_domain(urlsplit(page.url).hostname or "")
    out: dict[str, PolicyLink] = {}
    for url, text, what in found:
        if registrable_domain(urlsplit(url).hostname or "") == site and what not in out \
                and url not in {link.url for link in out.values()}:
            out[what] = PolicyLink(url, text, what)
    return list(out.values())


async def open_by_api(page: Page) -> Api | None:
    """Call the first consent platform API the page exposes (main frame first); the one called, or None."""
    for frame in dom.frames(page):
        for api in APIS:
            try:
                if await frame.evaluate(f"() => {api.present}"):
                    await frame.evaluate(f"() => {{ {api.call}; }}")
                    return api
            except PlaywrightError:
                continue
    return None

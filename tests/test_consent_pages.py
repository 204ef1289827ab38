"""The consent engine on small hand-written pages, in a real Chromium: banners where real sites put
them (nested open shadow roots, closed shadow roots in the page and in a cross-origin iframe, a
banner whose buttons say nothing the vocabulary knows), pop-ups over a banner (closed by their
close control in another language, by Escape, by a click beside them; one that speaks of cookies
is never dismissed; one that cannot be closed is an error, never a script click), and where a
withdrawal finds its control (by its effect: a "Cookies" link that opens the dialog, one that
does nothing; on the landing page from an error page without a footer; on the cookie policy
page; the candidates a visitor would try, in any language, and what is none)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from leakmap.crawler import consent
from leakmap.crawler.browser import find_browser
from leakmap.crawler.collectors.base import VisitContext
from leakmap.crawler.collectors.clicks import ClickCollector
from leakmap.crawler.collectors.screenshots import ScreenshotCollector
from leakmap.crawler.config import ScanConfig
from leakmap.crawler.consent import dom
from leakmap.crawler.consent.engine import AutoconsentEngine
from leakmap.crawler.consent.heuristic import banner_shown, find_button, find_selector, first_layer
from leakmap.crawler.consent.overlays import Covered, Hand
from leakmap.crawler.consent.reopen import find_reopener
from tests.web.server import TestWeb, write_sites

SHOP = "https://www.boutique-essai.fr"
FRAME = "https://consent.cmp-essai.eu"

# A closed shadow root holding a banner; its buttons set window.answer (and a cookie).
CLOSED = """<script>
customElements.define("x-consent", class extends HTMLElement { constructor() { super();
  const root = this.attachShadow({ mode: "closed" });
  root.innerHTML = '<div role="dialog" style="position:fixed;bottom:0;left:0;right:0;background:#fff;padding:20px">'
    + '<p>We use cookies for statistics and advertising.</p>'
    + '<button id="yes">%(accept)s</button> <button id="no">%(reject)s</button></div>';
  for (const b of root.querySelectorAll("button"))
    b.addEventListener("click", () => { window.answer = b.id; document.cookie = "choice=" + b.id + "; path=/"; });
} });
</script><x-consent></x-consent>"""

NESTED = """<script>
customElements.define("x-button", class extends HTMLElement { connectedCallback() {
  if (this.shadowRoot) return;
  this.attachShadow({ mode: "open" }).innerHTML = '<button>' + this.getAttribute("label") + '</button>'; } });
customElements.define("x-notice", class extends HTMLElement { connectedCallback() {
  if (this.shadowRoot) return;
  const root = this.attachShadow({ mode: "open" });
  root.innerHTML = '<div class="cookie-notice" style="position:fixed;bottom:0;left:0;right:0;background:#fff">'
    + '<p>Cookies?</p><x-button id="r" label="Reject all"></x-button><x-button id="a" label="Accept all"></x-button></div>';
  for (const b of root.querySelectorAll("x-button")) b.addEventListener("click", () => { window.answer = b.id; });
} });
</script><x-notice></x-notice>"""

# A pop-up over everything, opened at once; ``%(close)s`` is its close control, ``%(script)s`` more behaviour.
POPUP = """<div id="popup" style="position:fixed;inset:0;z-index:99;background:rgba(0,0,0,.5);display:flex;
  align-items:center;justify-content:center"><div style="background:#fff;padding:30px;width:300px">
  <h2>%(title)s</h2><p>%(text)s</p>%(close)s</div></div>
<script>const popup = document.getElementById("popup"); %(script)s</script>"""
BANNER = """<div role="dialog" style="position:fixed;bottom:0;left:0;right:0;background:#fff;padding:20px">
  <p>We use cookies.</p><button id="no" onclick="window.answer='no'">Reject all</button>
  <button id="yes" onclick="window.answer='yes'">Accept all</button></div>"""
# A site's own "change your choices" dialog, shown by reopen(); its refusal stores choice=no.
REOPEN = """<script>function reopen() {
  const d = document.createElement("div"); d.setAttribute("role", "dialog");
  d.innerHTML = '<p>%(title)s</p><button id="no">%(refuse)s</button>';
  d.querySelector("#no").onclick = () => { document.cookie = "choice=no; path=/"; d.remove(); };
  document.body.appendChild(d);
}</script>"""


def _page(body: str) -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body><main><h1>Boutique</h1></main>{body}</body></html>"


PAGES = {
    "www.boutique-essai.fr/closed.html": _page(CLOSED % {"accept": "Accept all", "reject": "Reject all"}
                                               + f'<iframe src="{FRAME}/banner.html" width="600" height="200"></iframe>'),
    "consent.cmp-essai.eu/banner.html": _page(CLOSED % {"accept": "Tout accepter", "reject": "Tout refuser"}),
    "www.boutique-essai.fr/nested.html": _page(NESTED),
    "www.boutique-essai.fr/unknown.html": _page(CLOSED % {"accept": "Yep", "reject": "Nope"}),
    "www.boutique-essai.fr/chat.html": _page('<div style="position:fixed;bottom:0;right:0;width:300px;height:80px">'
                                             "Questions? Chat with our team, we answer within minutes.</div>"),
    # withdrawing: the landing page has the control, the others do not
    "www.boutique-essai.fr/index.html": _page('<footer><a id="open" onclick="reopen()">Cookies</a></footer>'
                                              + REOPEN % {"title": "Cookie preferences", "refuse": "Reject all"}),
    "www.boutique-essai.fr/produit.html": _page('<footer><a onclick="void 0">Cookies</a> '
                                                '<a href="/cookies.html">Cookie policy</a></footer>'),
    "www.boutique-essai.fr/cookies.html": _page('<h2>Cookie policy</h2><button onclick="reopen()">Change my cookie '
                                                'choices</button>'
                                                + REOPEN % {"title": "Your cookie choices", "refuse": "Tout refuser"}),
}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """``open(path_or_html)``: a page of the small web (a path of www.boutique-essai.fr, or HTML set
    as the content of its landing page), and the loop to drive it."""
    web = TestWeb(write_sites(tmp_path_factory.mktemp("consent-pages"), PAGES)).start()
    loop = asyncio.new_event_loop()

    async def start():
        pw = await async_playwright().start()
        chromium = await pw.chromium.launch(executable_path=str(find_browser()), args=[
            f"--host-resolver-rules={web.host_rules}", "--ignore-certificate-errors"])
        return pw, chromium

    pw, chromium = loop.run_until_complete(start())
    pages = []

    def open_(what: str, cookie: str | None = None):
        async def go():
            page = await (await chromium.new_context()).new_page()
            pages.append(page)
            if cookie:
                await page.context.add_cookies([{"name": "choice", "value": cookie, "url": SHOP + "/"}])
            if what.startswith("/"):
                await page.goto(SHOP + what, wait_until="load")
            else:
                await page.goto(SHOP + "/chat.html", wait_until="load")
                await page.set_content(_page(what))
            return page
        return loop.run_until_complete(go())

    yield open_, loop
    loop.run_until_complete(chromium.close())
    loop.run_until_complete(pw.stop())
    loop.close()
    web.stop()


def _answer(loop, page):
    return loop.run_until_complete(page.evaluate("() => window.answer || null"))


# -- banners where real sites put them ----------------------------------------------------------

def test_closed_shadow_roots_in_the_page_and_in_a_cross_origin_iframe(browser):
    open_, loop = browser
    page = open_("/closed.html")
    plain = loop.run_until_complete(page.evaluate("() => document.querySelectorAll('button').length"))
    assert plain == 0  # nothing a page script sees
    assert loop.run_until_complete(dom.reveal_closed_roots(page)) == 2  # the page's, the iframe's
    assert loop.run_until_complete(first_layer(page)) == {"accept": "Accept all", "reject": "Reject all",
                                                          "settings": None}
    element, frame = loop.run_until_complete(find_button(page, "reject"))
    assert frame == page.main_frame
    # a user's --reject-selector reaches it too (CSS inside the closed root)
    chosen, where = loop.run_until_complete(find_selector(page, "button#no"))
    assert where == page.main_frame and loop.run_until_complete(chosen.evaluate("(el, other) => el === other", element))
    loop.run_until_complete(Hand(page).click(element, frame, "reject"))
    assert _answer(loop, page) == "no"  # clicked as a visitor: inside the closed root
    # the iframe's banner, once the page's is gone
    loop.run_until_complete(page.evaluate("() => document.querySelector('x-consent').remove()"))
    element, frame = loop.run_until_complete(find_button(page, "accept"))
    assert frame.url == f"{FRAME}/banner.html"
    loop.run_until_complete(Hand(page).click(element, frame, "accept"))
    assert loop.run_until_complete(frame.evaluate("() => window.answer")) == "yes"


def test_nested_open_shadow_roots(browser):
    open_, loop = browser
    page = open_("/nested.html")
    assert loop.run_until_complete(first_layer(page))["reject"] == "Reject all"
    element, frame = loop.run_until_complete(find_button(page, "reject"))
    loop.run_until_complete(Hand(page).click(element, frame, "reject"))
    assert _answer(loop, page) == "r"


def test_a_banner_seen_whose_buttons_cannot_be_read_is_an_error_not_no_banner(browser, tmp_path):
    open_, loop = browser
    page = open_("/unknown.html")
    shown = loop.run_until_complete(banner_shown(page))
    assert shown["in_shadow_root"] and "cookies for statistics" in shown["text"]
    vc = VisitContext(ScanConfig(output_dir=tmp_path, screenshots=False), 1, "reject", page.url, tmp_path, "u",
                      landing=False, action="reject", page=page)
    engine = AutoconsentEngine(vc)  # not a landing visit: the engine is off, the own means decide

    async def settle():
        return None

    record = loop.run_until_complete(consent.perform(page, "reject", vc.config, engine, settle,
                                                     ScreenshotCollector(vc), ClickCollector(vc)))
    assert record.banner_found and not record.success and record.time is None
    assert record.error.startswith("a consent banner is shown (<div> “we use cookies for statistics")
    assert record.error.endswith("but leakmap could not read a control on it to reject")
    # near miss: a box on screen that does not speak of cookies or consent is no banner
    assert loop.run_until_complete(banner_shown(open_("/chat.html"))) is None


# -- pop-ups over the banner --------------------------------------------------------------------

def _covered_click(browser, close: str, script: str, title: str = "Nieuwsbrief", text: str = "10% korting"):
    open_, loop = browser
    page = open_(BANNER + POPUP % {"title": title, "text": text, "close": close, "script": script})
    hand = Hand(page)
    element, frame = loop.run_until_complete(find_button(page, "reject"))
    try:
        loop.run_until_complete(hand.click(element, frame, "reject"))
    except Covered as exc:
        return page, hand, exc
    return page, hand, None


def test_a_pop_up_is_closed_by_its_close_control_in_any_language(browser):
    close = '<button aria-label="Sluiten" onclick="popup.remove()"><svg width="12" height="12"></svg></button>'
    page, hand, error = _covered_click(browser, close, "")
    assert error is None and _answer(browser[1], page) == "no"
    [step] = hand.dismissals
    assert (step["how"], step["label"], step["covering"]) == ("close-control", "Sluiten", "<div#popup>")
    assert hand.keys == []


def test_escape_then_a_click_beside_the_box(browser):
    page, hand, error = _covered_click(
        browser, "", "addEventListener('keydown', (e) => { if (e.key === 'Escape') popup.remove(); });")
    assert error is None and _answer(browser[1], page) == "no"
    assert [s["how"] for s in hand.dismissals] == ["escape"] and [k["text"] for k in hand.keys] == ["Escape"]
    page, hand, error = _covered_click(
        browser, "", "popup.addEventListener('click', (e) => { if (e.target === popup) popup.remove(); });")
    assert error is None and _answer(browser[1], page) == "no"
    assert [s["how"] for s in hand.dismissals] == ["escape", "click-outside"]


def test_what_is_never_dismissed_nor_clicked_through(browser):
    # a layer that speaks of cookies is left alone (closing it may be taken as an answer)
    page, hand, error = _covered_click(browser, '<button onclick="popup.remove()">Close</button>', "",
                                       title="Cookie wall", text="Accept our cookies to read on")
    assert error is not None and "speaks of cookies or consent" in error.message
    assert hand.dismissals == [] and _answer(browser[1], page) is None
    # a pop-up that nothing closes: an error of the step, the covered button is never clicked by script
    page, hand, error = _covered_click(browser, "", "")
    assert error.message.startswith("the reject control is covered by <div#popup>")
    assert [s["how"] for s in hand.dismissals] == ["escape", "click-outside"] and _answer(browser[1], page) is None


# -- where a withdrawal finds its control -------------------------------------------------------

def _withdraw(browser, what: str, tmp_path: Path, landing: str | None):
    """Withdraw on a page (a path, or HTML) of a visitor who accepted (cookie choice=yes)."""
    open_, loop = browser
    page = open_(what, cookie="yes")
    vc = VisitContext(ScanConfig(output_dir=tmp_path, screenshots=False), 1, "withdraw", page.url, tmp_path, "w",
                      later=("withdraw",), page=page)
    settle = lambda: asyncio.sleep(0.2)  # noqa: E731 - a page without network: a beat for the click's effects
    return loop.run_until_complete(consent.withdraw(page, settle, ScreenshotCollector(vc), ClickCollector(vc),
                                                    landing=landing))


def test_a_cookies_link_proves_itself_by_what_it_opens(browser, tmp_path):
    # the landing page's "Cookies" link (no settings words) opens a dialog with a refusal
    record = _withdraw(browser, "/", tmp_path, landing=SHOP + "/")
    assert (record.method, record.steps, record.verified, record.error) == ("link+heuristic", 2, True, None)
    reopen = record.details["reopen"]
    assert (reopen["text"], reopen["where"], reopen["path"], reopen["found"]) == (
        "Cookies", "the page of the withdrawal", [], True)


def test_from_an_error_page_the_landing_page(browser, tmp_path):
    # a page that does not exist (the server's bare 404, no footer): the visitor goes to the landing page
    record = _withdraw(browser, "/gone.html", tmp_path, landing=SHOP + "/")
    assert (record.method, record.verified, record.error) == ("link+heuristic", True, None)
    reopen = record.details["reopen"]
    assert (reopen["where"], reopen["path"]) == ("the landing page", [SHOP + "/"])
    # three steps: the navigation, "Cookies", "Reject all" (these bare pages have no click log: a
    # visit's recorder adds it; the navigation is a step of its own)
    assert record.steps == 3 and [s["tag"] for s in record.details["steps_seen"]] == ["navigation"]
    assert record.details["steps_seen"][0]["frame"] == SHOP + "/"


def test_a_link_that_does_nothing_then_the_cookie_policy_page(browser, tmp_path):
    # "Cookies" here does nothing: tried, not counted; no landing page given: the footer's cookie
    # policy page has "Change my cookie choices", one navigation away
    record = _withdraw(browser, "/produit.html", tmp_path, landing=None)
    assert (record.method, record.verified, record.error) == ("button+heuristic", True, None)
    reopen = record.details["reopen"]
    assert (reopen["text"], reopen["where"], reopen["path"]) == ("Change my cookie choices", "the cookie policy page",
                                                                 [SHOP + "/cookies.html"])
    here = reopen["looked_at"][0]
    assert here["tried"] == [{"kind": "link", "text": "Cookies"}] and not here["found"]
    assert record.steps == 3  # the navigation, the button, the refusal: the useless click is no step


# -- the reopening control ----------------------------------------------------------------------

FOOTER = '<footer><a href="/datenschutz.html">Datenschutz</a> <a href="#" onclick="return false">{}</a></footer>'
FLOATING = ('<div style="position:fixed;right:12px;bottom:12px"><button type="button" id="cc-icon">'
            '<img alt="Cookies" width="32" height="32" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></button></div>')
LONG = "<p><a href='#'>Read how we use cookie settings, analytics and advertising partners on this website</a></p>"


def _found(browser, html: str):
    open_, loop = browser
    page = open_(html)
    found = loop.run_until_complete(find_reopener(page))
    return None if found is None else (found.kind, found.label)


@pytest.mark.parametrize(("text", "kind"), [("Cookie-Einstellungen", "link"), ("Gérer mes cookies", "link"),
                                            ("Change your cookie settings", "link"), ("Impostazioni cookie", "link")])
def test_a_footer_link_in_any_language(browser, text, kind):
    assert _found(browser, FOOTER.format(text)) == (kind, text)


def test_a_floating_button_by_its_label(browser):
    assert _found(browser, FLOATING) == ("floating-button", "cc-icon")
    labelled = '<button aria-label="Privacy settings" style="position:fixed;left:0;bottom:0">⚙</button>'
    assert _found(browser, labelled) == ("button", "Privacy settings")  # its label is in the vocabulary


def test_what_is_not_a_way_to_reopen(browser):
    assert _found(browser, '<footer><a href="/cookie-policy.html">Cookie settings</a></footer>') is None  # leaves
    assert _found(browser, LONG) is None  # prose, not a control
    assert _found(browser, '<footer><a href="#" style="display:none">Cookie settings</a></footer>') is None
    assert _found(browser, '<div style="position:fixed;bottom:0"><button>Chat with us</button></div>') is None
    # a policy page link does not hide a real control next to it
    both = '<footer><a href="/cookie-policy.html">Cookie policy and settings</a></footer>' + FLOATING
    assert _found(browser, both) == ("floating-button", "cc-icon")


def test_a_one_click_withdrawal_link(browser, tmp_path):
    # "Withdraw consent" refuses at once: one click, nothing to refuse in afterwards
    html = ('<script>document.cookie = "shop_consent=all; path=/"</script><footer><a href="#" onclick="'
            'document.cookie = &quot;shop_consent=none; path=/&quot;; return false">Withdraw consent</a></footer>')
    record = _withdraw(browser, html, tmp_path, landing=None)
    assert (record.method, record.steps, record.verified, record.error) == ("link+direct", 1, True, None)
    assert record.details["reopen"]["found"] and record.details["changed"] == ["cookie:www.boutique-essai.fr:shop_consent"]


def test_no_way_at_all(browser, tmp_path):
    record = _withdraw(browser, "<footer>© Shop</footer>", tmp_path, landing=None)
    assert not record.success and record.time is None
    assert record.details["reopen"] == {"found": False, "looked_at": [
        {"page": f"{SHOP}/chat.html", "what": "the page of the withdrawal", "found": False, "tried": []}]}
    assert record.error.startswith("no way to reopen the consent choice was found (looked on the page of the "
                                   "withdrawal (https://www.boutique-essai.fr/chat.html))")


def test_a_platform_api_when_the_page_shows_nothing(browser, tmp_path):
    # no visible control, but the platform exposes its documented call: leakmap reopens through it
    # (a visitor could not), then refuses in what it opened
    html = """<script>document.cookie = "demo_consent=all; path=/";
      window.Didomi = { preferences: { show() {
        const d = document.createElement("div"); d.setAttribute("role", "dialog");
        d.innerHTML = '<p>Cookie preferences</p><button id="no">Reject all</button>';
        d.querySelector("#no").onclick = () => { document.cookie = "demo_consent=none; path=/"; d.remove(); };
        document.body.appendChild(d); } } };</script>"""
    record = _withdraw(browser, html, tmp_path, landing=None)
    assert (record.method, record.steps, record.verified) == ("api+heuristic", 1, True)
    reopen = record.details["reopen"]
    assert {k: reopen[k] for k in ("means", "cmp", "call", "clicks", "found")} == {
        "means": "api", "cmp": "Didomi", "call": "Didomi.preferences.show()", "clicks": 0, "found": False}
    assert [e["what"] for e in reopen["looked_at"]] == ["the page of the withdrawal"]

"""The page as a visitor sees it, for every search the consent engine makes.

Banners live in the main document, in iframes (cross-origin ones included) and inside shadow roots:
open ones, which page scripts can walk into, and closed ones, which only the DevTools protocol
sees. Every DOM search of the consent engine (the text heuristic, the first-layer reading, the
second layer, the banner presence check, what covers a control, the reopening control) is a page
script written against :data:`DEEP_JS` and run by :func:`first` or :func:`each`, never against
``document`` alone:

- before a search, each frame that has a DevTools target of its own (the main frame, every
  out-of-process iframe) is read with ``DOM.getDocument(depth=-1, pierce=true)``, which includes
  closed shadow roots and the documents of in-process iframes; each closed root is resolved
  (``DOM.resolveNode``) in its own frame's page world and kept there in a WeakMap under a key
  drawn per process, keyed by its host, so nothing is added that a site could look up by name;
- ``deep.all(selector)`` walks the document and every shadow root below it (open ones, and closed
  ones through that map), recursively; ``deep.parent``/``deep.closest``/``deep.contains`` cross
  shadow boundaries upwards; ``deep.at(x, y)`` is the innermost element at a point.

The elements a search returns are ordinary Playwright handles: they are clicked as a visitor
clicks them (Playwright scrolls, waits until they are stable and checks what receives the click,
shadow roots included).
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from weakref import WeakKeyDictionary

from playwright.async_api import CDPSession, ElementHandle, Frame, Page
from playwright.async_api import Error as PlaywrightError

# Where a frame keeps the closed shadow roots handed to it (a WeakMap host -> root).
ROOTS_KEY = "__lm" + secrets.token_hex(6)

DEEP_JS = """const deep = (() => {
  const roots = window[Symbol.for(__ROOTS_KEY__)];
  const shadow = (el) => el.shadowRoot || (roots && roots.get(el)) || null;
  const all = (selector, root = document) => {
    const out = [];
    const walk = (r) => {
      for (const el of r.querySelectorAll("*")) {
        if (el.matches(selector)) out.push(el);
        const s = shadow(el);
        if (s) walk(s);
      }
    };
    walk(root);
    const s = root.nodeType === 1 ? shadow(root) : null;
    if (s) walk(s);
    return out;
  };
  const parent = (node) => node.parentElement || (node.parentNode && node.parentNode.host) || null;
  const closest = (el, selector) => {
    for (let n = el; n; n = parent(n)) if (n.matches && n.matches(selector)) return n;
    return null;
  };
  const contains = (outer, inner) => {
    for (let n = inner; n; n = parent(n)) if (n === outer) return true;
    return false;
  };
  const at = (x, y) => {
    let el = document.elementFromPoint(x, y);
    for (let depth = 0; el && depth < 32; depth++) {
      const s = shadow(el);
      const inner = s && s.elementFromPoint(x, y);
      if (!inner || inner === el) break;
      el = inner;
    }
    return el;
  };
  // the text a visitor reads on an element, shadow content included (innerText stops at a shadow host)
  const text = (el) => {
    const s = shadow(el);
    const own = el.tagName === "INPUT" ? el.value : (el.innerText || "");
    return s ? own + " " + [...s.children].map((c) => c.tagName === "STYLE" ? "" : text(c)).join(" ") : own;
  };
  return { all, parent, closest, contains, at, text, shadow };
})();
""".replace("__ROOTS_KEY__", json.dumps(ROOTS_KEY))

# Runs on a closed shadow root (``this``) in its own frame's page world: keep it for the searches.
_KEEP_JS = """function (key) {
  const symbol = Symbol.for(key);
  if (!window[symbol]) Object.defineProperty(window, symbol, { value: new WeakMap() });
  window[symbol].set(this.host, this);
}"""


def deep_script(function: str) -> str:
    """A page script ``(arg) => ...`` that can use ``deep``, from a function expression that does."""
    return f"(arg) => {{\n{DEEP_JS}\nreturn ({function})(arg);\n}}"


def frames(page: Page) -> list[Frame]:
    """The page's frames, main frame first."""
    return [page.main_frame, *[f for f in page.frames if f != page.main_frame]]


def _closed_roots(node: dict[str, Any], out: list[int]) -> list[int]:
    for root in node.get("shadowRoots", ()):
        if root.get("shadowRootType") == "closed":
            out.append(root["backendNodeId"])
        _closed_roots(root, out)
    for child in node.get("children", ()):
        _closed_roots(child, out)
    if "contentDocument" in node:  # an in-process iframe: its roots resolve in its own page world
        _closed_roots(node["contentDocument"], out)
    return out


# A DevTools session per frame that has a target of its own, kept while the frame lives (a search
# runs many times during one consent step), and the frames that have none (in-process iframes,
# whose documents come with their parent's) at the URL they had then (an iframe that starts blank
# gets a process of its own when it loads a cross-site page).
_SESSIONS: WeakKeyDictionary[Frame, CDPSession] = WeakKeyDictionary()
_IN_PROCESS: WeakKeyDictionary[Frame, str] = WeakKeyDictionary()


async def _reveal(page: Page, frame: Frame) -> int:
    if _IN_PROCESS.get(frame) == frame.url:
        return 0
    # a crashed renderer answers Playwright at once ("Target crashed") but leaves DevTools
    # commands hanging: ask Playwright first
    await frame.evaluate("0")
    session = _SESSIONS.get(frame)
    if session is None:
        try:
            session = _SESSIONS[frame] = await page.context.new_cdp_session(frame)
        except PlaywrightError as exc:
            if "does not have a separate CDP session" in exc.message:
                _IN_PROCESS[frame] = frame.url
                return 0
            raise
    found = 0
    try:
        doc = await session.send("DOM.getDocument", {"depth": -1, "pierce": True})
        for backend_id in _closed_roots(doc["root"], []):
            obj = (await session.send("DOM.resolveNode", {"backendNodeId": backend_id, "objectGroup": "leakmap"}))
            await session.send("Runtime.callFunctionOn", {"objectId": obj["object"]["objectId"],
                                                          "functionDeclaration": _KEEP_JS,
                                                          "arguments": [{"value": ROOTS_KEY}]})
            found += 1
        await session.send("Runtime.releaseObjectGroup", {"objectGroup": "leakmap"})
    finally:  # the DOM agent would otherwise follow every change of the page for this session
        await session.send("DOM.disable")
    return found


async def reveal_closed_roots(page: Page) -> int:
    """Hand every closed shadow root of the page to its frame's searches; how many there are."""
    found = 0
    for frame in frames(page):
        for attempt in range(2):
            try:
                found += await _reveal(page, frame)
                break
            except PlaywrightError:
                if attempt or frame not in _SESSIONS:
                    break  # the frame is gone
                del _SESSIONS[frame]  # the frame's target changed (it navigated): a new session once
    return found


async def first(page: Page, function: str, arg: Any) -> tuple[ElementHandle, Frame] | None:
    """The element the search ``function`` (written with ``deep``) returns in the first frame that
    returns one, main frame first."""
    await reveal_closed_roots(page)
    script = deep_script(function)
    for frame in frames(page):
        try:
            handle = await frame.evaluate_handle(script, arg)
        except PlaywrightError:
            continue
        element = handle.as_element()
        if element is not None:
            return element, frame
        await handle.dispose()
    return None


async def each(page: Page, function: str, arg: Any, handles: bool = False) -> list[tuple[Frame, Any]]:
    """What the search ``function`` (written with ``deep``) returns in every frame, main frame
    first: as a value (JSON-like), or with ``handles`` kept in the page (a JSHandle per frame)."""
    await reveal_closed_roots(page)
    script = deep_script(function)
    out = []
    for frame in frames(page):
        try:
            out.append((frame, await (frame.evaluate_handle if handles else frame.evaluate)(script, arg)))
        except PlaywrightError:
            continue
    return out

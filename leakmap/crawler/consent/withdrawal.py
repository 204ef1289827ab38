"""Withdrawing consent the way a visitor does it.

The visitor accepted, browsed, and changes their mind on the page they are on. They look for a
control that reopens the choice (:mod:`~leakmap.crawler.consent.reopen`, judged by its effect)
on that page; else on the site's landing page; else on the cookie policy page, then the privacy
policy page, that the footer links to (many sites put "change your choices" there; the links of
the withdrawal page, or the landing page's when it has none, as an error page without a footer).
Each navigation is a step of the withdrawal like each click, counted on the way to the page where
the control was found (``details.reopen.path``, and in ``steps_seen``); every page looked at is
listed with the candidates tried there (``details.reopen.looked_at``). In what opens, the visitor
refuses all: the reject button, the settings layer's path, or untick and save. When no visitor
path exists, the consent platform's documented API reopens the interface so the audit can go on,
reported as not found by a visitor.

The withdrawal is verified by the stored choice changing (a reopened settings panel may stay
open) and timed at its deciding click, like an answer to the banner.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from leakmap.crawler.collectors.clicks import ClickCollector
from leakmap.crawler.collectors.screenshots import ScreenshotCollector
from leakmap.crawler.consent.heuristic import (
    find_text,
    interface,
    refuse_in_layer,
    reject_in_second_layer,
)
from leakmap.crawler.consent.overlays import Covered, Hand, why
from leakmap.crawler.consent.reopen import Reopener, candidates, open_by_api, policy_links
from leakmap.crawler.consent.signals import read_signals
from leakmap.crawler.consent.verify import consent_state, decide, verify
from leakmap.crawler.consent.vocabulary import vocabulary
from leakmap.records import ConsentRecord

Settle = Callable[[], Awaitable[object]]
MAX_TRIES = 6  # candidates clicked per page before looking elsewhere


@dataclass(frozen=True)
class Place:
    """A page where the visitor looks for the control."""

    url: str
    what: str  # the page of the withdrawal, the landing page, the cookie policy page, the privacy policy page
    path: tuple[str, ...] = ()  # the pages a visitor goes through from the withdrawal page to get here
    link: str | None = None  # the text of the link that leads here


def _document(url: str) -> str:
    return url.split("#")[0]


def _refusable(shown: dict[str, Any]) -> bool:
    """A consent interface one can refuse in: a reject button, purpose switches, a settings or save button."""
    return bool(shown["reject"] or shown["switches"] or shown["settings"] or shown["save"])


class _Visitor:
    """Looks for the control page after page, keeping what it did and saw."""

    def __init__(self, page: Page, settle: Settle, hand: Hand, before: dict[str, str], timeline: list[dict[str, Any]]):
        self.page, self.settle, self.hand, self.before, self.timeline = page, settle, hand, before, timeline
        self.looked: list[dict[str, Any]] = []
        self.navigations: dict[str, dict[str, Any]] = {}  # url -> the navigation step that went there
        self.aside: list[tuple[float, float]] = []  # candidates clicked that did nothing: not steps
        self.shown: dict[str, Any] | None = None  # the consent interface the control opened

    async def go(self, url: str, what: str) -> str | None:
        """Navigate to ``url`` as a step; None, or why it failed."""
        at = time.time()
        self.timeline.append({"step": "navigate", "time": at, "to": url, "what": what})
        try:
            await self.page.goto(url, wait_until="load")
        except PlaywrightTimeout:
            pass  # audited as it is, like any page that never finishes loading
        except PlaywrightError as exc:
            return why(exc)
        self.navigations[url] = {"time": at, "text": f"{what}: {url}", "tag": "navigation", "id": "", "frame": url,
                                 "trusted": True}
        await self.settle()
        return None

    async def look(self, place: Place) -> tuple[Reopener, str, float] | None:
        """Try the candidates of ``place``; the control that worked, its effect ("opened": a consent
        interface showed up, kept in :attr:`shown`; "changed": the stored choice changed at once)
        and when it was clicked."""
        entry: dict[str, Any] = {"page": place.url, "what": place.what, **({"link": place.link} if place.link else {}),
                                 "found": False, "tried": []}
        self.looked.append(entry)
        if _document(self.page.url) != _document(place.url) and (error := await self.go(place.url, place.what)):
            entry["error"] = error
            return None
        base = await interface(self.page)
        for candidate in (await candidates(self.page))[:MAX_TRIES]:
            at = time.time()
            tried = {"kind": candidate.kind, "text": candidate.label}
            try:
                await self.hand.click(candidate.element, candidate.frame, "reopen")
                await self.settle()
                effect = await self._effect(candidate, base, place)
            except (PlaywrightError, Covered) as exc:
                effect, tried["error"] = None, why(exc)
            if effect is not None:
                entry["found"] = True
                return candidate, effect, at
            self.aside.append((at, time.time()))
            entry["tried"].append(tried)
            self.timeline.append({"step": "tried", "time": at, **tried})
        return None

    async def _effect(self, candidate: Reopener, base: dict[str, Any], place: Place) -> str | None:
        if _document(self.page.url) != _document(place.url):  # it led elsewhere: back to where the visitor was
            await self.go(place.url, place.what)
            return None
        shown = await interface(self.page)
        if _refusable(shown) and shown != base:
            self.shown = shown
            return "opened"
        # a one-click "withdraw consent" control: only one that says so (a phrase, not just "Cookies")
        if candidate.strength == 1 and await consent_state(self.page) != self.before:
            return "changed"
        return None


async def _refuse(page: Page, shown: dict[str, Any], before: dict[str, str], settle: Settle,
                  hand: Hand) -> tuple[str, int, str | None]:
    """Refuse all in the interface a withdrawal reopened (``shown``: what :func:`interface` reads
    in it): (how, clicks, error). A control that withdrew by itself (a one-click "withdraw
    consent" link) leaves nothing to click."""
    words = vocabulary()
    if not _refusable(shown) and not shown["accept"]:
        if await consent_state(page) != before:
            return "direct", 0, None
        return "none", 0, "nothing to refuse in showed up"
    rejecter = await find_text(page, words.reject, in_banner=True) if shown["reject"] else None
    if rejecter is not None:
        await hand.click(*rejecter, "reject")
        return "heuristic", 1, None
    if shown["settings"] and not shown["save"]:  # a first layer: go deeper
        clicks, error = await reject_in_second_layer(page, hand, settle)
        return "heuristic-second-layer", clicks, error
    clicks, error = await refuse_in_layer(page, hand)  # a settings layer (what most reopen): untick, save
    return "heuristic-untick", clicks, error


async def _find(visitor: _Visitor, origin: str, landing: str | None) -> tuple[Place, Reopener, str, float] | None:
    """Look where a visitor looks, in order; the place, the control, its effect and click time."""
    here = Place(origin, "the page of the withdrawal")
    if found := await visitor.look(here):
        return here, *found
    links = [(link, (link.url,)) for link in await policy_links(visitor.page)]
    if landing and _document(landing) != _document(origin):
        home = Place(landing, "the landing page", (landing,))
        if found := await visitor.look(home):
            return home, *found
        if not links:  # an error page without a footer: the landing page's links
            links = [(link, (landing, link.url)) for link in await policy_links(visitor.page)]
    looked = {_document(e["page"]) for e in visitor.looked}
    for link, path in links:
        if _document(link.url) in looked:
            continue
        place = Place(link.url, f"the {link.what} policy page", path, link.text)
        if found := await visitor.look(place):
            return place, *found
    return None


async def withdraw(page: Page, settle: Settle, shots: ScreenshotCollector, clicks: ClickCollector,
                   landing: str | None = None) -> ConsentRecord:
    """``withdraw``: reopen the choice as a visitor would (this page, then ``landing``, then the
    policy pages; else the consent platform's API), refuse all, verify that the stored choice
    changed; every step kept with its time. ``details.reopen.found`` says whether a visitor could
    have done it (a visible control that opened something to refuse in)."""
    record = ConsentRecord(action="withdraw")
    timeline: list[dict[str, Any]] = []
    record.details["timeline"] = timeline
    record.screenshot_before = await shots.take("before-withdraw")
    before = await consent_state(page)
    started = time.time()
    origin = page.url
    hand = Hand(page)
    visitor = _Visitor(page, settle, hand, before, timeline)
    path: tuple[str, ...] = ()
    how, refuse_clicks, error = "none", 0, "no way to reopen the consent choice was found"
    used: dict[str, Any] | None = None
    if found := await _find(visitor, origin, landing):
        place, control, effect, at = found
        path = place.path
        used = {"means": control.kind, "text": control.label, "frame": control.frame.url, "clicks": 1,
                "page": place.url, "where": place.what, "path": list(path)}
        timeline.append({"step": "reopen", "time": at, **{k: used[k] for k in ("means", "text", "frame", "page")}})
        if effect == "changed":
            how, error = "direct", None
    else:
        if _document(page.url) != _document(origin):  # back where the withdrawal happens (no visitor's step)
            timeline.append({"step": "return", "time": time.time(), "to": origin})
            try:
                await page.goto(origin, wait_until="load")
            except PlaywrightTimeout:
                pass
            await settle()
        if (api := await open_by_api(page)) is not None:
            used = {"means": "api", "cmp": api.cmp, "call": api.call, "clicks": 0}
            timeline.append({"step": "reopen", "time": time.time(), **used})
            await settle()
    if used is not None and how == "none":
        shown = visitor.shown if used["means"] != "api" and visitor.shown else await interface(page)
        record.details["reopened_layer"] = {k: shown[k] for k in ("accept", "reject", "settings")}
        if shot := await shots.take(f"withdraw-reopened-{'api' if used['means'] == 'api' else 'control'}"):
            record.details.setdefault("screenshots_reopened", []).append(shot)
        try:
            how, refuse_clicks, error = await _refuse(page, shown, before, settle, hand)
        except (PlaywrightError, Covered) as exc:
            how, refuse_clicks, error = "heuristic", 0, why(exc)
        timeline.append({"step": "refuse", "time": time.time(), "how": how, "clicks": refuse_clicks, "error": error})
    reopen_clicks = used["clicks"] if used else 0
    record.details["reopen"] = {**(used or {}), "found": used is not None and used["means"] != "api" and how != "none",
                                "looked_at": visitor.looked}
    if hand.dismissals:
        record.details["dismissed"] = hand.dismissals
    if used is not None and used["means"] == "api":
        record.cmp = used["cmp"]
    record.banner_found = how != "none"
    if used is None or how == "none" or error is not None:
        if used is None:
            pages = ", ".join(f"{e['what']} ({e['page']})" for e in visitor.looked)
            error += (f" (looked on {pages}): no cookie-settings link or button, no floating consent button, "
                      "no known consent platform API")
        elif how != "none":
            error = f"the consent choice was reopened but could not be refused: {error}"
        record.error = error
        record.screenshot_after = await shots.take("after-withdraw")
        return record
    await settle()
    verdict = await verify(page, before, None)
    record.method, record.success = f"{used['means']}+{how}", True
    record.steps = len(path) + reopen_clicks + refuse_clicks + len(hand.dismissals)
    navigations = [visitor.navigations[url] for url in path if url in visitor.navigations]
    decide(record, clicks, started, (started, time.time()), api_answer=False, other_steps=[*navigations, *hand.keys],
           aside=visitor.aside)
    if record.time is None:  # nothing clicked: the platform's API reopened and refused at once
        record.time = timeline[-1]["time"]
        record.details["deciding_step"] = {"time": record.time, "text": f"{used['means']}+{how} (no click seen)"}
    # the stored choice changed: a reopened settings panel may stay open after the refusal (tarteaucitron's does)
    record.verified = bool(verdict["changed"])
    record.details.update({k: v for k, v in verdict.items() if k != "verified"})
    record.details.update(reopen_clicks=reopen_clicks, refuse_clicks=refuse_clicks, navigations=len(path))
    timeline.append({"step": "verified" if record.verified else "not verified", "time": time.time()})
    record.details.update(await read_signals(page))
    record.screenshot_after = await shots.take("after-withdraw")
    if not record.verified:
        record.error = "the withdrawal could not be verified: no consent record changed"
    return record

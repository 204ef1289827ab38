"""The collector lifecycle, in the spirit of Tracker Radar Collector's collectors
and mitmproxy's addons: each collector declares the DevTools events and
instrumentation messages it wants, prepares every target (page, iframe,
worker) before that target runs, and hands over its records at the end.
A collector that raises loses its own records, never the visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page

    from leakmap.crawler.cdp import Session
    from leakmap.crawler.config import ScanConfig
    from leakmap.crawler.pace import Budget


@dataclass
class VisitContext:
    """What collectors may read about the visit they record."""

    config: ScanConfig
    site_id: int
    phase: str
    url: str
    output_dir: Any  # Path where screenshots go
    visit_key: str  # unique, file-name safe
    landing: bool = False  # the phase's first page (where the banner is answered)
    action: str | None = None  # "accept" / "reject" when this visit answers the banner
    later: tuple[str, ...] = ()  # the phase's later consent actions taken on this visit ("withdraw")
    declaration: bool = False  # read what the site publishes about its cookies here (once per site)
    headers: dict[str, str] = field(default_factory=dict)  # what leakmap makes the browser add to every request
    context: BrowserContext | None = None
    page: Page | None = None
    budget: Budget | None = None  # the visit's time: collectors that act on the page stay within it
    notes: dict[str, Any] = field(default_factory=dict)


class Collector:
    name = "collector"
    events: frozenset[str] = frozenset()  # DevTools events routed to on_event
    hooks: frozenset[str] = frozenset()  # instrument.js message types routed to on_hook
    target_types: frozenset[str] = frozenset({"page", "iframe", "worker", "service_worker", "shared_worker"})
    # JavaScript added to every document before its scripts run, in order, after leakmap's
    # instrument.js, whose window[Symbol.for("__LEAKMAP_STATE__")].post(message) delivers
    # {"t": <one of hooks>, ...} to on_hook (with "_context": the sender's execution context id)
    scripts: tuple[str, ...] = ()
    script: str | None = None  # a single script: shorthand for scripts = (script,)
    in_popups = True  # also set up in windows the visited page opens (their traffic is the visit's)

    def __init__(self, visit: VisitContext):
        self.visit = visit

    async def setup(self, session: Session) -> None:
        """Enable what this collector needs on a target that is still paused."""

    def on_event(self, session: Session, method: str, params: dict[str, Any]) -> None:
        """A DevTools event from one of the visit's targets (keep it cheap: it runs per request)."""

    def on_hook(self, session: Session, message: dict[str, Any]) -> None:
        """A message from the page instrumentation."""

    async def on_page(self, page: Page) -> None:
        """The Playwright page exists (before navigation): subscribe to page-level events."""

    async def on_loaded(self, page: Page) -> None:
        """The page has loaded and settled (called after each load, the post-consent reload included);
        a collector may act on the page here (e.g. fill forms) before the visit goes on."""

    def leaving(self) -> None:
        """The visit is about to leave the page's document (its own reload after a consent action,
        or closing the page): what is still going on there ends by the visit's doing."""

    async def finish(self) -> None:
        """The page has closed (its unload beacons are in): last reads from the context."""

    def records(self) -> list[Any]:
        return []

"""``leakmap setup``: get what scans need — a Chromium and the consent engine (``make`` runs it)."""

from __future__ import annotations

import sys

import click

from leakmap.crawler.browser import ensure_browser
from leakmap.crawler.consent.bundle import ensure_bundle


@click.command()
def setup() -> None:
    """Find (or, as root on Debian, install) a Chromium, and fetch the pinned consent engine.
    Exit 2 without a browser; a missing consent engine only warns (scans fall back to
    selectors and the text heuristic)."""
    status = ensure_browser()
    ensure_bundle()
    sys.exit(status)

"""``report.pdf``: the HTML report printed by the Chromium leakmap audits with, as evidence to file.

The very page ``report.html`` is printed (Chromium's print to PDF through Playwright): the report's
own print style sheet starts each site on a new page, scales screenshots to the page, repeats
table headers on every page and lets wide tables wrap; findings and the cookie declaration's
table are opened (a closed ``<details>`` prints its summary only), the raw evidence JSON stays
folded. Every page's footer carries the scan's metadata and the page number, so a printed page
read alone still says which scan it comes from.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from markupsafe import escape
from playwright.async_api import async_playwright

from leakmap import __version__
from leakmap.crawler.browser import find_browser
from leakmap.report.html import render
from leakmap.report.model import Report

# details a printed report shows open: each finding and the declaration's table (not the raw JSON)
_OPEN = "document.querySelectorAll('details.finding, details.declaration-table').forEach(d => { d.open = true; })"
MARGINS = {"top": "14mm", "bottom": "18mm", "left": "12mm", "right": "12mm"}


def footer(report: Report) -> str:
    """The footer template of every page: the scan, the knowledge used, the page number (escaped:
    the command line and the sites' names come from the store)."""
    scan = report.scan
    sites = report.sites[0].start_url if len(report.sites) == 1 else f"{len(report.sites)} sites"
    lists = ", ".join(f"{k} {v}" for k, v in report.lists.items())
    facts = (f"leakmap {__version__} · scan {scan.get('id')} ({scan.get('command') or 'scan'}) of {sites}, started "
             f"{scan.get('started_at')}, {scan.get('status')}; phases {', '.join(scan.get('phases') or [])}; "
             f"knowledge {lists}")
    return ('<div style="font: 7px system-ui, sans-serif; color: #555; width: 100%; margin: 0 12mm; display: flex; '
            'justify-content: space-between; gap: 8mm;"><span>' + str(escape(facts)) + '</span><span style="white-space: '
            'nowrap">page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


async def _print(html: str, path: Path, footer_html: str, browser: Path) -> None:
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=str(browser), headless=True)
        try:
            page = await chromium.new_page()
            await page.set_content(html, wait_until="load")
            await page.evaluate(_OPEN)
            await page.emulate_media(media="print")
            await page.pdf(path=str(path), format="A4", print_background=True, display_header_footer=True,
                           header_template="<span></span>", footer_template=footer_html, margin=MARGINS)
        finally:
            await chromium.close()


def write_pdf(report: Report, path: Path, browser: str | None = None) -> Path:
    """Print the report to ``path`` (``browser``: ``--browser``, else the Chromium leakmap finds)."""
    executable = find_browser(browser)
    path.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(_print(render(report), path, footer(report), executable))
    return path

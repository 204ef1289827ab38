"""What one site publishes about its cookies, read from the store's ``declarations`` rows.

The crawler stored the raw evidence (consent platforms' configurations, the policy links of the
landing page, the policy pages as their server sent them); this reads each with its reader
(:mod:`leakmap.declaration.cmps`, :mod:`leakmap.declaration.policy`). Whether anything may be
judged depends on how complete the reading was: ``searched`` (the landing page was read: stores
from before the table, or a site that never loaded, were not) and ``unread`` (policy pages the
landing page links to that could not be fetched: what they declare is unknown).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from leakmap.declaration import cmps, policy
from leakmap.declaration.items import Declared


@dataclass
class PageRead:
    """A policy page and what reading it gave."""

    url: str
    status: int | None
    error: str | None
    tables: int = 0
    items: int = 0
    found_by: list[dict[str, Any]] = field(default_factory=list)  # the links to it: text, where

    @property
    def read(self) -> bool:
        """Fetched, or answered an HTTP error (a broken link declares nothing either)."""
        return bool(self.status) and (self.status >= 400 or not self.error or self.error.startswith("not an HTML"))

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "error": self.error, "tables": self.tables,
                "declared_items": self.items, "found_by": self.found_by}


@dataclass
class Published:
    items: list[Declared] = field(default_factory=list)  # from the platforms' configurations and the policy tables
    cmps: list[str] = field(default_factory=list)  # platforms whose configuration was read
    pages: list[PageRead] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # policy page URL -> its visible text
    searched: bool = False  # the landing page was read for a declaration
    errors: list[str] = field(default_factory=list)

    @property
    def unread(self) -> list[str]:
        return [p.url for p in self.pages if not p.read]

    @property
    def complete(self) -> bool:
        """Everything the site points to was read: an absence may be judged."""
        return self.searched and not self.unread

    def as_dict(self) -> dict[str, Any]:
        return {"searched": self.searched, "complete": self.complete, "cmps": self.cmps,
                "policy_pages": [p.as_dict() for p in self.pages], "declared_items": len(self.items),
                "errors": self.errors}


def _has_table(db: sqlite3.Connection) -> bool:
    return db.execute("select 1 from sqlite_master where type = 'table' and name = 'declarations'").fetchone() is not None


def load(db: sqlite3.Connection | None, site_id: int) -> Published:
    """The site's published declaration (empty and not ``searched`` for a store without the table)."""
    out = Published()
    if db is None or not _has_table(db):
        return out
    latest: dict[tuple[str, str], tuple] = {}
    for row in db.execute("select kind, source, url, content, status, error, details from declarations "
                          "where site_id = ? order by id", [site_id]):
        kind, source, url = row[0], row[1] or "", row[2] or ""
        latest[(kind, source if kind == "cmp" else url if kind == "policy-page" else "")] = row
    links: list[dict[str, Any]] = []
    wanted: list[str] = []
    for (kind, _), (_, source, url, content, _status, error, details) in latest.items():
        if kind == "links":
            out.searched = error is None
            if error:
                out.errors.append(f"{url}: {error}")
            info = json.loads(details or "{}")
            links, wanted = info.get("links") or [], info.get("policy_pages") or []
        elif kind == "cmp":
            out.cmps.append(source)
            out.items += cmps.read(source, content or "")
    fetched = {key[1]: row for key, row in latest.items() if key[0] == "policy-page"}
    for url in dict.fromkeys([*wanted, *fetched]):
        row = fetched.get(url)
        found_by = [{"text": link.get("text"), "where": link.get("where")} for link in links if link.get("url") == url]
        if row is None:
            out.pages.append(PageRead(url, None, "not fetched (the scan ended before)", found_by=found_by))
            continue
        _, _, _, content, status, error, _ = row
        page = PageRead(url, status, error, found_by=found_by)
        if content and status and 200 <= status < 400:
            parsed = policy.read(url, content)
            page.tables, page.items = parsed.tables, len(parsed.items)
            out.items += parsed.items
            out.texts[url] = parsed.text
        out.pages.append(page)
    return out

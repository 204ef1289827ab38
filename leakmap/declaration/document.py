"""The declaration of a stored scan, versioned ``leakmap.declaration/1``: what every renderer shows.

Per site: every cookie and storage key observed (one row per name, domain or origin, and type),
with the purpose every rule gives it, joined with what the site declares; what it declares but no
visit saw ("declared, not observed": listed, never judged); the declaration sources read; and the
findings of the declaration rules. Computed from the store with the current lists, like
``leakmap analyze``; values never appear. The contract is ``schema/declaration-1.schema.json``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from importlib import resources
from typing import Any

from leakmap import __version__
from leakmap.analysis.data import load_site
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules import RULES
from leakmap.blocklists import Knowledge
from leakmap.declaration.inventory import SiteDeclaration, build
from leakmap.records import Finding

SCHEMA = "leakmap.declaration/1"
RULE_IDS = ("cookie-undeclared", "cookie-declaration-missing", "cookie-purpose-mismatch", "cookie-lifetime-mismatch")


def schema() -> dict[str, Any]:
    """The JSON Schema of the declaration JSON (shipped with the package)."""
    return json.loads(resources.files("leakmap.declaration").joinpath("schema/declaration-1.schema.json")
                      .read_text(encoding="utf-8"))


@dataclass
class SiteView:
    """One site's declaration and the findings its rules give."""

    declaration: SiteDeclaration
    findings: list[Finding]

    def as_dict(self) -> dict[str, Any]:
        d = self.declaration
        return {"start_url": d.start_url, "domain": d.domain, "status": d.status, "summary": d.counts(),
                "sources": d.published.as_dict(), "cookies": [row.as_dict() for row in d.observed],
                "declared_not_observed": [item.as_dict() for item in d.not_observed],
                "findings": [{"id": f.id, "rule": f.rule, "severity": f.severity, "title": f.title,
                              "name": f.evidence.get("item", {}).get("name"), "domain": f.domain}
                             for f in self.findings]}


@dataclass
class Document:
    scan: dict[str, Any]
    lists: dict[str, str]
    sites: list[SiteView]

    @property
    def language(self) -> str:
        """The scan's --locale language, for the labels of the HTML table."""
        return (self.scan.get("locale") or "en").split("-")[0].lower()

    def as_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "generator": {"name": "leakmap", "version": __version__}, "scan": self.scan,
                "lists": self.lists, "sites": [s.as_dict() for s in self.sites]}


def _site_views(conn: sqlite3.Connection, scan: dict[str, Any], rows: list[dict[str, Any]],
                parties: Parties) -> list[SiteView]:
    aliases = tuple(scan["config"].get("first_party") or ())
    out = []
    for row in rows:
        parties.register(row["id"], row["domain"] or "", aliases)
        site = load_site(conn, row, aliases, scan["started_at"])
        findings = [f for rule in RULE_IDS for f in RULES[rule](site, parties)]
        out.append(SiteView(build(site, parties), findings))
    return out


def for_scan(conn: sqlite3.Connection, scan_id: int | None = None, kb: Knowledge | None = None,
             site: str | None = None) -> Document:
    """The declaration of a scan (default: the latest), of every site or of the one whose start URL
    (or registrable domain) is ``site``."""
    found = conn.execute("select id, started_at, config from scans where id = coalesce(?, (select max(id) from scans))",
                         [scan_id]).fetchone()
    if found is None:
        raise LookupError("no such scan in the store" if scan_id is not None else "no scan in the store")
    config = json.loads(found[2] or "{}")
    scan = {"id": found[0], "started_at": found[1] or 0.0, "config": config}
    rows = [dict(zip(("id", "start_url", "domain"), r, strict=True)) for r in
            conn.execute("select id, start_url, domain from sites where scan_id = ? order by id", [found[0]])]
    if site is not None:
        wanted = site.rstrip("/")
        rows = [r for r in rows if r["start_url"].rstrip("/") == wanted or r["domain"] == wanted]
        if not rows:
            raise LookupError(f"no site {site} in scan {found[0]}")
    kb = kb or Knowledge.load()
    from leakmap.report.model import iso  # a date as every report writes it

    return Document({"id": found[0], "started_at": iso(found[1]), "locale": config.get("locale"),
                     "command": config.get("command")}, dict(sorted(kb.versions().items())),
                    _site_views(conn, scan, rows, Parties(kb)))

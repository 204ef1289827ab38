"""What a site must show a visitor who sends Global Privacy Control, where the law says so.

California (the duties and the texts are data: ``leakmap/blocklists/data/laws.toml``):

- ``gpc-status-not-displayed`` (regulation § 7025(c)(6), in force since 2026-01-01): a business
  that sells or shares and receives the signal must display whether it processed it as an
  opt-out ("Opt-Out Request Honored", or a toggle showing the opt-out). Judged on the pages of the
  phases sending GPC, from what they showed a visitor (``page_texts``: visible text, open shadow
  roots, labelled toggles); a text in the page but hidden is not displayed.
- ``opt-out-link-missing`` (Civ. Code § 1798.135(a); regulations §§ 7013, 7015, 7026(a)): a
  business that sells or shares offers a "Do Not Sell or Share My Personal Information" (or "Your
  Privacy Choices") link. A business that processes the signal in a frictionless manner need not
  (§ 1798.135(b)(1), regulation § 7025(e)): when the GPC visit was honoured, no finding.

Both need evidence of a sale or share (an advertising, data-broker, social or session-replay
party tracking in the visit without the signal; without such a phase, in the GPC visit itself)
and recorded page text; a store without it is not judged (never "missing" for want of looking).
"""

from __future__ import annotations

import re
from typing import Any

from leakmap.analysis.data import Shown, SiteData
from leakmap.analysis.findings import BEFORE, make
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.gpc import (
    concerned_hits,
    control_phase,
    gpc_phases,
    honoured,
    law_note,
    statutes,
    us_laws,
)
from leakmap.analysis.rules.gpc import uses as gpc_uses
from leakmap.blocklists.laws import Law
from leakmap.records import Finding

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " ", "\u2011": "-", "\u2010": "-", "\u2013": "-"})


def normal(text: str) -> str:
    """Lower case, one space between words, plain quotes and hyphens: how phrases are compared."""
    return _SPACE.sub(" ", (text or "").translate(_QUOTES)).strip().lower()


def _laws_with(site: SiteData, duty: str) -> list[Law]:
    return [law for law in us_laws(site) if law.cites(duty, site.day)]


def sells_or_shares(site: SiteData, parties: Parties) -> list[str]:
    """The advertising, broker, social or replay parties that tracked in the visit without the
    signal (else those that ignored it in the visit with it): evidence the site sells or shares."""
    control = control_phase(site)
    if control:
        return sorted(concerned_hits(site, parties, control))
    return sorted({d for p in gpc_phases(site) for d, use in gpc_uses(site, parties, p).items() if use.ignored})


def _phrase(text: str, phrases: tuple[str, ...]) -> str | None:
    text = normal(text)
    return next((p for p in phrases if p in text), None)


def displayed(rows: list[Shown], texts: tuple[str, ...], toggles: tuple[str, ...]) -> dict[str, Any] | None:
    """Where a page showed the signal's status: a status text, or a toggle labelled for the opt-out."""
    for row in rows:
        if (found := _phrase(row.text, texts)) is not None:
            return {"page": row.page_url, "frame": row.frame_url, "text": found, "as": "text"}
        for control in row.controls:
            if (found := _phrase(str(control.get("label") or ""), (*texts, *toggles))) is not None:
                return {"page": row.page_url, "frame": row.frame_url, "text": found, "as": "toggle",
                        "checked": bool(control.get("checked"))}
    return None


def linked(rows: list[Shown], phrases: tuple[str, ...]) -> dict[str, Any] | None:
    """The first visible link or button whose text or label is an opt-out link's."""
    for row in rows:
        for link in row.links:
            found = _phrase(f"{link.get('text') or ''} {link.get('label') or ''}", phrases)
            if found is not None:
                return {"page": row.page_url, "text": found, "href": link.get("href")}
    return None


def _looked_at(rows: list[Shown]) -> list[str]:
    return sorted({r.page_url for r in rows})


def gpc_status_not_displayed(site: SiteData, parties: Parties) -> list[Finding]:
    """A site that sells or shares did not show whether it honoured the visitor's GPC."""
    laws = _laws_with(site, "signal-display")
    sellers = sells_or_shares(site, parties) if laws else []
    if not sellers:
        return []
    texts = tuple(dict.fromkeys(t for law in laws for t in law.display_texts))
    toggles = tuple(dict.fromkeys(t for law in laws for t in law.link_texts))
    cites = statutes(laws, "signal-display", site)
    out = []
    for phase in gpc_phases(site):
        rows = [r for r in site.shown if r.phase == phase]
        if not rows or displayed(rows, texts, toggles):
            continue
        pages = _looked_at(rows)
        out.append(make(site, "gpc-status-not-displayed", "medium", phase=phase, domain=site.domain, moment=BEFORE,
                        title=f"with Global Privacy Control on, none of {len(pages)} page(s) showed whether the "
                              f"site honoured it (such as \"Opt-Out Request Honored\"){law_note(cites)}",
                        evidence={"pages": pages, "looked_for": list(texts), "toggles_for": list(toggles),
                                  "sells_or_shares": sellers, "statutes": cites}))
    return out


def opt_out_link_missing(site: SiteData, parties: Parties) -> list[Finding]:
    """A site that sells or shares, and did not honour GPC, offers no opt-out link."""
    laws = _laws_with(site, "opt-out-link")
    sellers = sells_or_shares(site, parties) if laws else []
    if not sellers or honoured(site, parties):  # frictionless processing needs no link (§ 7025(e))
        return []
    phrases = tuple(dict.fromkeys(t for law in laws for t in law.link_texts))
    cites = statutes(laws, "opt-out-link", site)
    out = []
    for phase in gpc_phases(site):
        rows = [r for r in site.shown if r.phase == phase]
        if not rows or linked(rows, phrases):
            continue
        pages = _looked_at(rows)
        out.append(make(site, "opt-out-link-missing", "medium", phase=phase, domain=site.domain, moment=BEFORE,
                        title=f"no \"Do Not Sell or Share My Personal Information\" or \"Your Privacy Choices\" link "
                              f"on {len(pages)} page(s), and Global Privacy Control was not honoured{law_note(cites)}",
                        evidence={"pages": pages, "looked_for": list(phrases), "sells_or_shares": sellers,
                                  "statutes": cites}))
    return out

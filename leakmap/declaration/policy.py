"""Cookie tables of a policy page, as its server sent it (``kind = policy-page``).

A table is a declaration when one of its header cells names the cookie (the vocabulary's
``column-name`` headers: "Name", "Cookie", "Nom du cookie", "Bezeichnung", ..., matched whole in
any of its languages); its other columns are recognised the same way (purpose or description,
lifetime, provider or domain, type, category). Each row declares the names its name cell lists,
with the row's purpose (its category column, else the heading the table stands under, else its
description), lifetime and provider; the source is the page and the table's and row's numbers.

The page's text also counts for the cookies it names in prose: names set as code
(``<code>_ga_*</code>``, patterns included) and, for what the visits saw, a name written as a
word of its own ("we use _ga and _gid to ...", see :func:`mentions`). Those are declared without
a purpose or lifetime.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import lxml.etree
import lxml.html

from leakmap.declaration.items import Declared, Source, domain_like
from leakmap.declaration.lifetimes import parse_days
from leakmap.declaration.purposes import category_of
from leakmap.wording import normalise, texts

COLUMN_ROLES = ("column-name", "column-purpose", "column-lifetime", "column-provider", "column-type",
                "column-category")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_MIN_PROSE_NAME = 3  # names shorter than this ("fr", "id") are words or domain labels in prose
_CODE_NAME = re.compile(r"^[A-Za-z0-9_.\-*#<>\[\]{}]{2,100}$")  # a cookie name (or pattern) set as code


@cache
def _column_words(role: str) -> frozenset[str]:
    return frozenset(texts(role))


def column_role(header: str | None) -> str | None:
    """The column a header names (the vocabulary's ``column-*`` roles, matched whole)."""
    value = normalise(header or "")
    return next((role for role in COLUMN_ROLES if value in _column_words(role)), None)


def clean(value: object) -> str | None:
    """A text as a reader sees it: markup removed, spaces collapsed (None when empty or not text)."""
    if not isinstance(value, str) or not value.strip():
        return None
    if "<" in value:
        try:
            value = lxml.html.fromstring(value).text_content()
        except (ValueError, lxml.etree.ParserError):
            pass
    return " ".join(value.split()) or None


def split_names(cell: str | None) -> list[str]:
    """The cookie names a table cell lists: ``_ga, _gid``; ``_fbp (Meta)`` is ``_fbp``."""
    out = []
    for part in (cell or "").replace(";", ",").replace("\n", ",").replace(" / ", ",").split(","):
        words = part.split()
        if words:
            name = words[0].strip("\"'`‘’“”()")
            if name:
                out.append(name)
    return out


@dataclass
class Page:
    """A policy page's declaration: the rows of its cookie tables, and its visible text."""

    url: str
    items: list[Declared]
    tables: int  # cookie tables found
    text: str  # the page's visible text, for names it mentions in prose


def _document(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html) if html.strip() else None
    except (ValueError, lxml.etree.ParserError):
        return None


def _text(element: lxml.html.HtmlElement) -> str:
    """An element's text, a line per line break it shows (``_ga<br>_gid`` is two names)."""
    return "\n".join(" ".join(line.split()) for line in element.text_content().splitlines() if line.strip())


def _cells(row: lxml.html.HtmlElement) -> list[str | None]:
    """The row's cells, one per column (a cell spanning columns fills each)."""
    out: list[str | None] = []
    for cell in row.xpath("./td|./th"):
        text = _text(cell) or None
        try:
            span = max(1, min(int(cell.get("colspan", "1")), 20))
        except ValueError:
            span = 1
        out += [text] * span
    return out


def _heading(table: lxml.html.HtmlElement) -> str | None:
    """The table's caption, else the nearest heading before it in the document."""
    caption = table.find("caption")
    if caption is not None and caption.text_content().strip():
        return " ".join(caption.text_content().split())
    for element in table.itersiblings(preceding=True):
        if element.tag in _HEADINGS:
            return " ".join(element.text_content().split()) or None
        found = [h for h in element.iter() if h.tag in _HEADINGS]
        if found:
            return " ".join(found[-1].text_content().split()) or None
    parent = table.getparent()
    return _heading(parent) if parent is not None and parent.tag not in ("body", "html") else None


def _tables(doc: lxml.html.HtmlElement, url: str) -> Iterator[tuple[int, list[Declared]]]:
    for t, table in enumerate(doc.iter("table"), 1):
        rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        if not rows:
            continue
        head = next((r for r in rows if r.xpath("./th")), rows[0])
        roles = [column_role(text) for text in _cells(head)]
        if "column-name" not in roles:
            continue
        heading = _heading(table)
        items = []
        for r, row in enumerate((r for r in rows if r is not head), 1):
            if len(row.xpath("./td|./th")) == 1 < len(roles):  # a note across the table, not a cookie
                continue
            values: dict[str, str | None] = {}
            for role, text in zip(roles, _cells(row), strict=False):
                if role and role not in values:
                    values[role] = text
            purpose = " ".join((values.get("column-purpose") or "").split()) or None
            category = category_of(values.get("column-category"), heading, purpose)
            lifetime = values.get("column-lifetime")
            provider = values.get("column-provider")
            for name in split_names(values.get("column-name")):
                items.append(Declared(name, Source("policy-page", url, f"table {t}, row {r}"),
                                      domain=domain_like(provider), provider=provider,
                                      purpose=" — ".join(x for x in (values.get("column-category") or heading, purpose)
                                                         if x) or None,
                                      category=category, lifetime=lifetime, lifetime_days=parse_days(lifetime),
                                      type=values.get("column-type")))
        yield t, items


def _named_in_code(doc: lxml.html.HtmlElement, url: str) -> list[Declared]:
    """Names the page sets as code in its text (``<code>_ga_*</code>``): declared, without a purpose."""
    found: dict[str, Declared] = {}
    for element in doc.xpath("//code|//kbd|//samp|//tt"):
        if element.xpath("ancestor::table"):
            continue
        text = element.text_content().strip()
        if _CODE_NAME.match(text):
            found.setdefault(text, Declared(text, Source("policy-text", url, "named in its text")))
    return list(found.values())


def read(url: str, html: str) -> Page:
    """The cookie tables, the names set as code, and the visible text of one policy page."""
    doc = _document(html)
    if doc is None:
        return Page(url, [], 0, "")
    for junk in doc.xpath("//script|//style|//noscript|//template"):
        junk.drop_tree()
    for br in doc.iter("br"):
        br.tail = "\n" + (br.tail or "")
    found = list(_tables(doc, url))
    items = [i for _, rows in found for i in rows] + _named_in_code(doc, url)
    return Page(url, items, len(found), " ".join(doc.text_content().split()))


def mentions(text: str, name: str) -> bool:
    """The page's text names this cookie as a word of its own (not inside another word, a URL
    or a domain): names of fewer than 3 characters are never taken from prose."""
    if len(name) < _MIN_PROSE_NAME:
        return False
    return re.search(r"(?<![\w.\-/])" + re.escape(name) + r"(?![\w\-/]|\.\w)", text) is not None

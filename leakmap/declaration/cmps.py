"""Readers of the consent platforms' own configurations, as the crawler stored them (``kind = cmp``).

Each turns one platform's configuration into the cookies it declares, with the purpose, lifetime
and provider the platform's format gives:

- **Klaro** (``klaro`` on npm): ``services[].cookies`` (names, regular expressions, or
  ``[name, path, domain]``), the service's ``purposes`` (their titles from ``translations``) and
  ``required`` (always on: necessary).
- **vanilla-cookieconsent** v3 (``vanilla-cookieconsent`` on npm): ``categories.*.autoClear.cookies``
  and ``categories.*.services.*.cookies`` (``{name, domain}``), the category a cookie is under
  (``readOnly``: necessary), and the cookie tables of the preferences modal
  (``language.translations.<default>.preferencesModal.sections[].cookieTable``: headers and rows,
  with the lifetime and description the site wrote).
- **tarteaucitron.js** (``tarteaucitronjs`` on npm): the services the site added (``job``) with
  their ``cookies``, ``type`` (ads, analytic, social; other types name a kind of service, not a
  purpose) and ``needConsent`` (false: loaded without consent, declared necessary).
- **OneTrust** (not on npm; written against its documented domain data, ``OneTrust.GetDomainData()``):
  ``Groups[]`` with ``GroupName`` and ``OptanonGroupId`` (C0001 strictly necessary, C0002
  performance, C0003 functional, C0004 targeting, C0005 social media by OneTrust's defaults), their
  ``Cookies``/``FirstPartyCookies`` and ``Hosts[].Cookies`` (``Name``, ``Host``, ``IsSession``,
  ``Length`` in days, ``description``).
- **Cookiebot** (not on npm; written against its dialog script's documented tables):
  ``CookieConsentDialog.cookieTable{Necessary,Preference,Statistics,Advertising,Unclassified}``,
  rows of ``[name, provider, purpose, expiry, type, ...]``.
- **IAB TCF**: vendors' device storage disclosures (the IAB's ``disclosures[]``: ``identifier``,
  ``type``, ``maxAgeSeconds``, ``domain``, ``purposes``) when the CMP holds them with its vendor list.
- **Osano cookieconsent** (``cookieconsent`` on npm) lists no cookies: its banner's policy link is
  read as a policy page.

Every reader is tolerant: a field of the wrong type is skipped, never an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from leakmap.declaration.items import Declared, Source, domain_like, js_regex
from leakmap.declaration.lifetimes import parse_days
from leakmap.declaration.policy import clean, column_role, split_names
from leakmap.declaration.purposes import category_of

Reader = Callable[[Any], Iterator[Declared]]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _name(value: Any) -> tuple[str, str | None] | None:
    """(name as written, regex) of a declared name: a string or a serialised regular expression."""
    regex = js_regex(value)
    if regex is not None:
        return _dict(value).get("$regexp", ""), regex
    if isinstance(value, str) and value.strip():
        return value.strip(), None
    return None


# -- Klaro --------------------------------------------------------------------------------------

def klaro(config: Any) -> Iterator[Declared]:
    config = _dict(config)
    lang = config.get("lang") if isinstance(config.get("lang"), str) else "en"
    translations = _dict(config.get("translations"))
    words = {**_dict(translations.get("zz")), **_dict(translations.get(lang))}
    titles = _dict(words.get("purposes"))
    for service in _list(config.get("services") or config.get("apps")):
        service = _dict(service)
        name = service.get("name") if isinstance(service.get("name"), str) else "?"
        keys = [p for p in _list(service.get("purposes")) if isinstance(p, str)]
        shown = [clean(t if isinstance(t, str) else _dict(t).get("title")) or k for k, t in
                 ((k, titles.get(k)) for k in keys)]
        category = "necessary" if service.get("required") is True else category_of(*keys, *shown)
        title = clean(service.get("title")) or clean(_dict(words.get(name)).get("title")) or name
        for entry in _list(service.get("cookies")):
            parts = entry if isinstance(entry, list) else [entry]
            named = _name(parts[0]) if parts else None
            if named is None:
                continue
            domain = parts[2] if len(parts) > 2 and isinstance(parts[2], str) else None
            yield Declared(named[0], Source("cmp", "klaro", f"services[{name}]"), regex=named[1],
                           domain=domain_like(domain), purpose=", ".join(shown) or None, category=category,
                           provider=title)


# -- vanilla-cookieconsent ------------------------------------------------------------------------

_TABLE_KEYS = {"column-name": ("name",), "column-provider": ("domain", "provider", "service"),
               "column-purpose": ("description", "desc", "purpose"),
               "column-lifetime": ("expiration", "exp", "expiry", "duration", "lifetime")}


def _table_roles(headers: dict[str, Any]) -> dict[str, str]:
    """role -> the row key holding it, by the header's text, else by the key's name."""
    roles: dict[str, str] = {}
    for key, shown in headers.items():
        role = column_role(clean(shown)) or next((r for r, keys in _TABLE_KEYS.items() if key.lower() in keys), None)
        if role and role not in roles:
            roles[role] = key
    return roles


def vanilla_cookieconsent(config: Any) -> Iterator[Declared]:
    config = _dict(config)
    categories = _dict(config.get("categories"))
    language = _dict(config.get("language"))
    translations = _dict(language.get("translations"))
    default = language.get("default") if language.get("default") in translations else next(iter(translations), None)
    sections = [_dict(s) for s in _list(_dict(_dict(translations.get(default)).get("preferencesModal")).get("sections"))]
    titles = {s.get("linkedCategory"): clean(s.get("title")) for s in sections if s.get("linkedCategory")}

    def category(key: Any, title: str | None) -> str | None:
        if _dict(categories.get(key)).get("readOnly") is True:
            return "necessary"
        return category_of(key if isinstance(key, str) else None, title)

    for key, cat in categories.items():
        cat = _dict(cat)
        cookies = [("autoClear", c) for c in _list(_dict(cat.get("autoClear")).get("cookies"))]
        cookies += [(f"services.{sid}", c) for sid, svc in _dict(cat.get("services")).items()
                    for c in _list(_dict(svc).get("cookies"))]
        for where, entry in cookies:
            named = _name(_dict(entry).get("name"))
            if named is None:
                continue
            yield Declared(named[0], Source("cmp", "vanilla-cookieconsent", f"categories.{key}.{where}"),
                           regex=named[1], domain=domain_like(_dict(entry).get("domain")),
                           purpose=titles.get(key) or key, category=category(key, titles.get(key)))
    for i, section in enumerate(sections, 1):
        table = _dict(section.get("cookieTable"))
        roles = _table_roles(_dict(table.get("headers")))
        if "column-name" not in roles:
            continue
        title = clean(section.get("title"))
        for j, row in enumerate(_list(table.get("body")), 1):
            row = _dict(row)
            cell = {role: clean(row.get(key)) for role, key in roles.items()}
            lifetime = cell.get("column-lifetime")
            for name in split_names(cell["column-name"]):
                yield Declared(name, Source("cmp", "vanilla-cookieconsent", f"preferences section {i} ({title}), row {j}"),
                               domain=domain_like(cell.get("column-provider")), provider=cell.get("column-provider"),
                               purpose=cell.get("column-purpose") or title,
                               category=category(section.get("linkedCategory"), title),
                               lifetime=lifetime, lifetime_days=parse_days(lifetime))


# -- tarteaucitron.js -----------------------------------------------------------------------------

_TARTEAUCITRON_TYPES = {"ads": "advertising", "analytic": "analytics", "social": "social"}


def tarteaucitron(config: Any) -> Iterator[Declared]:
    config = _dict(config)
    services = _dict(config.get("services"))
    for key in _list(config.get("job")):
        service = _dict(services.get(key))
        kind = service.get("type") if isinstance(service.get("type"), str) else None
        category = "necessary" if service.get("needConsent") is False else _TARTEAUCITRON_TYPES.get(kind or "")
        name = clean(service.get("name")) or str(key)
        for cookie in _list(service.get("cookies")):
            if isinstance(cookie, str) and cookie.strip():
                yield Declared(cookie.strip(), Source("cmp", "tarteaucitron", f"services.{key}"),
                               purpose=f"{name} ({kind})" if kind else name, category=category, provider=name)


# -- OneTrust -------------------------------------------------------------------------------------

_ONETRUST_GROUPS = {"C0001": "necessary", "C0002": "analytics", "C0003": "functional", "C0004": "advertising",
                    "C0005": "social"}


def onetrust(config: Any) -> Iterator[Declared]:
    for group in _list(_dict(config).get("Groups")):
        group = _dict(group)
        title = clean(group.get("GroupName"))
        gid = group.get("OptanonGroupId") or group.get("CustomGroupId")
        category = category_of(title) or _ONETRUST_GROUPS.get(gid if isinstance(gid, str) else "")
        cookies = [(None, c) for key in ("Cookies", "FirstPartyCookies") for c in _list(group.get(key))]
        cookies += [(_dict(h).get("HostName"), c) for h in _list(group.get("Hosts")) for c in _list(_dict(h).get("Cookies"))]
        for host, cookie in cookies:
            cookie = _dict(cookie)
            name = clean(cookie.get("Name"))
            if not name:
                continue
            length = cookie.get("Length")
            if cookie.get("IsSession") is True:
                lifetime, days = "Session", 0.0
            elif isinstance(length, (int, float)) or (isinstance(length, str) and length.strip().isdigit()):
                lifetime, days = f"{int(length)} days", float(length)
            else:
                lifetime, days = None, None
            domain = cookie.get("Host") or host
            yield Declared(name, Source("cmp", "onetrust", f"group {title or gid}"), domain=domain_like(domain),
                           purpose=clean(cookie.get("description")) or title, category=category,
                           lifetime=lifetime, lifetime_days=days, provider=clean(domain))


# -- Cookiebot ------------------------------------------------------------------------------------

_COOKIEBOT_TABLES = {"cookieTableNecessary": "necessary", "cookieTablePreference": "functional",
                     "cookieTableStatistics": "analytics", "cookieTableAdvertising": "advertising",
                     "cookieTableUnclassified": None}


def cookiebot(config: Any) -> Iterator[Declared]:
    config = _dict(config)
    for table, category in _COOKIEBOT_TABLES.items():
        for j, row in enumerate(_list(config.get(table)), 1):
            cells = [clean(c) if isinstance(c, str) else None for c in _list(row)] + [None] * 5
            if not cells[0]:
                continue
            yield Declared(cells[0], Source("cmp", "cookiebot", f"{table} row {j}"), domain=domain_like(cells[1]),
                           provider=cells[1], purpose=cells[2], category=category, lifetime=cells[3],
                           lifetime_days=parse_days(cells[3]), type=cells[4])


# -- IAB TCF --------------------------------------------------------------------------------------

def tcf_category(purposes: list[Any]) -> str | None:
    """TCF purposes as a category: ads (2, 3, 4, 7) before content personalisation (5, 6) before
    measurement and research (8, 9, 10); storage alone (1) says nothing."""
    ids = {p for p in purposes if isinstance(p, int)}
    if ids & {2, 3, 4, 7}:
        return "advertising"
    if ids & {5, 6}:
        return "functional"
    if ids & {8, 9, 10}:
        return "analytics"
    return None


def tcf(config: Any) -> Iterator[Declared]:
    for vid, vendor in _dict(_dict(config).get("vendors")).items():
        vendor = _dict(vendor)
        held = vendor.get("deviceStorageDisclosures") or vendor.get("disclosures")
        entries = _list(_dict(held).get("disclosures")) if isinstance(held, dict) else _list(held)
        name = clean(vendor.get("name")) or f"vendor {vid}"
        for entry in entries:
            entry = _dict(entry)
            identifier = clean(entry.get("identifier"))
            if not identifier:
                continue
            age = entry.get("maxAgeSeconds")
            days = round(age / 86400, 4) if isinstance(age, (int, float)) and age >= 0 else None
            purposes = _list(entry.get("purposes"))
            yield Declared(identifier, Source("cmp", "tcf", f"vendor {vid} ({name})"),
                           domain=domain_like(entry.get("domain")), provider=name,
                           purpose="TCF purposes " + ", ".join(str(p) for p in purposes) if purposes else None,
                           category=tcf_category(purposes), lifetime=f"{age} seconds" if days is not None else None,
                           lifetime_days=days, type=clean(entry.get("type")))


READERS: dict[str, Reader] = {"klaro": klaro, "vanilla-cookieconsent": vanilla_cookieconsent,
                              "tarteaucitron": tarteaucitron, "onetrust": onetrust, "cookiebot": cookiebot, "tcf": tcf}


def read(source: str, content: str) -> list[Declared]:
    """The cookies one stored configuration declares (none for a platform that lists none)."""
    reader = READERS.get(source)
    if reader is None or not content:
        return []
    try:
        config = json.loads(content)
    except ValueError:
        return []
    return list(reader(config))

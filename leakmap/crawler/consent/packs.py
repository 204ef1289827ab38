"""The consent platforms whose own language packs (npm packages) the button vocabulary is built from.

For each platform: where its texts are, how they are read (``packs.mjs``,
with Node.js, the way the platform itself loads them) and which of its keys
label which button. Only the keys of the banner's answer buttons are taken:
per-service toggles ("allow" / "deny" one vendor) are left out, they are no
answer to the banner. Keys of the declaration roles (cookie-table headers, the
policy link, purpose titles) feed what ``leakmap.declaration`` reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROLES = ("accept", "reject", "settings", "save")
NODE_MODULES = Path(__file__).resolve().parents[3] / "tests" / "npm" / "node_modules"  # a checkout's test packages
_READER = Path(__file__).with_name("packs.mjs")

# Codes some packs use for a language that has another ISO 639-1 code.
LANGUAGE_CODES = {"cz": "cs", "gr": "el", "cn": "zh", "se": "sv", "sr_cyrl": "sr"}


@dataclass(frozen=True)
class Pack:
    package: str
    reader: str  # a reader of packs.mjs
    path: str  # the folder or file the texts are in, inside the package
    keys: Mapping[str, tuple[str, ...]]  # role -> dotted keys of the platform's texts
    note: str


PACKS = (
    Pack("tarteaucitronjs", "tarteaucitron", "lang", {
        "accept": ("acceptAll", "allowAll"), "reject": ("denyAll",), "settings": ("personalize",), "save": ("save",),
        "policy-link": ("privacyUrl",), "purpose-necessary": ("mandatoryTitle",),
        "purpose-analytics": ("analytic.title",), "purpose-advertising": ("ads.title",),
        "purpose-social": ("social.title",), "close": ("close",)},
        "tarteaucitron.js: first layer acceptAll / denyAll / personalize, panel allowAll / denyAll / save / close; the "
        "privacy policy link; the titles of its mandatory cookies and of its service types"),
    Pack("klaro", "klaro", "dist/translations.js", {
        "accept": ("acceptAll", "ok"), "reject": ("decline",), "settings": ("consentNotice.learnMore",),
        "save": ("acceptSelected", "save"),
        "policy-link": ("privacyPolicy.name",), "purpose-necessary": ("purposes.functional.title",),
        "purpose-analytics": ("purposes.performance.title",),
        "purpose-advertising": ("purposes.advertising.title", "purposes.marketing.title"), "close": ("close",)},
        "Klaro: notice ok (or acceptAll) / decline / learnMore, modal acceptAll / acceptSelected / decline / close; the "
        "privacy policy link; its purposes' titles (its 'functional' services are the essential ones)"),
    Pack("@c15t/translations", "c15t", "dist/all.js", {
        "accept": ("common.acceptAll", "iab.common.acceptAll"), "reject": ("common.rejectAll", "iab.common.rejectAll"),
        "settings": ("common.customize", "iab.common.customize"), "save": ("common.save", "iab.common.saveSettings"),
        "policy-link": ("legalLinks.cookiePolicy", "legalLinks.privacyPolicy"),
        "purpose-necessary": ("consentTypes.necessary.title",),
        "purpose-functional": ("consentTypes.functionality.title",),
        "purpose-analytics": ("consentTypes.measurement.title",),
        "purpose-advertising": ("consentTypes.marketing.title",), "close": ("common.close",)},
        "c15t: cookie banner and its IAB TCF banner (and their close control); its legal links and consent types"),
    Pack("@68publishers/cookie-consent", "json", "dist/translations", {
        "accept": ("consent_modal_primary_btn", "settings_modal_accept_all_btn"),
        "reject": ("consent_modal_secondary_btn_accept_necessary", "settings_modal_reject_all_btn"),
        "settings": ("consent_modal_secondary_btn_settings",), "save": ("settings_modal_save_settings_btn",),
        "column-name": ("cookie_table_col_name",), "column-purpose": ("cookie_table_col_purpose",),
        "column-lifetime": ("cookie_table_col_processing_time",), "column-provider": ("cookie_table_col_provider",),
        "column-type": ("cookie_table_col_type",), "column-category": ("cookie_table_col_category",),
        "purpose-necessary": ("security_storage_title",),
        "purpose-functional": ("functionality_storage_title", "personalization_storage_title"),
        "purpose-analytics": ("analytics_storage_title",), "purpose-advertising": ("ad_storage_title",)},
        "68publishers' wrapper of vanilla-cookieconsent (which itself ships no texts: a site writes its own); its "
        "cookie table's column headers and its storage types' titles"),
    Pack("cookie-consent-js", "json", "cookie-consent-content", {
        "accept": ("buttonAcceptAll",), "reject": ("buttonAcceptTechnical",)},
        "cookie-consent-js: accept all / accept only the technically necessary"),
    Pack("cookieconsent", "osano", "src/cookieconsent.js", {
        "accept": ("allow", "dismiss"), "reject": ("deny",)},
        "Osano cookieconsent: its English defaults (a site translates them in its own config)"),
)


@dataclass(frozen=True)
class Label:
    """One button text as a platform's pack writes it (raw: may hold markup or entities)."""
    package: str
    file: str  # inside the package; "#xx" names one language of a file holding several
    language: str
    role: str
    key: str
    raw: str


@dataclass(frozen=True)
class PackageInfo:
    name: str
    version: str
    license: str  # the package's SPDX id, from its package.json
    license_file: str | None  # the license text shipped in the package


class PackError(Exception):
    """The language packs could not be read."""


def package_info(package: str, node_modules: Path = NODE_MODULES) -> PackageInfo:
    folder = node_modules / package
    meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    licence = next((p.name for p in sorted(folder.iterdir()) if p.name.upper().startswith(("LICENSE", "LICENCE"))),
                   None)
    return PackageInfo(package, meta["version"], meta["license"], licence)


def _lookup(texts: object, dotted: str) -> object:
    for part in dotted.split("."):
        if not isinstance(texts, dict):
            return None
        texts = texts.get(part)
    return texts


def read_packs(node_modules: Path = NODE_MODULES, packs: tuple[Pack, ...] = PACKS) -> list[Label]:
    """Every answer-button text of every language of ``packs``, in pack, file and key order."""
    node = shutil.which("node")
    if node is None:
        raise PackError("node is not on PATH: reading the consent platforms' language packs needs Node.js")
    missing = [p.package for p in packs if not (node_modules / p.package / "package.json").is_file()]
    if missing:
        raise PackError(f"not installed in {node_modules}: {', '.join(missing)} "
                        "(make tests/npm/node_modules/.installed installs them)")
    request = json.dumps([[p.package, p.reader, p.path] for p in packs])
    proc = subprocess.run([node, str(_READER), str(node_modules)], input=request, capture_output=True, text=True,
                          timeout=120, check=False)
    if proc.returncode != 0:
        raise PackError(f"reading the language packs failed: {proc.stderr.strip()[-2000:]}")
    found = json.loads(proc.stdout)
    labels = []
    for pack in packs:
        for file, language, texts in found[pack.package]:
            for role, keys in pack.keys.items():
                for key in keys:
                    value = _lookup(texts, key)
                    if isinstance(value, str):
                        labels.append(Label(pack.package, file, LANGUAGE_CODES.get(language, language), role, key,
                                            value))
    return labels

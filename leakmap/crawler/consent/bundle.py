"""DuckDuckGo's autoconsent (MPL-2.0), pinned, fetched from npm, kept unmodified in the user cache.

leakmap injects ``dist/autoconsent.playwright.js`` exactly as published (a
test compares it byte for byte with the npm build) and passes ``rules.json``
(full rules: the compact ones carry no opt-in steps) in its ``initResp``.
Without the bundle the consent step falls back to selectors and the text heuristic.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from leakmap.blocklists.sources import cache_root
from leakmap.npm import NpmError, npm_pack

PACKAGE = "@duckduckgo/autoconsent"
VERSION = "16.23.0"
INTEGRITY = "sha512-NTmDhASFf5pUsSwg2TyT9R75GYUcuYZXPyBnRcYgJgozg6RLeXXP9uH8ADxA364yQ2gJBMu83AN/D24Y4nkPKg=="
SCRIPT = "dist/autoconsent.playwright.js"
RULES = "rules/rules.json"
COMPACT_RULES = "rules/compact-rules.json"  # detection and opt-out steps only: lighter, no opt-in
FILES = (SCRIPT, RULES, COMPACT_RULES, "LICENSE", "package.json")
ENV_DIR = "LEAKMAP_AUTOCONSENT_DIR"


@dataclass(frozen=True)
class Bundle:
    version: str
    script: str
    rules_json: str  # full rules, as sent in initResp (opt-in needs them)
    compact_json: str
    path: Path


def bundle_dir() -> Path:
    return Path(os.environ[ENV_DIR]) if os.environ.get(ENV_DIR) else cache_root() / "autoconsent" / VERSION


@lru_cache(maxsize=1)
def load_bundle() -> Bundle | None:
    """The installed bundle, or None (the consent step then says so and uses its fallbacks)."""
    root = bundle_dir()
    try:
        meta = json.loads((root / "package.json").read_text())
        return Bundle(meta["version"], (root / SCRIPT).read_text(encoding="utf-8"),
                      (root / RULES).read_text(encoding="utf-8"), (root / COMPACT_RULES).read_text(encoding="utf-8"),
                      root)
    except (OSError, ValueError, KeyError):
        return None


def install_bundle() -> Path:
    """Fetch the pinned package with npm, check its integrity, keep the files we use."""
    root = bundle_dir()
    files = npm_pack(f"{PACKAGE}@{VERSION}", FILES, integrity=INTEGRITY)
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    load_bundle.cache_clear()
    return root


def ensure_bundle() -> bool:
    """Install the bundle if it is missing; False (with the reason on stderr) when it cannot be."""
    if load_bundle() is not None:
        print(f"consent engine: autoconsent {VERSION} ({bundle_dir()})")
        return True
    try:
        path = install_bundle()
    except NpmError as exc:
        print(f"leakmap: could not install the consent engine: {exc}", file=sys.stderr)
        print("leakmap: scans still run, with --accept/--reject-selector and the text heuristic only; to get it, "
              "install Node.js and npm (Debian/Ubuntu: `sudo apt-get install npm`) where the npm registry is "
              "reachable, then run `leakmap setup` again", file=sys.stderr)
        return False
    print(f"consent engine: autoconsent {VERSION} installed in {path}")
    return True

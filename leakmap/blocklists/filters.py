"""URL-level matching with EasyPrivacy and EasyList through adblock-rust (the ``adblock`` binding).

The lists come from the ``braveblock`` wheel (it ships both, gzipped) until ``lists update`` has
cached newer copies. The engine is built on first use (about 0.2 s) in debug mode without
optimisation, so that a match reports the exact filter line rather than a merged rule.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import adblock

from .facts import FilterMatch
from .loaders import parse_filter_list_version
from .sources import lists_dir

LISTS = ("easyprivacy", "easylist")  # order: a filter present in both is credited to EasyPrivacy


@dataclass(frozen=True)
class FilterList:
    """One list's text and where it came from."""

    name: str
    text: str
    version: str
    origin: str


def load_lists(root: Path | None = None) -> list[FilterList]:
    """Cached copies from ``lists update`` where present, else the copies in the braveblock wheel."""
    out = []
    for name in LISTS:
        cached = lists_dir(root) / name / f"{name}.txt"
        if cached.is_file():
            text, origin = cached.read_text(encoding="utf-8", errors="replace"), str(cached)
        else:
            ref = resources.files("braveblock") / f"{name}.txt.gz"
            text, origin = gzip.decompress(ref.read_bytes()).decode("utf-8", "replace"), "braveblock wheel"
        out.append(FilterList(name, text, parse_filter_list_version(text) or "unknown", origin))
    return out


class FilterEngine:
    """A lazily built adblock engine over the filter lists, reporting which list and filter matched."""

    def __init__(self, lists: list[FilterList]):
        self.lists = lists
        self._engine: adblock.Engine | None = None
        self._owner: dict[str, str] = {}
        self._lock = threading.Lock()

    def versions(self) -> dict[str, str]:
        return {fl.name: fl.version for fl in self.lists}

    def _build(self) -> adblock.Engine:
        with self._lock:
            if self._engine is None:
                fs = adblock.FilterSet(debug=True)
                for fl in self.lists:
                    fs.add_filter_list(fl.text)
                self._engine = adblock.Engine(fs, optimize=False)
        return self._engine

    def _list_of(self, filter_text: str) -> str:
        if not self._owner:
            owner: dict[str, str] = {}
            for fl in reversed(self.lists):
                for line in fl.text.splitlines():
                    owner[line.strip()] = fl.name
            self._owner = owner
        return self._owner.get(filter_text, "unknown")

    def match(self, url: str, source_url: str, resource_type: str) -> FilterMatch | None:
        """The blocking filter for a request, or None (no filter, or an exception filter applies)."""
        engine = self._engine or self._build()
        res = engine.check_network_urls(url, source_url, resource_type)
        if not res.matched or not res.filter:
            return None
        name = self._list_of(res.filter)
        version = next((fl.version for fl in self.lists if fl.name == name), "unknown")
        return FilterMatch(list=name, filter=res.filter, version=version, important=res.important)

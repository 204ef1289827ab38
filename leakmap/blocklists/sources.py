"""The lists ``leakmap lists update`` downloads, and the cache they land in.

Each source is cached in ``<cache>/lists/<id>/`` with its files, its license text, ``meta.json``
(version, date, URL, checksum) and ``compiled.json`` (the parsed opinions/cookies that
:meth:`Knowledge.load` reads). A failed download or an unparsable file leaves the previous cache
untouched. ``--mirror URL`` / ``LEAKMAP_LISTS_MIRROR`` fetches every file as ``MIRROR/<filename>``
instead (tests, air-gapped sites); the Ghostery package is otherwise fetched with ``npm pack``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from leakmap import __version__
from leakmap.npm import NpmError, npm_pack

from . import loaders

CC_BY_NC_SA = "CC BY-NC-SA 4.0"
CC_BY_NC_SA_URL = "https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode"


@dataclass(frozen=True)
class Remote:
    """One file of a source: its cache file name and upstream URL."""

    filename: str
    url: str


@dataclass(frozen=True)
class Source:
    """A downloadable list."""

    id: str
    title: str
    license: str
    license_url: str
    noncommercial: bool
    files: tuple[Remote, ...]
    license_file: Remote | None = None
    npm_package: str | None = None  # fetched with `npm pack` when no mirror is given
    kind: str = "facts"  # "facts" (compiled to opinions/cookies) or "filters" (adblock list text)


_GH = "https://raw.githubusercontent.com"
SOURCES: dict[str, Source] = {
    s.id: s
    for s in (
        Source(
            "ocd", "Open Cookie Database", "Apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0", False,
            (Remote("open-cookie-database.csv", f"{_GH}/jkwakman/Open-Cookie-Database/master/open-cookie-database.csv"),),
            Remote("open-cookie-database.LICENSE", f"{_GH}/jkwakman/Open-Cookie-Database/master/LICENSE"),
        ),
        Source(
            "ca-registry", "California data broker registry (The Markup / CalMatters)", "Apache-2.0",
            "https://www.apache.org/licenses/LICENSE-2.0", False,
            (Remote("ca-data-broker-registry.csv",
                    f"{_GH}/the-markup/investigation-data-broker-opt-out-pages/main/data/data-broker-opt-out-pages.csv"),),
            Remote("ca-data-broker-registry.LICENSE", f"{_GH}/the-markup/investigation-data-broker-opt-out-pages/main/LICENSE"),
        ),
        Source(
            "ddg", "DuckDuckGo Tracker Data Set", CC_BY_NC_SA, CC_BY_NC_SA_URL, True,
            (Remote("ddg-tds.json", f"{_GH}/duckduckgo/tracker-blocklists/main/web/v6/extension-tds.json"),),
            Remote("ddg-tds.LICENSE", f"{_GH}/duckduckgo/tracker-blocklists/main/LICENSE"),
        ),
        Source(
            "disconnect", "Disconnect tracking protection (services + entities)", CC_BY_NC_SA, CC_BY_NC_SA_URL, True,
            (Remote("disconnect-services.json", f"{_GH}/disconnectme/disconnect-tracking-protection/master/services.json"),
             Remote("disconnect-entities.json", f"{_GH}/disconnectme/disconnect-tracking-protection/master/entities.json")),
        ),
        Source(
            "ghostery", "Ghostery TrackerDB (npm @ghostery/trackerdb)", CC_BY_NC_SA, CC_BY_NC_SA_URL, True,
            (Remote("trackerdb.json", "npm:@ghostery/trackerdb/dist/trackerdb.json"),),
            npm_package="@ghostery/trackerdb",
        ),
        Source(
            "easyprivacy", "EasyPrivacy", "GPL-3.0-or-later OR CC-BY-SA-3.0", "https://easylist.to/pages/licence.html", False,
            (Remote("easyprivacy.txt", "https://easylist.to/easylist/easyprivacy.txt"),), kind="filters",
        ),
        Source(
            "easylist", "EasyList", "GPL-3.0-or-later OR CC-BY-SA-3.0", "https://easylist.to/pages/licence.html", False,
            (Remote("easylist.txt", "https://easylist.to/easylist/easylist.txt"),), kind="filters",
        ),
    )
}


def cache_root() -> Path:
    """``$LEAKMAP_CACHE``, else ``$XDG_CACHE_HOME/leakmap``, else ``~/.cache/leakmap``."""
    if os.environ.get("LEAKMAP_CACHE"):
        return Path(os.environ["LEAKMAP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leakmap"


def lists_dir(root: Path | None = None) -> Path:
    return (root or cache_root()) / "lists"


def read_meta(source_id: str, root: Path | None = None) -> dict | None:
    """The cached ``meta.json`` of a source, or None when it was never downloaded."""
    path = lists_dir(root) / source_id / "meta.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@dataclass
class UpdateResult:
    """Outcome of updating one source."""

    source: str
    ok: bool
    message: str
    version: str | None = None
    noncommercial: bool = False


class DownloadError(Exception):
    """A file could not be fetched or is not what the source should contain."""


def _get(url: str, timeout: float) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": f"leakmap/{__version__}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"cannot download {url}: {reason} (offline? --mirror points to a local copy)") from exc


def _fetch(source: Source, mirror: str | None, timeout: float) -> tuple[dict[str, bytes], str | None, str, str | None]:
    """Download a source's files; return (files by cache name, license text, where from, version)."""
    version = None
    if mirror:
        base = mirror.rstrip("/")
        files = {r.filename: _get(f"{base}/{r.filename}", timeout) for r in source.files}
        where = base
        lic_remote = source.license_file or Remote(f"{source.id}.LICENSE", "")
        try:
            license_text = _get(f"{base}/{lic_remote.filename}", timeout).decode("utf-8", "replace")
        except DownloadError:
            license_text = None
    elif source.npm_package:
        try:
            packed = npm_pack(source.npm_package, ("dist/trackerdb.json", "package.json", "LICENSE"), timeout=timeout)
        except NpmError as exc:
            raise DownloadError(str(exc)) from exc
        files = {source.files[0].filename: packed["dist/trackerdb.json"]}
        license_text = packed.get("LICENSE", b"").decode("utf-8", "replace") or None
        version = json.loads(packed.get("package.json", b"{}")).get("version")
        where = f"npm {source.npm_package}@{version}"
    else:
        files = {r.filename: _get(r.url, timeout) for r in source.files}
        where = source.files[0].url
        license_text = None
        if source.license_file:
            try:
                license_text = _get(source.license_file.url, timeout).decode("utf-8", "replace")
            except DownloadError:
                license_text = None
    return files, license_text, where, version


def _compile(source: Source, files: dict[str, bytes]) -> tuple[loaders.Parsed, str | None]:
    """Parse the downloaded files; raise DownloadError when they are not the expected format."""
    text = {name: data.decode("utf-8-sig") for name, data in files.items()}
    try:
        if source.id == "ocd":
            parsed = loaders.parse_ocd(text["open-cookie-database.csv"])
        elif source.id == "ca-registry":
            parsed = loaders.parse_ca_registry(text["ca-data-broker-registry.csv"])
        elif source.id == "ddg":
            parsed = loaders.parse_ddg(text["ddg-tds.json"])
        elif source.id == "disconnect":
            parsed = loaders.parse_disconnect(text["disconnect-services.json"], text["disconnect-entities.json"])
        elif source.id == "ghostery":
            parsed = loaders.parse_ghostery(text["trackerdb.json"])
        else:  # filter lists are kept as text and parsed by adblock
            body = next(iter(text.values()))
            if "[Adblock" not in body[:200] and "! Title" not in body[:2000]:
                raise ValueError("not an Adblock Plus filter list")
            return loaders.Parsed(), loaders.parse_filter_list_version(body)
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise DownloadError(f"not a valid {source.title} file ({type(exc).__name__}: {exc})") from exc
    if not parsed.opinions and not parsed.cookies:
        raise DownloadError(f"not a valid {source.title} file (no entries found)")
    return parsed, parsed.version


def _license_notice(source: Source, fetched: str | None) -> str:
    head = f"{source.title}\nLicense: {source.license} ({source.license_url})\n"
    if source.noncommercial:
        head += "Non-commercial use only. leakmap never bundles or redistributes this data.\n"
    return head + ("\n" + fetched if fetched else "")


def update_source(source: Source, root: Path | None = None, mirror: str | None = None,
                  timeout: float = 60.0) -> UpdateResult:
    """Download, check and atomically replace one source's cache."""
    try:
        files, license_text, where, version = _fetch(source, mirror, timeout)
        parsed, stated = _compile(source, files)
    except DownloadError as exc:
        kept = " (kept the previous download)" if read_meta(source.id, root) else ""
        return UpdateResult(source.id, False, f"{source.id}: {exc}{kept}", noncommercial=source.noncommercial)
    sha = hashlib.sha256(b"".join(files[k] for k in sorted(files))).hexdigest()
    fetched_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    version = version or stated or f"{fetched_at[:10]} sha256:{sha[:12]}"
    base = lists_dir(root)
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{source.id}-", dir=base))
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    (tmp / "LICENSE").write_text(_license_notice(source, license_text))
    meta = {
        "source": source.id, "title": source.title, "version": version, "fetched_at": fetched_at,
        "from": where, "license": source.license, "noncommercial": source.noncommercial, "sha256": sha,
        "opinions": len(parsed.opinions), "cookies": len(parsed.cookies),
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
    if source.kind == "facts":
        compiled = {"opinions": [asdict(o) for o in parsed.opinions], "cookies": [asdict(c) for c in parsed.cookies]}
        (tmp / "compiled.json").write_text(json.dumps(compiled, separators=(",", ":")))
    final, old = base / source.id, base / f".{source.id}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    counts = f"{len(parsed.opinions)} domains" if parsed.opinions else f"{len(parsed.cookies)} cookies"
    if source.kind == "filters":
        counts = "filter list"
    return UpdateResult(source.id, True, f"{source.id}: {version} ({counts}) from {where}", version,
                        source.noncommercial)


def update(source_ids: list[str] | None = None, root: Path | None = None, mirror: str | None = None,
           timeout: float = 60.0, progress: Callable[[Source], None] | None = None) -> list[UpdateResult]:
    """Update the given sources (all by default), each independently of the others."""
    mirror = mirror or os.environ.get("LEAKMAP_LISTS_MIRROR") or None
    results = []
    for sid in source_ids or list(SOURCES):
        if sid not in SOURCES:
            raise KeyError(f"unknown source {sid!r}; known: {', '.join(SOURCES)}")
        if progress:
            progress(SOURCES[sid])
        results.append(update_source(SOURCES[sid], root, mirror, timeout))
    return results


def noncommercial_notice(source: Source) -> str | None:
    """The warning printed when a non-commercial list is downloaded."""
    if not source.noncommercial:
        return None
    return (f"{source.title} is licensed {source.license} ({source.license_url}): non-commercial use only. "
            "It is cached for your own use and never bundled or redistributed by leakmap.")


def status(root: Path | None = None) -> list[dict]:
    """One row per downloadable source: license and, when cached, version, date and size."""
    rows = []
    for sid, src in SOURCES.items():
        meta = read_meta(sid, root) or {}
        rows.append({
            "source": sid, "title": src.title, "license": src.license, "noncommercial": src.noncommercial,
            "cached": bool(meta), "version": meta.get("version"), "fetched_at": meta.get("fetched_at"),
            "from": meta.get("from"), "domains": meta.get("opinions"), "cookies": meta.get("cookies"),
        })
    return rows

"""Fetching files of a pinned npm package with the npm client (``npm pack``), integrity-checked.

leakmap ships no third-party JavaScript in its own tree: packages such as
DuckDuckGo's autoconsent are fetched from the npm registry at install time
and checked against the integrity hash pinned in the code.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path


class NpmError(Exception):
    """The package could not be fetched, or is not the pinned one."""


def sri_matches(data: bytes, integrity: str) -> bool:
    """Check a Subresource-Integrity string (``sha512-<base64>``) against bytes."""
    algo, _, expected = integrity.partition("-")
    if algo not in ("sha256", "sha384", "sha512"):
        return False
    return base64.b64encode(hashlib.new(algo, data).digest()).decode() == expected


def npm_pack(spec: str, members: Iterable[str], integrity: str | None = None, timeout: float = 180) -> dict[str, bytes]:
    """Files (paths inside the package, without ``package/``) of ``npm pack <spec>``."""
    npm = shutil.which("npm")
    if not npm:
        raise NpmError(f"npm is not on PATH (needed to fetch {spec}); install Node.js and npm")
    wanted = set(members)
    with tempfile.TemporaryDirectory(prefix="leakmap-npm-") as tmp:
        try:
            proc = subprocess.run([npm, "pack", spec, "--pack-destination", tmp, "--silent"], cwd=tmp,
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise NpmError(f"npm pack {spec}: timed out after {timeout:.0f} s") from exc
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            raise NpmError(f"npm pack {spec}: {last}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if not tarballs:
            raise NpmError(f"npm pack {spec}: no tarball produced")
        if integrity and not sri_matches(tarballs[0].read_bytes(), integrity):
            raise NpmError(f"npm pack {spec}: the tarball does not match the pinned integrity {integrity[:20]}...")
        files: dict[str, bytes] = {}
        with tarfile.open(tarballs[0]) as tar:
            for member in tar.getmembers():
                name = member.name.removeprefix("package/")
                if member.isfile() and name in wanted:
                    handle = tar.extractfile(member)
                    if handle:
                        files[name] = handle.read()
    missing = wanted - set(files)
    if missing:
        raise NpmError(f"npm pack {spec}: missing {', '.join(sorted(missing))}")
    return files

"""Bundle the test web's TCF CMP (``tcf-cmp.mjs`` + the IAB's @iabtcf packages) with esbuild.

    python -m leakmap.tests.web.cmp.build [--force]

Needs the test-only npm packages (``npm ci --prefix leakmap/tests/npm``: @iabtcf/core,
@iabtcf/cmpapi and esbuild, pinned there). Writes ``dist/tcf-cmp.js`` (git-ignored: built
third-party code is never committed), served to fixture sites under ``/consent/`` by their
``_mounts`` file. Rebuilds only when a source or the lock file is newer than the bundle.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NPM_DIR = HERE.parents[1] / "npm"
ESBUILD = NPM_DIR / "node_modules" / ".bin" / "esbuild"
SOURCES = (HERE / "tcf-cmp.mjs", HERE / "vendor-list.json", NPM_DIR / "package-lock.json")
BUNDLE = HERE / "dist" / "tcf-cmp.js"


class BuildError(RuntimeError):
    pass


def stale() -> bool:
    if not BUNDLE.is_file():
        return True
    built = BUNDLE.stat().st_mtime
    return any(src.stat().st_mtime > built for src in SOURCES if src.is_file())


def build(force: bool = False) -> Path:
    """The bundle, (re)built if needed; BuildError when esbuild or the packages are missing."""
    if not force and not stale():
        return BUNDLE
    if not ESBUILD.exists():
        raise BuildError(f"{ESBUILD} missing: run `npm ci --prefix {NPM_DIR}`")
    BUNDLE.parent.mkdir(exist_ok=True)
    result = subprocess.run(
        [str(ESBUILD), str(HERE / "tcf-cmp.mjs"), "--bundle", "--format=iife", "--target=es2020",
         "--legal-comments=inline", f"--outfile={BUNDLE}", "--log-level=warning"],
        cwd=NPM_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NODE_PATH": str(NPM_DIR / "node_modules")},  # the packages live beside, not above
    )
    if result.returncode != 0:
        raise BuildError(f"esbuild failed: {result.stderr.strip()}")
    return BUNDLE


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        path = build(force="--force" in args)
    except BuildError as exc:
        print(f"tcf-cmp: {exc}", file=sys.stderr)
        return 1
    print(f"tcf-cmp: {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

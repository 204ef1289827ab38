"""Bundle the test web's consent platforms with esbuild: the TCF CMP (``tcf-cmp.mjs`` + the IAB's
@iabtcf packages) and the GPP CMP (``gpp-cmp.mjs`` + the IAB's @iabgpp/cmpapi).

    python -m tests.web.cmp.build [--force]

Needs the test-only npm packages (``npm ci --prefix tests/npm``: @iabtcf/core,
@iabtcf/cmpapi, @iabgpp/cmpapi and esbuild, pinned there). Writes ``dist/tcf-cmp.js`` and
``dist/gpp-cmp.js`` (git-ignored: built third-party code is never committed), served to fixture
sites under ``/consent/`` by their ``_mounts`` file. Rebuilds a bundle only when its source or
the lock file is newer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NPM_DIR = HERE.parents[1] / "npm"
ESBUILD = NPM_DIR / "node_modules" / ".bin" / "esbuild"
# bundle -> what it is built from (the first file is esbuild's entry point)
BUNDLES = {
    HERE / "dist" / "tcf-cmp.js": (HERE / "tcf-cmp.mjs", HERE / "vendor-list.json", NPM_DIR / "package-lock.json"),
    HERE / "dist" / "gpp-cmp.js": (HERE / "gpp-cmp.mjs", NPM_DIR / "package-lock.json"),
}
BUNDLE = HERE / "dist" / "tcf-cmp.js"


class BuildError(RuntimeError):
    pass


def stale(bundle: Path = BUNDLE) -> bool:
    if not bundle.is_file():
        return True
    built = bundle.stat().st_mtime
    return any(src.stat().st_mtime > built for src in BUNDLES[bundle] if src.is_file())


def build(force: bool = False) -> Path:
    """Every bundle, (re)built if needed (returns the TCF CMP's); BuildError when esbuild or the
    packages are missing."""
    for bundle, sources in BUNDLES.items():
        if force or stale(bundle):
            _esbuild(sources[0], bundle)
    return BUNDLE


def _esbuild(entry: Path, bundle: Path) -> None:
    if not ESBUILD.exists():
        raise BuildError(f"{ESBUILD} missing: run `npm ci --prefix {NPM_DIR}`")
    bundle.parent.mkdir(exist_ok=True)
    result = subprocess.run(
        [str(ESBUILD), str(entry), "--bundle", "--format=iife", "--target=es2020",
         "--legal-comments=inline", f"--outfile={bundle}", "--log-level=warning"],
        cwd=NPM_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NODE_PATH": str(NPM_DIR / "node_modules")},  # the packages live beside, not above
    )
    if result.returncode != 0:
        raise BuildError(f"esbuild failed on {entry.name}: {result.stderr.strip()}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        build(force="--force" in args)
    except BuildError as exc:
        print(f"cmp: {exc}", file=sys.stderr)
        return 1
    for bundle in BUNDLES:
        print(f"cmp: {bundle} ({bundle.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared test fixtures. Others may append their own below; keep each fixture small."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The reference data in ../shared/data (or $LEAKMAP_SHARED_DATA); skip when it is absent."""
    path = Path(os.environ.get("LEAKMAP_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
    if not path.is_dir():
        pytest.skip(f"shared reference data not found at {path} (set LEAKMAP_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def trackerdb_json() -> Path:
    """Ghostery TrackerDB from the test-only npm package (`npm ci --prefix leakmap/tests/npm`)."""
    path = REPO_ROOT / "leakmap/tests/npm/node_modules/@ghostery/trackerdb/dist/trackerdb.json"
    if not path.is_file():
        pytest.skip(f"{path} missing: run `npm ci --prefix leakmap/tests/npm`")
    return path


@pytest.fixture(scope="session")
def testweb():
    """The project's test web (leakmap/tests/web): every fixture site and fake tracker on one
    loopback port, TLS and plain HTTP; point Chromium at it with ``testweb.host_rules``."""
    from leakmap.tests.web.server import TestWeb

    web = TestWeb().start()
    yield web
    web.stop()


@pytest.fixture(scope="session", autouse=True)
def tcf_cmp_bundle() -> Path | None:
    """The test web's TCF CMP bundle (leakmap/tests/web/cmp), built with esbuild when missing or
    stale, so fixture sites that use it work however pytest is started; None when the test-only npm
    packages are not installed (`make test` installs them; tests that need the CMP skip then)."""
    from leakmap.tests.web.cmp.build import BuildError, build

    try:
        return build()
    except BuildError:
        return None


@pytest.fixture
def spawn():
    """Start background processes that are killed when the test ends, failed or timed out
    (a scan left running would keep its Chromium and load the machine for later tests)."""
    import subprocess

    started: list[subprocess.Popen] = []

    def start(*args, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(*args, **kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)

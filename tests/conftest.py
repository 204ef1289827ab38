"""Shared test fixtures. Others may append their own below; keep each fixture small."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"  # reference files the tests read (see data/README.md)
TEST_CACHE = REPO_ROOT / ".cache" / "test"  # the suite's own leakmap cache (`make test` installs autoconsent there)


def _isolate() -> None:
    """One cache and one home for the whole suite, the tests and every ``leakmap`` they start: results
    never depend on what ``lists update`` or another tool left in the user's cache. What must still
    come from the machine is looked up first: the browser (Playwright's lives in the user cache) and
    the npm and pip download caches (packages, not state)."""
    from leakmap.crawler.browser import BrowserNotFound, find_browser

    real_home = Path.home()
    try:
        os.environ.setdefault("LEAKMAP_BROWSER", str(find_browser()))
    except BrowserNotFound:
        pass  # the browser tests say so, with the fix
    os.environ.setdefault("npm_config_cache", str(real_home / ".npm"))
    os.environ.setdefault("PIP_CACHE_DIR", str(real_home / ".cache" / "pip"))
    os.environ["LEAKMAP_CACHE"] = str(TEST_CACHE)
    os.environ.pop("XDG_CACHE_HOME", None)
    os.environ.pop("LEAKMAP_AUTOCONSENT_DIR", None)
    os.environ.pop("LEAKMAP_LISTS_MIRROR", None)
    os.environ["HOME"] = tempfile.mkdtemp(prefix="leakmap-test-home-")


def pytest_addoption(parser):
    parser.addoption("--sites", default="", metavar="HOST,...",
                     help="narrow the fixture-site tests (end to end, consent, test web) to these hosts: for "
                          "development; `make test` runs every site")


# A hang guard for a module's end-to-end scan, never a speed test: `make test` runs two modules at
# once and the suite must pass beside a CPU hog, which can make a scan three times slower (the
# benches in bench/ measure speed).
SCAN_CAP = 1800

# The modules that keep a browser busy longest, longest first: `make test` runs the suite on several
# workers (pytest-xdist, one module per worker at a time), and these start first so the short
# modules fill the other workers around them instead of waiting at the end.
LONGEST_FIRST = ("test_e2e_scan.py", "test_e2e_unfinished.py", "test_consent_cmps.py", "test_e2e_withdraw.py",
                 "test_package.py", "test_e2e_gpc.py", "test_bad_input.py", "test_hostile.py", "test_scale_out.py",
                 "test_collectors_forms.py", "test_check.py", "test_resume.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))  # stable: the rest keep their order


def pytest_configure(config):
    from tests.web import server

    _isolate()
    server.ONLY.update(filter(None, config.getoption("--sites").split(",")))


@pytest.fixture(scope="session", autouse=True)
def consent_engine() -> Path:
    """autoconsent in the suite's cache (`make test` installs it; installed here when pytest is started
    on its own). One that cannot be installed fails the run: the consent tests need the real engine."""
    from leakmap.crawler.consent.bundle import NpmError, bundle_dir, install_bundle, load_bundle

    if load_bundle() is None:
        try:
            install_bundle()
        except NpmError as exc:
            pytest.fail(f"autoconsent could not be installed in {bundle_dir()}: {exc}", pytrace=False)
    return bundle_dir()


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture(scope="session")
def trackerdb_json() -> Path:
    """Ghostery TrackerDB from the test-only npm package (installed by `make test`)."""
    path = REPO_ROOT / "tests/npm/node_modules/@ghostery/trackerdb/dist/trackerdb.json"
    assert path.is_file(), f"{path} missing: run `make tests/npm/node_modules/.installed` (or `make test`)"
    return path


@pytest.fixture(scope="session")
def testweb():
    """The project's test web (tests/web): every fixture site and fake tracker on one
    loopback port, TLS and plain HTTP; point Chromium at it with ``testweb.host_rules``."""
    from tests.web.server import TestWeb

    web = TestWeb().start()
    yield web
    web.stop()


@pytest.fixture(scope="session", autouse=True)
def tcf_cmp_bundle() -> Path:
    """The test web's TCF CMP bundle (tests/web/cmp), built with esbuild when missing or
    stale, so fixture sites that use it work however pytest is started. A build that fails fails
    the tests (`make test` installs the npm packages it needs): a broken fixture never skips."""
    from tests.web.cmp.build import BuildError, build

    try:
        return build()
    except BuildError as exc:
        pytest.fail(f"the test web's TCF CMP could not be built: {exc}", pytrace=False)


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

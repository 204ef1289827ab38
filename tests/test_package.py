"""The package as users get it: the wheel and the sdist hold leakmap's code and its permissively
licensed data only (no tests, no npm packages, nothing derived from a non-commercial list), and the
demo runs from the wheel alone, installed in a fresh virtualenv outside the repository."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from leakmap import notices
from tests.conftest import REPO_ROOT, SCAN_CAP
from tests.web.server import expectations

MAX_WHEEL_BYTES = 5_000_000
# names of the non-commercial lists (CC BY-NC-SA) and of what the tests derive from them
NONCOMMERCIAL = ("tracker-radar", "trackerradar", "ghostery", "trackerdb", "disconnect", "ddg-tds")
pytestmark = pytest.mark.timeout(SCAN_CAP)


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """A wheel and an sdist built from this checkout as `python -m build` builds them (sdist first,
    the wheel from the sdist), whatever `make test` left in the tree (node_modules, built CMPs)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO_ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"wheel": next(out.glob("leakmap-*.whl")), "sdist": next(out.glob("leakmap-*.tar.gz"))}


def wheel_names(dists) -> list[str]:
    return zipfile.ZipFile(dists["wheel"]).namelist()


def sdist_names(dists) -> list[str]:
    with tarfile.open(dists["sdist"]) as tar:
        return [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]


def forbidden(names: list[str]) -> list[str]:
    return [n for n in names if n.startswith("tests/") or "/tests/" in n or "node_modules" in n
            or any(mark in n.lower() for mark in NONCOMMERCIAL)]


def test_the_wheel_holds_no_tests_npm_packages_or_noncommercial_data(dists):
    names = wheel_names(dists)
    assert "leakmap/cli/__init__.py" in names and "leakmap/demo/sites/www.maison-lumiere.fr/index.html" in names
    assert forbidden(names) == []
    assert dists["wheel"].stat().st_size < MAX_WHEEL_BYTES


def test_the_wheel_holds_every_module_of_the_source_tree(dists):
    """A package folder without ``__init__.py`` is left out of the wheel (namespaces are off), and
    a data file outside the package-data globs too: the editable install hides both."""
    tracked = subprocess.run(["git", "ls-files", "leakmap"], cwd=REPO_ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    shipped = set(wheel_names(dists))
    missing = [n for n in tracked if n not in shipped and "__pycache__" not in n]
    assert len(tracked) > 100 and missing == []


def test_the_sdist_holds_no_tests_npm_packages_or_noncommercial_data(dists):
    names = sdist_names(dists)
    assert {"pyproject.toml", "LICENSE", "THIRD_PARTY_NOTICES.md", "leakmap/demo/vendors.py"} <= set(names)
    assert forbidden(names) == []


def test_no_shipped_file_is_a_copy_of_the_tests_reference_data(dists):
    """A file renamed on its way into the package is caught by its bytes: the suite's reference lists
    (some derived from CC BY-NC-SA lists) and Ghostery's TrackerDB must not be among them."""
    references = [*(REPO_ROOT / "tests" / "data").iterdir(),
                  *(REPO_ROOT / "tests" / "npm" / "node_modules" / "@ghostery" / "trackerdb" / "dist").glob("*.json")]
    digests = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in references if p.is_file()}
    assert len(digests) >= 10  # the references are there to compare with
    with zipfile.ZipFile(dists["wheel"]) as whl:
        copies = {n: digests[d] for n in whl.namelist() if (d := hashlib.sha256(whl.read(n)).hexdigest()) in digests}
    assert copies == {}


def test_the_wheel_carries_the_licence_and_the_third_party_notices(dists):
    with zipfile.ZipFile(dists["wheel"]) as whl:
        names = whl.namelist()
        licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
        notice = next(n for n in names if n.endswith(".dist-info/licenses/THIRD_PARTY_NOTICES.md"))
        assert "Apache License" in whl.read(licence).decode() and "Version 2.0, January 2004" in whl.read(licence).decode()
        assert whl.read(notice) == (REPO_ROOT / "THIRD_PARTY_NOTICES.md").read_bytes()
        metadata = whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
    # every licence text a notice points to is shipped
    assert {n.license_file for n in notices.notices() if n.license_file} <= set(names)


def test_third_party_notices_are_generated_from_the_notices_table():
    assert notices.main([]) == 0, "run: python -m leakmap.notices --write"


def test_every_language_pack_licence_is_the_one_its_package_ships():
    """The MIT and BSD texts that must travel with the consent vocabulary's quoted button texts are
    byte for byte the packages' own (from the pinned test-only npm packages)."""
    packs = [n for n in notices.notices() if n.name.endswith("(consent banner texts)")]
    assert len(packs) == 6
    npm = REPO_ROOT / "tests" / "npm" / "node_modules"
    for n in packs:
        package = n.source.split()[2]
        licence_name = {"cookieconsent": "licence", "@68publishers/cookie-consent": "LICENSE.md"}.get(package, "LICENSE")
        if n.license_file:
            assert (REPO_ROOT / n.license_file).read_bytes() == (npm / package / licence_name).read_bytes(), package
        else:
            assert n.license == "Apache-2.0", package  # leakmap's own LICENSE is that licence's text


def test_the_demo_runs_from_the_wheel_alone_outside_the_repository(dists, tmp_path):
    """pip install the wheel into a fresh virtualenv, then `leakmap setup` and `leakmap demo` from a
    directory outside the repository: the demo needs nothing of the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(dists["wheel"])],
                         capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    leakmap = venv / "bin" / "leakmap"
    work = tmp_path / "elsewhere"
    work.mkdir()
    setup = subprocess.run([str(leakmap), "setup"], cwd=work, capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stderr
    assert "browser: " in setup.stdout and "consent engine: autoconsent " in setup.stdout
    demo = subprocess.run([str(leakmap), "demo", "-o", "out"], cwd=work, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    # the verdict the demo prints is the one its scenario states (tests/web/sites/www.maison-lumiere.fr/_expect.toml)
    want = expectations(["www.maison-lumiere.fr"])["www.maison-lumiere.fr"]["findings"]
    assert (f"findings: {len(want['high'])} high, {len(want['medium'])} medium, {len(want['info'])} info"
            in demo.stdout), demo.stdout
    assert (work / "out" / "report.html").is_file() and (work / "out" / "leakmap.db").is_file()
    imported = subprocess.run([str(venv / "bin" / "python"), "-c", "import leakmap, sys; print(leakmap.__file__)"],
                              cwd=work, capture_output=True, text=True, timeout=60).stdout
    assert str(venv) in imported  # the wheel's copy ran, not the checkout's


def test_the_readme_says_how_to_install_from_the_wheel():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "pip install dist/leakmap-" in readme and "pipx install" in readme
    assert tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"

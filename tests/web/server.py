"""The test web: the demo web (:mod:`leakmap.demo`) plus every fixture site of the suite and the
fake third parties they load, on one loopback port (see README.md here)."""

from __future__ import annotations

import textwrap
import tomllib
from collections.abc import Iterable
from pathlib import Path

from leakmap.demo import HERE as DEMO_DIR
from leakmap.demo import NAMED_MOUNTS
from leakmap.demo import SITES_DIR as DEMO_SITES_DIR
from leakmap.demo.server import LocalWeb, LogEntry, Request, Response  # noqa: F401 - the tests' imports

WEB_DIR = Path(__file__).parent
SITES_DIR = WEB_DIR / "sites"
WEB_ROOTS = (DEMO_DIR, WEB_DIR)  # the demo web and the test web: every file either serves


def site_dir(host: str) -> Path:
    """The directory serving *host*'s files (the demo shop's is in the demo web)."""
    demo = DEMO_SITES_DIR / host
    return demo if demo.is_dir() else SITES_DIR / host


ONLY: set[str] = set()  # pytest --sites HOST,...: the fixture sites a development run is narrowed to


def expectations(hosts: Iterable[str] = ()) -> dict[str, dict]:
    """What each fixture site's ``_expect.toml`` says a real browser must see there (all sites, those
    named, or those of ``pytest --sites``). The demo shop's lies here too, beside no files: the demo
    web serves it."""
    wanted = set(hosts) or ONLY
    return {p.parent.name: tomllib.loads(p.read_text()) for p in sorted(SITES_DIR.glob("*/_expect.toml"))
            if not wanted or p.parent.name in wanted}


def write_sites(root: Path, pages: dict[str, str]) -> Path:
    """A sites directory for a test's own small web: ``{"host/path": body}`` written under *root*
    (bodies dedented); serve it with ``TestWeb(root)``."""
    for path, body in pages.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(body))
    return root


class TestWeb(LocalWeb):
    """Serve the demo web and every site under *sites_dir* (plus the test web's endpoints) on one port."""

    __test__ = False  # not a pytest test class

    def __init__(self, sites_dir: Path = SITES_DIR, port: int = 0, log_file: Path | None = None):
        from leakmap.demo.vendors import DEMO
        from tests.web.endpoints import TESTS

        self.sites_dir = sites_dir
        # the demo shop's directory here holds only its _expect.toml: the demo web's copy serves it;
        # a test's own small web takes precedence over the demo web's hosts
        roots = [DEMO_SITES_DIR, sites_dir] if sites_dir == SITES_DIR else [sites_dir, DEMO_SITES_DIR]
        super().__init__(roots, [DEMO, TESTS], mount_root=WEB_DIR, named_mounts=NAMED_MOUNTS,
                         port=port, log_file=log_file)

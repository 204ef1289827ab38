"""The demo web ``leakmap demo`` audits offline: the demo shop (www.maison-lumiere.fr), the fake
third parties it loads (at their real host names) and the local server that serves them all on
one loopback port. The test suite's test web (``tests/web`` in the repository) builds on it."""

from __future__ import annotations

from pathlib import Path

from leakmap.demo.server import LocalWeb

HERE = Path(__file__).parent
SITES_DIR = HERE / "sites"
KIT_DIR = HERE / "kit"  # first-party code the sites share (consent banner, tag snippets): /assets/kit/
DEMO_SITE = "https://www.maison-lumiere.fr/"
NAMED_MOUNTS = {"shared": KIT_DIR}


def demo_web(port: int = 0, log_file: Path | None = None) -> LocalWeb:
    """The demo shop and its vendors, ready to ``start()`` (or use as a context manager)."""
    from leakmap.demo.vendors import DEMO

    return LocalWeb([SITES_DIR], [DEMO], mount_root=HERE, named_mounts=NAMED_MOUNTS, port=port, log_file=log_file)

"""leakmap: audit where a website's visitors' data goes, before and after the consent banner."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leakmap")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

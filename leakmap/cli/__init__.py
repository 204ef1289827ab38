"""The ``leakmap`` command line: thin click commands over the crawler, store and analysis."""

from __future__ import annotations

import importlib

import click

from leakmap import __version__

# Each module defines one click command or group named like the module.
COMMANDS = ["scan", "worker", "merge", "demo", "setup", "lists", "analyze", "graph", "report", "check", "baseline", "diff",
            "declaration"]


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs: the crawler's imports (Scrapy,
    Playwright) cost seconds that `leakmap diff` or a bad-option error should not pay."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"leakmap.cli.{name}")
        return getattr(module, name.replace("-", "_"))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leakmap")
def main() -> None:
    """Audit where a website's visitors' data goes, before and after the consent banner."""

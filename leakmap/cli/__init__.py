"""The ``leakmap`` command line: thin click commands over the crawler, store and analysis."""

from __future__ import annotations

import importlib

import click

from leakmap import __version__

# Each module defines one click command or group named like the module.
COMMANDS = ["scan", "worker", "merge", "demo", "setup", "lists", "analyze", "graph", "report", "check", "baseline", "diff"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leakmap")
def main() -> None:
    """Audit where a website's visitors' data goes, before and after the consent banner."""


for _name in COMMANDS:
    try:
        _module = importlib.import_module(f"leakmap.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command still being written must not break the others
        if exc.name != f"leakmap.cli.{_name}":
            raise
        continue
    main.add_command(getattr(_module, _name.replace("-", "_")))

"""``leakmap demo``: serve the bundled demo shop on loopback and audit it, offline."""

from __future__ import annotations

from pathlib import Path

import click

from leakmap.cli.running import execute
from leakmap.crawler.config import ScanConfig
from leakmap.demo import DEMO_SITE, demo_web
from leakmap.workflow import after_scan


@click.command()
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-output"), show_default=True, help="Directory for leakmap.db, reports and screenshots.")
@click.option("--pages", type=click.IntRange(1, 20), default=5, show_default=True, help="Pages per phase.")
@click.option("--browser", type=click.Path(dir_okay=False), envvar="LEAKMAP_BROWSER",
              help="Chromium/Chrome executable. Env: LEAKMAP_BROWSER.")
def demo(output_dir: Path, pages: int, browser: str | None) -> None:
    """Audit the bundled demo site (a French shop with a cookie banner, real tracker host names)
    served by leakmap's own demo web on this machine: no network needed."""
    with demo_web() as web:
        click.echo(f"serving the demo site {DEMO_SITE} on 127.0.0.1:{web.port} (every host name maps there)", err=True)
        config = ScanConfig(output_dir=output_dir, pages=pages, browser=browser, host_rules=web.host_rules,
                            ignore_https_errors=True)
        result = execute([DEMO_SITE], config, command="demo")
    after_scan(result.store_path, result.scan_id, config.output_dir)

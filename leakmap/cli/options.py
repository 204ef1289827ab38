"""Options shared by the commands that browse (scan, check, demo)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from leakmap.blocklists.laws import DEFAULT as DEFAULT_JURISDICTION
from leakmap.blocklists.laws import JurisdictionError, parse_jurisdiction
from leakmap.crawler.config import ScanConfig, canary_email
from leakmap.phases import DEFAULT_PHASES, PHASE_TABLE, PHASES, ordered


def _phases(ctx, param, value: str) -> tuple[str, ...]:
    phases = tuple(p.strip() for p in value.split(",") if p.strip())
    bad = [p for p in phases if p not in PHASES]
    if bad or not phases:
        raise click.BadParameter(f"choose among {', '.join(PHASES)} (comma-separated), got {value!r}")
    return ordered(phases)


def _jurisdiction(ctx, param, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    try:
        return parse_jurisdiction(value).ids
    except JurisdictionError as exc:
        raise click.BadParameter(str(exc)) from None


# the law the findings apply (scan, check, analyze): stored with the scan, re-read by analysis
jurisdiction_option = click.option(
    "--jurisdiction", callback=_jurisdiction, metavar="LAWS",
    help="The law the findings apply, comma-separated: eu (the EU consent rules), us (every US state whose law "
         "makes Global Privacy Control a binding opt-out), or states (us-ca, us-co, us-ct, us-va, ...): the GPC "
         "rules judge the GPP sections of the states in scope (and usnat) and cite their statutes. "
         f"Default: {','.join(DEFAULT_JURISDICTION)}.")


def formats_option(choices: tuple[str, ...], default: tuple[str, ...], help: str) -> Callable:
    """``--format a,b,c``: a comma-separated choice of output formats, each once, in the given order."""
    def parse(ctx, param, value: str) -> tuple[str, ...]:
        formats = tuple(dict.fromkeys(f.strip() for f in value.split(",") if f.strip()))
        if not formats or any(f not in choices for f in formats):
            raise click.BadParameter(f"choose among {', '.join(choices)} (comma-separated), got {value!r}")
        return formats
    return click.option("--format", "formats", callback=parse, default=",".join(default), show_default=True, help=help)


# also taken by `leakmap worker`, which browses with the settings of the run it joins
concurrency_option = click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
                                  help="Page visits in flight at once.")
browser_option = click.option(
    "--browser", type=click.Path(dir_okay=False), envvar="LEAKMAP_BROWSER",
    help="Chromium/Chrome executable (default: Playwright's, then the system's). Env: LEAKMAP_BROWSER.")


def browsing_options(func: Callable) -> Callable:
    options = [
        click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("leakmap-output"), show_default=True,
                     help="Directory for leakmap.db, reports and screenshots."),
        click.option("--pages", type=click.IntRange(1, 500), default=5, show_default=True,
                     help="Pages per site, landing page included (same list in every phase)."),
        click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True,
                     help="Link depth explored from the landing page to find pages."),
        click.option("--phases", callback=_phases, default=",".join(DEFAULT_PHASES), show_default=True,
                     help="Phases to run, among: " + "; ".join(f"{p.name}: {p.summary}" for p in PHASE_TABLE)
                          + "."),
        jurisdiction_option,
        concurrency_option,
        browser_option,
        click.option("--host-rules", help='Chromium host-resolver rules, e.g. "MAP * 127.0.0.1:8443" '
                                          "(audit a staging server under production host names)."),
        click.option("--ignore-https-errors", is_flag=True, help="Accept invalid TLS certificates (staging)."),
        click.option("--proxy", help="Proxy server for the browser, e.g. http://proxy:3128."),
        click.option("--accept-selector", help="CSS selector of your banner's accept-all button."),
        click.option("--reject-selector", help="CSS selector of your banner's reject-all button."),
        click.option("--first-party", multiple=True, help="Another domain of the audited site (repeatable)."),
        click.option("--page-timeout", type=click.FloatRange(5, 600), default=30.0, show_default=True,
                     help="Cap on one page visit, seconds."),
        click.option("--site-timeout", type=click.FloatRange(10, 86400), default=600.0, show_default=True,
                     help="Cap on one site (all phases), seconds."),
        click.option("--locale", default="fr-FR", show_default=True, help="Browser language."),
        click.option("--no-screenshots", is_flag=True, help="Do not take screenshots."),
        click.option("--fixed-wait", type=float, hidden=True,
                     help="Sleep this long per wait instead of detecting quiet (benchmark reference)."),
        click.option("--email", help="Canary e-mail typed into form fields (never submitted) to catch leaks "
                                     "before submission (default: a generated leakmap.<random>@example.org)."),
        click.option("--no-forms", is_flag=True, help="Do not type canary values into form fields."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def config_from(kwargs: dict[str, Any]) -> ScanConfig:
    locale = kwargs.pop("locale")
    lang = locale.split("-")[0]
    return ScanConfig(
        output_dir=kwargs.pop("output_dir"), pages=kwargs.pop("pages"), depth=kwargs.pop("depth"),
        phases=kwargs.pop("phases"), concurrency=kwargs.pop("concurrency"), browser=kwargs.pop("browser"),
        host_rules=kwargs.pop("host_rules"), ignore_https_errors=kwargs.pop("ignore_https_errors"),
        proxy=kwargs.pop("proxy"), accept_selector=kwargs.pop("accept_selector"),
        reject_selector=kwargs.pop("reject_selector"), first_party=tuple(kwargs.pop("first_party")),
        page_timeout=kwargs.pop("page_timeout"), site_timeout=kwargs.pop("site_timeout"), locale=locale,
        accept_language=f"{locale},{lang};q=0.9,en;q=0.8" if lang != "en" else f"{locale},en;q=0.9",
        screenshots=not kwargs.pop("no_screenshots"), fixed_wait=kwargs.pop("fixed_wait"),
        fill_forms=not kwargs.pop("no_forms"), email=kwargs.pop("email") or canary_email(),
        jurisdiction=kwargs.pop("jurisdiction") or DEFAULT_JURISDICTION,
    )

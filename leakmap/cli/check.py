"""``leakmap check URL...``: the CI gate. Scan, judge, write the reports, exit 0/1/2.

Exit 0: clean; 1: findings at or above the policy's threshold (default: any ``high``); 2: the
audit could not run (bad input or policy, browser missing, a site could not be loaded, a consent
action not verified while the policy requires it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource
from rich.console import Console

from leakmap.blocklists import Knowledge
from leakmap.cli.options import browsing_options, config_from
from leakmap.cli.report import print_pdf
from leakmap.cli.running import execute, fail
from leakmap.crawler.runner import read_sites_file
from leakmap.report import FILE_NAMES, save
from leakmap.report.baseline import BaselineError
from leakmap.report.baseline import load as load_baseline
from leakmap.report.policy import Policy, PolicyError
from leakmap.report.policy import load as load_policy
from leakmap.report.terminal import print_findings, print_summary
from leakmap.workflow import judge, report


def _policy_defaults(ctx: click.Context, policy: Policy, kwargs: dict) -> None:
    """The policy's pages, phases and jurisdiction apply unless given on the command line."""
    if policy.pages is not None and ctx.get_parameter_source("pages") == ParameterSource.DEFAULT:
        kwargs["pages"] = policy.pages
    if policy.phases is not None and ctx.get_parameter_source("phases") == ParameterSource.DEFAULT:
        kwargs["phases"] = policy.phases
    if policy.jurisdiction is not None and kwargs.get("jurisdiction") is None:
        kwargs["jurisdiction"] = policy.jurisdiction


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--sites-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file with one URL per line (# comments allowed).")
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path),
              help="Policy: leakmap.toml, or pyproject.toml with [tool.leakmap] (default: fail on any high finding).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Accepted findings (written by `leakmap baseline`): only findings not in it fail.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here.")
@click.option("--sarif", type=click.Path(dir_okay=False, path_type=Path), help="Write SARIF 2.1.0 here.")
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path), help="Write a Markdown summary here.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML report printed to PDF here (through the same Chromium).")
@click.option("--show-values", is_flag=True, help="Include cookie, storage and identifier values in the reports.")
@browsing_options
@click.pass_context
def check(ctx: click.Context, urls: tuple[str, ...], sites_file: Path | None, policy: Path | None,
          baseline: Path | None, junit: Path | None, sarif: Path | None, markdown: Path | None, pdf: Path | None,
          show_values: bool, **kwargs) -> None:
    """Audit URL(s) and fail the build on findings: exit 0 clean, 1 findings at or above the
    policy's threshold, 2 the audit could not run. Writes report.html and report.json to OUTPUT."""
    try:
        rules = load_policy(policy) if policy else Policy()
        accepted = load_baseline(baseline) if baseline else None
    except (PolicyError, BaselineError) as exc:
        fail(str(exc))
    _policy_defaults(ctx, rules, kwargs)
    config = config_from(kwargs)
    targets = list(urls) + (read_sites_file(sites_file) if sites_file else [])
    if not targets:
        fail("give at least one URL (or --sites-file)")
    result = execute(targets, config, command="check")
    console = Console()
    kb = Knowledge.load()
    built, verdict = report(result.store_path, result.scan_id, show_values=show_values, policy=rules,
                            baseline=accepted, baseline_source=str(baseline) if baseline else None, kb=kb,
                            findings=judge(result.store_path, result.scan_id, kb))
    print_summary(built, result.store_path, console)
    targets_out = {fmt: config.output_dir / FILE_NAMES[fmt] for fmt in ("html", "json")}
    targets_out.update({fmt: path for fmt, path in (("junit", junit), ("sarif", sarif), ("md", markdown)) if path})
    save(built, targets_out)
    if pdf:
        targets_out["pdf"] = print_pdf(built, pdf, config.browser)
    print_findings(built, console, gate=True)
    console.print("reports: " + ", ".join(str(p) for p in targets_out.values()), markup=False, highlight=False)
    sys.exit(verdict.exit_code)

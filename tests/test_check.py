"""``leakmap check`` against the test web, as CI runs it: exit 0 on a compliant site, 1 on a site
that tracks before consent (through the very command line of docs/ci), 0 again once its findings
are in a baseline, 2 when a site cannot be loaded or a consent click cannot be verified while the
policy requires it, 2 on a bad policy. The scans run concurrently (one process each) to keep the
whole module around a minute."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from leakmap.report.policy import load as load_policy
from tests.conftest import REPO_ROOT
from tests.report_store import validate_report
from tests.scan_checks import leakmap_cmd
from tests.web.server import TestWeb

DOCS = REPO_ROOT / "docs" / "ci"
CLEAN = "https://www.harbourside-dental.co.uk/"  # compliant: trackers only after "accept all"
LEAKY = "https://www.brightpath-travel.com/"  # GA4 and the Meta pixel before any answer
STUCK = "https://www.stuck-banner.fr/"
STUCK_PAGE = """<!doctype html><html lang="en"><title>Stuck banner</title>
<div id="cookie-banner" role="dialog" aria-label="Cookies"><p>We use cookies to improve your visit.</p>
<button id="accept-all">Accept all</button> <button id="reject-all">Reject all</button></div>
<p>The buttons do nothing: no consent click on this site can be verified.</p></html>"""


def ci_block(path: Path) -> str:
    """The shell between the ``leakmap-check-begin`` and ``-end`` markers of a CI example."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "leakmap-check-begin" in line)
    end = next(i for i, line in enumerate(lines) if "leakmap-check-end" in line)
    return textwrap.dedent("\n".join(lines[start + 1:end]))


@dataclass
class Run:
    proc: subprocess.Popen
    cwd: Path

    def wait(self) -> subprocess.CompletedProcess:
        try:
            out, err = self.proc.communicate(timeout=300)
        finally:
            self.stop()
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)

    def stop(self) -> None:
        """Never leave a scan (and its Chromium) behind on a failure or a timeout."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the CI block's shell and the leakmap it runs
            self.proc.wait()


def start(args: list[str], cwd: Path, env: dict[str, str] | None = None, shell: bool = False) -> Run:
    cwd.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(args if not shell else ["bash", "-euo", "pipefail", "-c", args[0]], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
                            start_new_session=True)
    return Run(proc, cwd)


def shim(directory: Path) -> Path:
    """A ``leakmap`` on PATH that runs this interpreter's leakmap, as an installed one would."""
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / "leakmap"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m leakmap "$@"\n')
    exe.chmod(0o755)
    return directory


@pytest.fixture(scope="module")
def stuck_web(tmp_path_factory):
    root = tmp_path_factory.mktemp("stuck-web")
    (root / "www.stuck-banner.fr").mkdir()
    (root / "www.stuck-banner.fr" / "index.html").write_text(STUCK_PAGE)
    with TestWeb(root) as web:
        yield web


@pytest.fixture(scope="module")
def runs(testweb, stuck_web, tmp_path_factory):
    base = tmp_path_factory.mktemp("check")
    web = ["--host-rules", testweb.host_rules, "--ignore-https-errors", "--pages", "1"]
    ci = base / "ci"
    ci.mkdir()
    (ci / "leakmap.toml").write_text('pages = 1\nphases = ["baseline"]\nfail_on = "high"\n')
    (ci / "leakmap-baseline.json").write_text(json.dumps({"schema": "leakmap.baseline/1", "findings": []}))
    ci_env = {"SITE_URL": LEAKY, "LEAKMAP_HOST_RULES": testweb.host_rules,
              "PATH": f"{shim(base / 'bin')}{os.pathsep}{os.environ.get('PATH', '')}"}
    (base / "stuck").mkdir()
    (base / "stuck" / "pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.leakmap]\nphases = ["reject"]\npages = 1\nrequire_verified_consent = true\n')
    started = {
        "ci": start([ci_block(DOCS / "github-actions.yml")], ci, ci_env, shell=True),
        "clean": start(leakmap_cmd("check", CLEAN, *web, "-o", str(base / "clean"), "--junit",
                                   str(base / "clean" / "junit.xml"), "--pdf", str(base / "clean" / "evidence.pdf")),
                       base),
        "unreachable": start(leakmap_cmd("check", "https://www.nowhere-at-all.fr/", "--phases", "baseline", "--pages",
                                         "1", "--host-rules", "MAP www.nowhere-at-all.fr 127.0.0.1:1", "-o",
                                         str(base / "unreachable")), base),
        "no-browser": start(leakmap_cmd("check", CLEAN, "-o", str(base / "no-browser")), base,
                            {"LEAKMAP_BROWSER": "/nonexistent/chrome"}),
        "stuck": start(leakmap_cmd("check", STUCK, "--policy", "pyproject.toml", "--host-rules", stuck_web.host_rules,
                                   "--ignore-https-errors", "-o", str(base / "stuck" / "out")), base / "stuck"),
    }
    try:
        done = {"ci": started["ci"].wait()}
        shutil.copytree(ci / "leakmap-report", base / "ci-first")  # the second run writes to the same directory
        # accept what the first CI run found, then run the same CI command again
        subprocess.run(leakmap_cmd("baseline", str(ci / "leakmap-report" / "leakmap.db"), "-o",
                                   str(ci / "leakmap-baseline.json")), check=True, capture_output=True, timeout=120)
        started["ci-with-baseline"] = start([ci_block(DOCS / "github-actions.yml")], ci, {**ci_env}, shell=True)
        for name in ("clean", "unreachable", "stuck", "no-browser", "ci-with-baseline"):
            done[name] = started[name].wait()
    finally:  # one run failing must not leave the others running
        for run in started.values():
            run.stop()
    done["base"] = base  # type: ignore[assignment]
    return done


def test_exit_0_on_a_compliant_site(runs):
    proc = runs["clean"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "leakmap check: clean" in proc.stdout
    out = runs["base"] / "clean"
    report = validate_report((out / "report.json").read_text())
    assert report["gate"]["exit_code"] == 0 and report["sites"][0]["summary"]["high"] == 0
    assert (out / "report.html").is_file()
    assert ET.parse(out / "junit.xml").getroot().get("failures") == "0"
    # --pdf: the same report printed, the scan named on every page
    pages = PdfReader(out / "evidence.pdf").pages
    assert all(f"scan {report['scan']['id']} (check) of {CLEAN}" in " ".join(p.extract_text().split()) for p in pages)


def test_exit_1_with_the_ci_example_command(runs):
    proc = runs["ci"]
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    out = runs["base"] / "ci-first"
    report = validate_report((out / "report.json").read_text())
    assert report["gate"]["policy"] == "leakmap.toml" and report["scan"]["phases"] == ["baseline"]
    rules = {f["rule"] for f in report["sites"][0]["findings"] if f["gate"] == "fail"}
    assert {"tracking-before-consent", "cookie-before-consent"} <= rules
    assert {tp["domain"] for tp in report["sites"][0]["phases"]["baseline"]["third_parties"]} >= {
        "google-analytics.com", "facebook.com"}
    junit = ET.parse(out / "junit.xml").getroot()
    assert int(junit.get("failures")) >= 2
    assert json.loads((out / "leakmap.sarif").read_text())["version"] == "2.1.0"
    assert "findings fail the policy" in (out / "summary.md").read_text()
    assert (out / "report.html").stat().st_size > 10_000  # the artifact the CI examples upload


def test_baseline_accepts_known_findings(runs):
    proc = runs["ci-with-baseline"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    report = validate_report((runs["base"] / "ci" / "leakmap-report" / "report.json").read_text())
    statuses = report["gate"]["statuses"]
    assert statuses["fail"] == 0 and statuses["baselined"] >= 2
    assert report["gate"]["baseline"] == "leakmap-baseline.json"


def test_exit_2_when_the_browser_is_missing(runs):
    proc = runs["no-browser"]
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("leakmap: error: browser not found or not executable: /nonexistent/chrome")


def test_exit_2_when_the_site_cannot_be_loaded(runs):
    proc = runs["unreachable"]
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "the site could not be loaded" in proc.stdout and "ERR_CONNECTION_REFUSED" in proc.stdout
    report = validate_report((runs["base"] / "unreachable" / "report.json").read_text())
    assert report["gate"]["exit_code"] == 2 and report["gate"]["problems"]


def test_exit_2_when_consent_cannot_be_verified_and_the_policy_requires_it(runs):
    proc = runs["stuck"]
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    report = validate_report((runs["base"] / "stuck" / "out" / "report.json").read_text())
    assert report["scan"]["phases"] == ["reject"] and report["scan"]["pages"] == 1  # from [tool.leakmap]
    assert any("the reject action could not be verified" in p for p in report["gate"]["problems"])
    assert report["sites"][0]["consent"]["reject"]["verified"] is False


def test_exit_2_on_a_bad_policy_before_scanning(tmp_path):
    policy = tmp_path / "leakmap.toml"
    policy.write_text('fail-on = "medium"\n')
    proc = subprocess.run(leakmap_cmd("check", CLEAN, "--policy", str(policy), "-o", str(tmp_path / "out")),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"leakmap: error: {policy}: unknown key 'fail-on' (did you mean 'fail_on'?)"
    assert not (tmp_path / "out").exists()


def test_ci_examples_run_the_same_command_and_policy_is_valid():
    assert ci_block(DOCS / "github-actions.yml") == ci_block(DOCS / "gitlab-ci.yml")
    policy = load_policy(DOCS / "leakmap.toml")
    assert policy.require_verified_consent and policy.severity["third-country-transfer"] == "off"

"""Reports of a scan with the gpc phase: its column in every format, its HAR, its findings in the
verdict, diff and baselines; a scan without it shows no GPC column."""

from __future__ import annotations

import json

from click.testing import CliRunner

from leakmap import workflow
from leakmap.analysis import reanalyze
from leakmap.cli import main
from leakmap.report import render
from leakmap.report.baseline import document
from leakmap.report.har import write_hars
from tests.analysis_store import StoreBuilder, cookie, knowledge, request
from tests.report_store import validate_report
from tests.test_analysis_gpc import FB_JS, FB_TR, SITE, USNAT_NOT_OPTED_OUT, USNAT_OPTED_OUT


def _scan(path, honour: bool):
    """baseline: Meta's pixel; gpc: the same (``honour`` False) or nothing, and the site's GPP string."""
    b = StoreBuilder(path, start_url=SITE, config={"phases": ["baseline", "gpc"]})
    meta = [request(FB_JS, 0.5), request(FB_TR, 0.8, resource_type="Image", initiator_url=FB_JS)]
    b.visit("baseline", [request(SITE, 0.0, resource_type="Document"), *meta])
    b.consent("gpc", clicked=False, banner=False, details={
        "gpp": {"status": "ok", "gppString": USNAT_OPTED_OUT if honour else USNAT_NOT_OPTED_OUT},
        "usp": {"status": "ok", "uspString": "1YYN" if honour else "1YNN"}, "navigator_gpc": True})
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"),
                    cookie("usprivacy", "1YYN" if honour else "1YNN", 0.2, host="www.maison-exemple.fr"),
                    *([] if honour else [request(FB_JS, 0.5), request(FB_TR, 0.8, resource_type="Image")])])
    b.store.update_site(b.site_id, gpc_json={"url": SITE + ".well-known/gpc.json", "status": 200,
                                             "json": {"gpc": True, "lastUpdate": "2026-01-01"}})
    reanalyze(b.store, b.scan_id, knowledge())
    b.store.close()
    return path


def test_every_format_shows_the_gpc_verdict(tmp_path):
    path = _scan(tmp_path / "ignored" / "leakmap.db", honour=False)
    report, _ = workflow.report(path, kb=knowledge())
    doc = validate_report(render(report, "json"))
    site = doc["sites"][0]
    assert site["summary"]["gpc"] == {"verdict": "not honoured", "high": 3, "ignored_by": ["facebook.com", "facebook.net"],
                                      "mismatched_signals": ["GPP (__gpp ping)", "US Privacy (__uspapi)",
                                                             "cookie usprivacy (www.maison-exemple.fr)"]}
    # the EU view counts Meta's pixel once (seen in baseline and gpc), not the GPC findings again
    assert site["summary"]["before_consent"]["high"] == 2
    assert set(site["phases"]) == {"baseline", "gpc"} and site["gpc_json"]["json"]["gpc"] is True
    gpc = site["consent"]["gpc"]
    assert gpc["navigator_gpc"] is True and gpc["usp"]["usp_string"] == "1YNN"
    assert gpc["gpp"]["us_opt_outs"]["usnat"]["SaleOptOut"] == 2
    html = render(report, "html")
    assert "<th>Global Privacy Control</th>" in html and "ignored by facebook.com, facebook.net" in html
    assert 'data-testid="gpc-count">3<' in html and "usnat: SaleOptOut 2" in html
    md = render(report, "md")
    assert "| Global Privacy Control |" in md and "not honoured; ignored by facebook.com, facebook.net" in md
    junit = render(report, "junit")
    assert 'testcase name="gpc-ignored"' in junit and "[high] gpc facebook.com" in junit
    sarif = json.loads(render(report, "sarif"))
    assert {"gpc-ignored", "gpc-signal-mismatch"} <= {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {f["rule"] for f in document(report)["findings"]} >= {"gpc-ignored", "gpc-signal-mismatch"}


def test_honoured_site_and_har(tmp_path):
    path = _scan(tmp_path / "honoured" / "leakmap.db", honour=True)
    report, verdict = workflow.report(path, kb=knowledge())
    site = report.sites[0]
    assert site.gpc() == {"verdict": "honoured", "high": 0, "ignored_by": [], "mismatched_signals": []}
    [ok] = [f for f in site.findings if f.rule == "gpc-honoured"]
    assert ok.evidence["stopped"] == ["facebook.com", "facebook.net"]
    assert ok.evidence["gpc_json"]["json"] == {"gpc": True, "lastUpdate": "2026-01-01"}
    assert '<span class="badge ok">honoured</span>' in render(report, "html")
    hars = write_hars(path, report.scan["id"], tmp_path / "out")
    assert sorted(p.name.rsplit("-", 1)[1] for p in hars) == ["baseline.har", "gpc.har"]
    entries = json.loads(next(p for p in hars if p.name.endswith("gpc.har")).read_text())["log"]["entries"]
    assert {e["_phase"] for e in entries} == {"gpc"}


def test_diff_knows_the_phase(tmp_path):
    old = _scan(tmp_path / "old" / "leakmap.db", honour=True)
    new = _scan(tmp_path / "new" / "leakmap.db", honour=False)
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--json"], catch_exceptions=False)
    site = json.loads(result.output)["sites"][0]
    assert {(p["phase"], p["domain"]) for p in site["new_third_parties"]} == {("gpc", "facebook.com"),
                                                                              ("gpc", "facebook.net")}
    assert {f["rule"] for f in site["new_findings"]} == {"gpc-ignored", "gpc-signal-mismatch"}
    assert [f["rule"] for f in site["gone_findings"]] == ["gpc-honoured"]


def test_no_gpc_phase_no_column(tmp_path):
    b = StoreBuilder(tmp_path / "leakmap.db", start_url=SITE)
    b.visit("baseline", [request(SITE, 0.0, resource_type="Document"), request(FB_JS, 0.5)])
    reanalyze(b.store, b.scan_id, knowledge())
    b.store.close()
    report, _ = workflow.report(tmp_path / "leakmap.db", kb=knowledge())
    assert report.sites[0].gpc() is None
    assert "Global Privacy Control" not in render(report, "html").split('id="verdict"')[1].split("</section>")[0]
    assert "Global Privacy Control" not in render(report, "md")


def test_policy_and_cli_accept_the_phase():
    from leakmap.report.policy import parse

    assert parse({"phases": ["gpc", "baseline"]}, "leakmap.toml").phases == ("baseline", "gpc")
    for command in ("scan", "check"):
        text = CliRunner().invoke(main, [command, "--help"]).output
        assert "gpc:" in " ".join(text.split()), command  # --phases lists it with what it does
    bad = CliRunner().invoke(main, ["scan", "https://www.example.org/", "--phases", "baseline,gcp"])
    assert bad.exit_code == 2 and "gpc" in bad.output


def test_an_allowance_before_consent_does_not_waive_the_us_opt_out(tmp_path):
    """A policy that lets Meta's pixel load before the EU consent (say, the site's lawyers accept
    it) does not let Meta ignore a visitor's GPC opt-out: a different law, a different question."""
    from leakmap.report.policy import parse

    path = _scan(tmp_path / "ignored" / "leakmap.db", honour=False)
    policy = parse({"allowed_before_consent": ["Meta Platforms, Inc."]}, "leakmap.toml")
    report, verdict = workflow.report(path, kb=knowledge(), policy=policy)
    gates = {(f.rule, f.domain): f.gate for _, f in report.findings()}
    assert gates[("tracking-before-consent", "facebook.net")] == "allowed"
    assert gates[("gpc-ignored", "facebook.net")] == "fail" and gates[("gpc-ignored", "facebook.com")] == "fail"
    assert verdict.failing == 3  # the two gpc-ignored and gpc-signal-mismatch


def test_analyze_judges_under_another_law_and_stores_it(tmp_path):
    """`leakmap analyze --jurisdiction` re-judges a stored scan under that law and records it with the
    scan, so its reports say which law the stored findings apply; without it, the recorded one."""
    path = _scan(tmp_path / "ignored" / "leakmap.db", honour=False)
    assert workflow.report(path, kb=knowledge())[0].scan["jurisdiction"] == ["eu", "us"]
    eu = CliRunner().invoke(main, ["analyze", str(path), "--jurisdiction", "eu"], catch_exceptions=False)
    assert eu.exit_code == 0, eu.output
    report, _ = workflow.report(path, kb=knowledge())
    assert report.scan["jurisdiction"] == ["eu"]
    assert not [f for _, f in report.findings() if f.rule.startswith("gpc-")]
    assert {f.rule for _, f in report.findings()} >= {"tracking-before-consent"}
    again = CliRunner().invoke(main, ["analyze", str(path)], catch_exceptions=False)  # keeps the recorded law
    assert again.exit_code == 0 and workflow.report(path, kb=knowledge())[0].scan["jurisdiction"] == ["eu"]
    ca = CliRunner().invoke(main, ["analyze", str(path), "--jurisdiction", "us-ca"], catch_exceptions=False)
    report, _ = workflow.report(path, kb=knowledge())
    assert ca.exit_code == 0 and report.scan["jurisdiction"] == ["us-ca"]
    rules = {f.rule for _, f in report.findings()}
    assert {"gpc-ignored", "gpc-signal-mismatch"} <= rules and "tracking-before-consent" not in rules  # no EU law
    validate_report(render(report, "json"))
    junit = render(report, "junit")
    assert 'testcase name="gpc-ignored"' in junit and 'testcase name="tracking-before-consent"' not in junit


def test_the_jurisdiction_option_and_policy_key():
    from leakmap.cli.check import _policy_defaults, check
    from leakmap.report.policy import PolicyError, parse

    for command in ("scan", "check", "analyze"):
        assert "--jurisdiction" in CliRunner().invoke(main, [command, "--help"]).output, command
    bad = CliRunner().invoke(main, ["scan", "https://www.example.org/", "--jurisdiction", "us-cal"])
    assert bad.exit_code == 2 and "did you mean 'us-ca'" in bad.output
    policy = parse({"jurisdiction": ["us-ca", "US-CO"]}, "leakmap.toml")
    assert policy.jurisdiction == ("us-ca", "us-co")
    try:
        parse({"jurisdiction": ["eu", "california"]}, "leakmap.toml")
        raise AssertionError("an unknown law must be refused")
    except PolicyError as exc:
        assert "leakmap.toml: jurisdiction: unknown jurisdiction california" in str(exc)
    ctx = check.make_context("check", ["https://www.example.org/"])
    kwargs = dict(ctx.params)
    _policy_defaults(ctx, policy, kwargs)
    assert kwargs["jurisdiction"] == ("us-ca", "us-co")  # the policy's, as none was given
    ctx = check.make_context("check", ["https://www.example.org/", "--jurisdiction", "eu"])
    kwargs = dict(ctx.params)
    _policy_defaults(ctx, policy, kwargs)
    assert kwargs["jurisdiction"] == ("eu",)  # the command line wins


def test_the_html_names_the_law_applied(tmp_path):
    path = _scan(tmp_path / "ignored" / "leakmap.db", honour=False)
    html = render(workflow.report(path, kb=knowledge())[0], "html")
    assert "<th>law applied</th>" in html and "Cal. Civ. Code § 1798.135(b)(1), (e)" in html

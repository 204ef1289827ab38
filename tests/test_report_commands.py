"""``leakmap report``, ``baseline`` and ``diff`` on fixed stores, and the policy file's strictness."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from leakmap import records as r
from leakmap.analysis import save_findings
from leakmap.analysis.audit import stored_findings
from leakmap.analysis.findings import finding_id
from leakmap.cli import main
from leakmap.report.policy import PolicyError, load, parse
from tests.report_store import SHOP, T0, build, request, validate_report


@pytest.fixture
def stores(tmp_path):
    """OLD and NEW scans of the same sites: NEW adds Hotjar before consent and drops the id-sync finding."""
    old, new = tmp_path / "old" / "leakmap.db", tmp_path / "new" / "leakmap.db"
    build(old).store.close()
    fixed = build(new)
    store = fixed.store
    visit = next(store.db.query("select id from visits where site_id = ? and phase = 'baseline' and seq = 0",
                                [fixed.shop]))["id"]
    hj = request("https://static.hotjar.com/c/hotjar-1.js?sv=6", T0 + 2.6, phase="baseline", consent=None, status=200)
    hj.visit_id, hj.site_id = visit, fixed.shop
    store.add(hj)
    findings = [f for f in stored_findings(store, fixed.scan_id) if f.rule != "id-sync"]
    findings.append(r.Finding(
        id=finding_id("session-replay", SHOP, "baseline", "hotjar.com"), scan_id=fixed.scan_id, site_id=fixed.shop,
        rule="session-replay", severity="high", phase="baseline", domain="hotjar.com", entity="Hotjar Ltd",
        category="session-replay", page=SHOP, title="Hotjar Ltd (session-replay) loaded before consent",
        evidence={"request": {"url": hj.url, "before_consent": True}}))
    save_findings(store, fixed.scan_id, findings)
    store.close()
    return old, new


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_report_command_writes_the_formats_asked(stores, tmp_path):
    old, _ = stores
    out = tmp_path / "reports"
    result = invoke("report", str(old), "-o", str(out), "--format", "json,md")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md"]
    assert validate_report((out / "report.json").read_text())["values_masked"] is True
    assert invoke("report", str(old), "--format", "docx").exit_code == 2  # pdf is one (test_report_pdf.py)
    assert invoke("report", str(tmp_path / "missing.db")).exit_code == 2
    shown = invoke("report", str(old), "-o", str(out), "--format", "json", "--show-values")
    assert shown.exit_code == 0 and validate_report((out / "report.json").read_text())["values_masked"] is False


def test_report_of_the_store_directory_by_default(stores):
    old, _ = stores
    result = invoke("report", str(old))
    assert result.exit_code == 0
    assert {p.name for p in old.parent.iterdir()} >= {"report.html", "report.json", "report.md", "report.junit.xml",
                                                     "report.sarif"}


def test_baseline_then_report_with_it(stores, tmp_path):
    old, new = stores
    base = tmp_path / "baseline.json"
    result = invoke("baseline", str(old), "-o", str(base))
    assert result.exit_code == 0 and "8 finding(s) accepted" in result.output
    doc = json.loads(base.read_text())
    assert doc["schema"] == "leakmap.baseline/1" and len(doc["findings"]) == 8
    out = tmp_path / "gated"
    assert invoke("report", str(new), "-o", str(out), "--format", "json", "--baseline", str(base)).exit_code == 0
    findings = {f["rule"]: f["gate"] for s in validate_report((out / "report.json").read_text())["sites"]
                for f in s["findings"] if s["start_url"] == SHOP}
    assert findings["session-replay"] == "fail"  # new since the baseline
    assert findings["tracking-before-consent"] == "baselined"
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": []}')
    result = invoke("report", str(new), "--baseline", str(bad))
    assert result.exit_code == 2 and "not a leakmap baseline" in result.output


def test_diff_lists_new_and_gone(stores):
    old, new = stores
    result = invoke("diff", str(old), str(new), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    shop = next(s for s in doc["sites"] if s["start_url"] == SHOP)
    assert [(p["phase"], p["domain"], p["entity"]) for p in shop["new_third_parties"]] == [
        ("baseline", "hotjar.com", "Hotjar Ltd")]
    assert shop["gone_third_parties"] == []
    assert [f["rule"] for f in shop["new_findings"]] == ["session-replay"]
    assert [f["rule"] for f in shop["gone_findings"]] == ["id-sync"]
    other = [s for s in doc["sites"] if s["start_url"] != SHOP]
    assert all(not (s["new_findings"] or s["gone_findings"] or s["new_third_parties"]) for s in other)
    text = invoke("diff", str(old), str(new)).output
    assert "+ third party baseline hotjar.com" in text and "- finding" in text and "id-sync" in text
    assert "no change" in invoke("diff", str(old), str(old)).output


def test_policy_rejects_unknown_keys_and_bad_values(tmp_path):
    for data, message in [
        ({"fail_on": "critical"}, "fail_on must be one of high, medium, info"),
        ({"phases": ["baseline", "later"]}, "phases must be a non-empty list"),
        ({"pages": 0}, "pages must be from 1 to 500"),
        ({"pages": True}, "pages must be a whole number"),
        ({"severity": {"tracking-before-consnet": "off"}}, "did you mean 'tracking-before-consent'"),
        ({"severity": {"id-sync": "low"}}, "severity of id-sync must be one of high, medium, info, off"),
        ({"allowed_before_consent": "cloudflare.com"}, "allowed_before_consent must be a list"),
        ({"require_verified_consent": "yes"}, "require_verified_consent must be true or false"),
        ({"allow": []}, "unknown key 'allow'"),
    ]:
        with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
            parse(data, "p.toml")
    py = tmp_path / "pyproject.toml"
    py.write_text('[tool.leakmap]\nfail_on = "medium"\nallowed_before_consent = ["Cloudflare, Inc."]\n')
    policy = load(py)
    assert policy.fail_on == "medium" and policy.allows_before_consent("cdnjs.cloudflare.com", "Cloudflare, Inc.")
    assert policy.allows_before_consent(None, "cloudflare, inc.") and not policy.allows_before_consent("x.com", None)
    py.write_text('[project]\nname = "x"\n')
    with pytest.raises(PolicyError, match=r"no \[tool.leakmap\] table"):
        load(py)
    bad = tmp_path / "leakmap.toml"
    bad.write_text("fail_on = \n")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load(bad)


def _with_withdraw(path, *, finding: bool) -> None:
    """A scan that also ran the withdraw phase: Meta's pixel after the withdrawal (and, with
    ``finding``, the finding about it)."""
    fixed = build(path)
    store = fixed.store
    store.db.execute("update scans set config = json_set(config, '$.phases', json('[\"baseline\", \"accept\", "
                     "\"reject\", \"withdraw\"]'))")
    store.db.conn.commit()
    visit = store.save_visit(r.Visit(site_id=fixed.shop, phase="withdraw", seq=0, url=SHOP, started_at=T0 + 300), [])
    pixel = request("https://www.facebook.com/tr/?id=1&ev=PageView", T0 + 320, phase="withdraw", consent=T0 + 305,
                    status=200)
    pixel.visit_id, pixel.site_id = visit, fixed.shop
    store.add(pixel)
    findings = stored_findings(store, fixed.scan_id)
    if finding:
        findings.append(r.Finding(
            id=finding_id("tracking-after-withdrawal", SHOP, "after-withdrawal", "facebook.com"), scan_id=fixed.scan_id,
            site_id=fixed.shop, rule="tracking-after-withdrawal", severity="high", phase="withdraw",
            domain="facebook.com", moment="after-withdrawal", phases=["withdraw"], page=SHOP,
            title="Meta Platforms, Inc. (social) received requests after consent was withdrawn"))
    save_findings(store, fixed.scan_id, findings)
    store.close()


def test_diff_compares_only_the_phases_both_scans_ran(tmp_path):
    # OLD ran the default phases, NEW also the opt-in withdraw phase: what only NEW could see is
    # neither a new third party nor a new finding. Two scans with the phase compare it.
    old, new, again = (tmp_path / name / "leakmap.db" for name in ("old", "new", "again"))
    build(old).store.close()
    _with_withdraw(new, finding=False)
    _with_withdraw(again, finding=True)
    doc = json.loads(invoke("diff", str(old), str(again), "--json").output)
    assert doc["phases_compared"] == ["baseline", "accept", "reject"]
    shop = next(s for s in doc["sites"] if s["start_url"] == SHOP)
    assert not shop["new_third_parties"] and not shop["new_findings"] and not shop["gone_findings"]
    doc = json.loads(invoke("diff", str(new), str(again), "--json").output)
    assert doc["phases_compared"] == ["baseline", "accept", "reject", "withdraw"]
    shop = next(s for s in doc["sites"] if s["start_url"] == SHOP)
    assert [(f["rule"], f["phase"], f["moment"]) for f in shop["new_findings"]] == [
        ("tracking-after-withdrawal", "withdraw", "after-withdrawal")]
    assert "phases compared: baseline, accept, reject, withdraw" in invoke("diff", str(new), str(again)).output

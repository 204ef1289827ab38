"""Reports of a fixed store: golden files for JSON, Markdown, JUnit and SARIF, validation against
report.json's schema and the official SARIF 2.1.0 schema, value masking, and the gate's effect on
each format. Regenerate the golden files after an intended change with
``python -m tests.golden.update`` and review the diff (this test only compares)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from leakmap import workflow
from leakmap.analysis import RULES
from leakmap.phases import PHASES
from leakmap.report import render, schemagen
from leakmap.report.policy import parse
from tests.conftest import REPO_ROOT
from tests.golden.update import FILES, GOLDEN
from tests.report_store import FR_VALUE, NEWS, SHOP, build, knowledge, validate_report

SARIF_SCHEMA = REPO_ROOT / "tests/npm/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return knowledge(tmp_path_factory.mktemp("no-lists"))


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    path = tmp_path_factory.mktemp("fixed") / "out" / "leakmap.db"
    build(path).store.close()
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "out" / "leakmap.db"
    build(path, hostile=True).store.close()
    return path


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    if not SARIF_SCHEMA.is_file():
        pytest.fail(f"{SARIF_SCHEMA} missing: run `npm ci --prefix tests/npm`")
    return json.loads(SARIF_SCHEMA.read_text())


def validate_sarif(text: str, sarif_schema: dict) -> dict:
    doc = json.loads(text)
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return doc


@pytest.mark.parametrize("fmt", list(FILES))
def test_golden(fmt, fixed, kb):
    report, _ = workflow.report(fixed, kb=kb)
    text = render(report, fmt)
    golden = GOLDEN / FILES[fmt]
    assert text == golden.read_text(encoding="utf-8"), f"{fmt} differs from {golden} (an intended change: python -m tests.golden.update)"


def test_rendering_is_deterministic(fixed, kb):
    a = [render(workflow.report(fixed, kb=kb)[0], fmt) for fmt in ("json", "html")]
    b = [render(workflow.report(fixed, kb=kb)[0], fmt) for fmt in ("json", "html")]
    assert a == b


def test_json_contract(fixed, kb):
    report, verdict = workflow.report(fixed, kb=kb)
    doc = validate_report(render(report, "json"))
    assert doc["schema"] == "leakmap.report/1" and doc["values_masked"] is True
    shop, news = doc["sites"]
    assert (shop["start_url"], news["start_url"]) == (SHOP, NEWS)
    assert set(shop["phases"]) == {"baseline", "accept", "reject"} and set(news["phases"]) == {"baseline"}
    baseline = {tp["domain"]: tp for tp in shop["phases"]["baseline"]["third_parties"]}
    assert baseline["facebook.com"] == {
        "domain": "facebook.com", "entity": "Meta Platforms, Inc.", "categories": ["social", "advertising"],
        "country": "US", "broker": False, "requests": 1, "before_consent": 1, "cookies": 1, "hosts": ["www.facebook.com"]}
    assert baseline["facebook.net"]["cookies"] == 1  # _fbp, written by fbevents.js on the site's own domain
    assert "doubleclick.net" in {tp["domain"] for tp in shop["phases"]["accept"]["third_parties"]}
    accept = shop["consent"]["accept"]
    assert accept["verified"] and accept["method"] == "heuristic" and accept["button_text"] == "Tout accepter"
    assert accept["tcf"]["purposes_consent"] == [1, 2, 3, 4] and accept["tcf"]["cmp_id"] == 7
    assert accept["gpp"]["applicable_sections"] == [2]
    assert accept["consent_mode"]["before"]["gcs"] == "G100" and accept["consent_mode"]["after"]["gcs"] == "G111"
    assert shop["consent"]["baseline"]["recorded"] is False  # only Consent Mode seen on the wire
    rules = {f["rule"]: f for f in shop["findings"]}
    assert rules["tracking-before-consent"]["moment"] == "before-consent"
    assert rules["tracking-after-reject"]["moment"] == "after-reject"
    assert rules["id-sync"]["moment"] == "after-accept"
    assert rules["third-country-transfer"]["moment"] is None
    assert [f["severity"] for f in shop["findings"]] == sorted(
        (f["severity"] for f in shop["findings"]), key=["high", "medium", "info"].index)
    assert shop["errors"] == [{"phase": "baseline", "kind": "http-error", "message": "HTTP 500",
                               "url": SHOP + "panier.html", "time": "2026-09-21T14:13:27.500Z"}]
    assert shop["summary"] == {"high": 3, "medium": 2, "info": 1, "before_consent": {"high": 2, "medium": 0},
                               "after_reject": {"high": 1, "medium": 0}, "after_withdrawal": {"high": 0, "medium": 0},
                               "failing": 3, "gpc": None}
    assert doc["gate"]["exit_code"] == verdict.exit_code == 1 and doc["gate"]["failing"] == 5


def test_sarif_is_valid_sarif_2_1_0(fixed, hostile, kb, sarif_schema):
    for path in (fixed, hostile):
        doc = validate_sarif(render(workflow.report(path, kb=kb)[0], "sarif"), sarif_schema)
        run = doc["runs"][0]
        assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(RULES)
        assert len(run["results"]) == 8
        levels = {r["properties"]["severity"]: r["level"] for r in run["results"]}
        assert levels == {"high": "error", "medium": "warning", "info": "note"}
        assert all(r["partialFingerprints"]["leakmapFindingId/v1"] for r in run["results"])


def test_junit_one_case_per_rule_per_site(fixed, kb):
    root = ET.fromstring(render(workflow.report(fixed, kb=kb)[0], "junit"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [SHOP, NEWS]
    # the scan ran baseline, accept, reject: the rules about a withdrawal or about the GPC signal
    # (they judge a phase that sends it) were not checked, so not listed
    unchecked = {"tracking-after-withdrawal", "cookie-after-withdrawal", "withdrawal-not-found",
                 "withdrawal-harder-than-consent", "cookies-not-deleted-on-withdrawal",
                 "gpc-ignored", "gpc-signal-mismatch", "gpc-honoured", "gpc-status-not-displayed", "opt-out-link-missing"}
    checked = [r for r in RULES if r not in unchecked]
    assert len(checked) == len(RULES) - 10
    for suite in suites:
        assert [c.get("name") for c in suite.findall("testcase")] == checked
    failed = {(s.get("name"), c.get("name")) for s in suites for c in s.findall("testcase") if c.find("failure") is not None}
    assert failed == {(SHOP, "tracking-before-consent"), (SHOP, "cookie-before-consent"),
                      (SHOP, "tracking-after-reject"), (NEWS, "tracking-before-consent"),
                      (NEWS, "consent-banner-missing")}
    assert root.get("failures") == "5" and root.get("tests") == str(2 * len(checked))


def test_values_masked_unless_asked(fixed, kb):
    masked, _ = workflow.report(fixed, kb=kb)
    for fmt in ("json", "html", "sarif", "md", "junit"):
        assert FR_VALUE not in render(masked, fmt), fmt
        assert "fb.1.1790000003100.4941233738" not in render(masked, fmt), fmt
    assert f"[masked: {len(FR_VALUE)} chars]" in render(masked, "json")
    shown, _ = workflow.report(fixed, kb=kb, show_values=True)
    doc = validate_report(render(shown, "json"))
    assert doc["values_masked"] is False and FR_VALUE in render(shown, "json") and FR_VALUE in render(shown, "html")


def test_policy_and_baseline_in_every_format(fixed, kb, sarif_schema):
    policy = parse({"fail_on": "medium", "allowed_before_consent": ["Meta Platforms, Inc."],
                    "severity": {"third-country-transfer": "off", "id-sync": "high"}}, "test policy")
    first, _ = workflow.report(fixed, kb=kb)
    accepted = {f.id for _, f in first.findings() if f.rule == "consent-banner-missing"}
    report, verdict = workflow.report(fixed, kb=kb, policy=policy, baseline=accepted, baseline_source="base.json")
    gates = {(s.start_url, f.rule): (f.gate, f.severity, f.original_severity) for s, f in report.findings()}
    assert gates[(SHOP, "tracking-before-consent")][0] == "allowed"  # Meta allowed before consent
    assert gates[(SHOP, "cookie-before-consent")][0] == "allowed"
    assert gates[(SHOP, "tracking-after-reject")][0] == "fail"  # after reject is never allowed
    assert gates[(SHOP, "id-sync")] == ("fail", "high", "medium")
    assert gates[(SHOP, "excessive-cookie-lifetime")][0] == "fail"  # medium fails at fail_on = medium
    assert gates[(SHOP, "third-country-transfer")][0] == "ignored"
    assert gates[(NEWS, "consent-banner-missing")][0] == "baselined"
    assert gates[(NEWS, "tracking-before-consent")][0] == "fail"
    assert verdict.exit_code == 1 and verdict.failing == 4
    doc = validate_report(render(report, "json"))
    assert doc["gate"]["statuses"] == {"fail": 4, "pass": 0, "allowed": 2, "baselined": 1, "ignored": 1}
    sarif = validate_sarif(render(report, "sarif"), sarif_schema)["runs"][0]["results"]
    by_rule = {(r["properties"]["site"], r["ruleId"]): r for r in sarif}
    assert by_rule[(NEWS, "consent-banner-missing")]["baselineState"] == "unchanged"
    assert by_rule[(NEWS, "tracking-before-consent")]["baselineState"] == "new"
    assert by_rule[(SHOP, "third-country-transfer")]["suppressions"][0]["status"] == "accepted"
    assert by_rule[(SHOP, "id-sync")]["level"] == "error"
    junit = ET.fromstring(render(report, "junit"))
    shop_cases = {c.get("name"): c for c in junit.find("testsuite").findall("testcase")}
    assert shop_cases["third-country-transfer"].find("skipped") is not None
    assert shop_cases["tracking-before-consent"].find("failure") is None
    assert shop_cases["id-sync"].find("failure") is not None


def test_hostile_text_in_markdown_and_xml(hostile, kb):
    report, _ = workflow.report(hostile, kb=kb)
    md = render(report, "md")
    assert "<script>" not in md and "&lt;script&gt;" in md
    ET.fromstring(render(report, "junit"))  # still well-formed XML
    validate_report(render(report, "json"))


def test_markdown_escapes_mentions_links_and_tables():
    from leakmap.report.markdown import escape

    assert escape("@org/team [x](https://t.example/) ![i](https://t.example/i.png) a|b _c_ <b>") == (
        "&#64;org/team \\[x\\](https://t.example/) !\\[i\\](https://t.example/i.png) a\\|b \\_c\\_ &lt;b&gt;")
    assert escape("line\nbreak") == "line break"


def test_every_rule_is_explained():
    assert all(r.name and r.what and r.why and r.fix and r.severity in ("high", "medium", "info")
               for r in RULES.values())


def test_schema_and_rule_docs_follow_the_rule_and_phase_tables():
    # the contract's enums and docs/rules.md are generated from the tables: a rule or a phase added
    # in one place must reach them (python -m leakmap.report.schemagen --write)
    doc = schemagen.schema()
    assert doc["$defs"]["finding"]["properties"]["rule"]["enum"] == list(RULES)
    assert doc["$defs"]["phase"]["enum"] == list(PHASES)
    assert set(doc["$defs"]["site"]["properties"]["phases"]["properties"]) == set(PHASES)
    assert schemagen.main([]) == 0, "run: python -m leakmap.report.schemagen --write"
    docs = schemagen.DOCS.read_text(encoding="utf-8")
    assert all(f"### {rule}" in docs for rule in RULES) and all(f"`{p}`" in docs for p in PHASES)


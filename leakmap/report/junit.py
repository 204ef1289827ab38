"""JUnit XML: one test suite per site, one test case per rule the scan's phases can check (a
rule about the moment after a withdrawal needs the withdraw phase), so CI dashboards show which
rule broke on which site. A case fails when a finding of its rule fails the gate; a rule the
policy turned off is skipped; a site that could not be audited gets an ``audit`` case in error.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from leakmap.analysis import RULES
from leakmap.blocklists.laws import parse_jurisdiction
from leakmap.report.explain import rule_text
from leakmap.report.model import Report, SiteReport

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: object) -> str:
    """Text XML 1.0 can hold (crawled strings may carry control characters)."""
    return _XML_BAD.sub("\ufffd", str(text))


def _line(f) -> str:
    party = f" {f.domain}" + (f" ({f.entity})" if f.entity else "") if f.domain else ""
    return xml_text(f"[{f.severity}] {', '.join(f.phases) or 'site'}{party}: {f.title} ({f.gate}; id {f.id})")


def _suite(site: SiteReport, report: Report, problems: list[str]) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(site.start_url), timestamp=report.scan["started_at"] or "")
    classname = xml_text(f"leakmap.{site.domain}")
    failures = errors = skipped = 0
    site_problems = [p for p in problems if p.startswith(site.start_url + ":")]
    if site_problems:
        case = ET.SubElement(suite, "testcase", name="audit", classname=classname)
        error = ET.SubElement(case, "error", message=xml_text(site_problems[0]), type="cannot-run")
        error.text = xml_text("\n".join(site_problems))
        errors += 1
    overrides = report.gate.get("severity_overrides", {})
    phases = report.scan.get("phases") or ()
    scope = parse_jurisdiction(report.scan.get("jurisdiction"))
    for rule in (r.id for r in RULES.values() if r.applies(phases, scope)):  # what the scan could check
        findings = [f for f in site.findings if f.rule == rule]
        case = ET.SubElement(suite, "testcase", name=rule, classname=classname)
        if overrides.get(rule) == "off":
            ET.SubElement(case, "skipped", message="rule turned off by the policy")
            skipped += 1
            continue
        failing = [f for f in findings if f.gate == "fail"]
        if failing:
            failure = ET.SubElement(case, "failure", type=failing[0].severity, message=xml_text(
                f"{len(failing)} finding(s) of {rule_text(rule).name} at or above {report.gate.get('fail_on', 'high')}"))
            failure.text = "\n".join(_line(f) for f in failing)
            failures += 1
        others = [f for f in findings if f.gate != "fail"]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in others)
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    return suite


def render(report: Report) -> str:
    root = ET.Element("testsuites", name="leakmap")
    problems = report.gate.get("problems", [])
    for site in report.sites:
        root.append(_suite(site, report, problems))
    unattributed = [p for p in problems if not any(p.startswith(s.start_url + ":") for s in report.sites)]
    if unattributed:  # scan-level problems (an interrupted scan)
        suite = ET.SubElement(root, "testsuite", name="scan", tests="1", failures="0", errors="1", skipped="0")
        case = ET.SubElement(suite, "testcase", name="audit", classname="leakmap.scan")
        ET.SubElement(case, "error", message=xml_text(unattributed[0]), type="cannot-run").text = xml_text(
            "\n".join(unattributed))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, 0)) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

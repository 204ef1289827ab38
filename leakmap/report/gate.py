"""The CI verdict: apply a policy and a baseline to a report and decide the exit code.

Exit codes: 0 clean, 1 findings at or above the policy's threshold, 2 the audit could not run
(the scan was interrupted, a site could not be loaded, or a consent action could not be
verified while the policy requires it). Each finding gets a gate status the reports show:
``fail``, ``pass`` (below the threshold), ``allowed`` (a party the policy allows before
consent), ``baselined`` (accepted in the baseline), ``ignored`` (its rule is off).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from leakmap.analysis import RULES
from leakmap.phases import ACTION_PHASES, BEFORE
from leakmap.report.model import Report, SiteReport
from leakmap.report.policy import OFF, Policy

EXIT_CLEAN, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2


@dataclass
class Verdict:
    exit_code: int
    failing: int
    problems: list[str] = field(default_factory=list)


def _cannot_run(report: Report, policy: Policy) -> list[str]:
    problems = []
    if report.scan.get("status") not in ("complete", None):
        problems.append(f"the scan did not complete (status {report.scan['status']})")
    for site in report.sites:
        if site.status == "failed" or not any(p.visits for p in site.phases.values()):
            why = next((e.message for e in site.errors if e.kind in ("navigation", "visit-failed", "timeout")), None)
            problems.append(f"{site.start_url}: the site could not be loaded" + (f" ({why})" if why else ""))
        elif policy.require_verified_consent:
            problems.extend(_unverified(site, report.scan.get("phases") or ()))
    return problems


def _unverified(site: SiteReport, phases) -> list[str]:
    """Consent actions on a site with a banner that were not verified by their effect: each
    phase's answer to the banner, and a later action (withdraw) that found a way to reopen the
    choice (one that found none is a finding, withdrawal-not-found, not a failed audit)."""
    banner = any(c.banner_found or c.cmp for c in site.consent.values())
    if not banner:
        return []  # nothing to answer: consent-banner-missing covers tracking without a banner
    out = []
    for phase in ACTION_PHASES:
        if phase not in phases:
            continue
        c = site.consent.get(phase)
        if c is None or not c.verified:
            why = (c.error if c else None) or ("no consent action recorded" if c is None else "no effect observed")
            out.append(f"{site.start_url}: the {phase} action could not be verified ({why})")
            continue
        for later in c.later:
            if later.banner_found and not later.verified:
                out.append(f"{site.start_url}: the {phase} phase's {later.action} could not be verified "
                           f"({later.error or 'no effect observed'})")
    return out


def apply(report: Report, policy: Policy | None = None, baseline: set[str] | None = None,
          baseline_source: str | None = None) -> Verdict:
    """Set each finding's gate status (and policy severity) and the report's ``gate`` section."""
    policy = policy or Policy()
    for _site, f in report.findings():
        level = policy.severity.get(f.rule)
        if level and level != OFF and level != f.severity:
            f.original_severity, f.severity = f.original_severity or f.severity, level
        if level == OFF:
            f.gate = "ignored"
        elif (f.moment == BEFORE and getattr(RULES.get(f.rule), "waivable_before_consent", True)
              and policy.allows_before_consent(f.domain, f.entity)):
            f.gate = "allowed"
        elif baseline is not None and (f.id in baseline or baseline.intersection(f.legacy_ids)):
            f.gate = "baselined"
        else:
            f.gate = "fail" if policy.fails(f.severity) else "pass"
    problems = _cannot_run(report, policy)
    statuses = Counter(f.gate for _, f in report.findings())
    failing = statuses.get("fail", 0)
    code = EXIT_CANNOT_RUN if problems else EXIT_FINDINGS if failing else EXIT_CLEAN
    report.gate = {
        "policy": policy.source, "fail_on": policy.fail_on, "require_verified_consent": policy.require_verified_consent,
        "allowed_before_consent": list(policy.allowed_before_consent), "severity_overrides": dict(policy.severity),
        "baseline": baseline_source, "exit_code": code, "failing": failing, "problems": problems,
        "statuses": {s: statuses.get(s, 0) for s in ("fail", "pass", "allowed", "baselined", "ignored")},
    }
    return Verdict(code, failing, problems)

"""Each rule in plain language: what it found, why it matters, what to do about it.

Shown next to every finding in the HTML report and used as the rule descriptions of SARIF, so a
reader who is not a privacy engineer can act on a finding. The texts live in the rule table
(:mod:`leakmap.analysis.rules`), next to the function they explain.
"""

from __future__ import annotations

from leakmap.analysis.rules import RULES, Rule


def rule_text(rule: str) -> Rule:
    """The rule's row (a rule unknown to this version, from a newer store, gets a bare one)."""
    return RULES.get(rule) or Rule(rule, "info", lambda site, parties: [], rule, f"Rule {rule}.", "", "")

"""The CI policy: which findings block a deploy, read from ``leakmap.toml`` or ``[tool.leakmap]``.

A policy is strict about its keys: a misspelt key silently ignored would make a gate pass that
should fail, so unknown keys and bad values are errors naming the key and what is allowed.

Keys (all optional)::

    pages = 3                                   # pages per site, landing page included
    phases = ["baseline", "reject"]             # phases to run
    fail_on = "high"                            # lowest severity that fails: high, medium, info
    require_verified_consent = true             # an unverified accept/reject click makes the audit fail to run (exit 2)
    allowed_before_consent = ["cookiebot.com", "Cloudflare, Inc."]  # domains or owners allowed before consent
    jurisdiction = ["eu", "us-ca"]              # the law the findings apply (default: eu and every US GPC state)
    [severity]                                  # per-rule overrides: high, medium, info, or off
    third-country-transfer = "off"
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leakmap.analysis import RULES
from leakmap.blocklists.laws import JurisdictionError, parse_jurisdiction
from leakmap.phases import PHASES, ordered
from leakmap.severity import SEVERITIES, at_least

OFF = "off"
KEYS = ("pages", "phases", "fail_on", "require_verified_consent", "allowed_before_consent", "jurisdiction", "severity")


class PolicyError(ValueError):
    """The policy file cannot be used; the message says which key and why."""


@dataclass
class Policy:
    source: str | None = None  # the file it came from (None: the default policy)
    pages: int | None = None
    phases: tuple[str, ...] | None = None
    fail_on: str = "high"
    require_verified_consent: bool = False
    allowed_before_consent: tuple[str, ...] = ()
    jurisdiction: tuple[str, ...] | None = None  # None: the command line's (or the default)
    severity: dict[str, str] = field(default_factory=dict)

    def fails(self, severity: str) -> bool:
        return at_least(severity, self.fail_on)

    def allows_before_consent(self, domain: str | None, entity: str | None) -> bool:
        for entry in self.allowed_before_consent:
            e = entry.lower()
            if domain and (domain.lower() == e or domain.lower().endswith("." + e)):
                return True
            if entity and entity.lower() == e:
                return True
        return False


def _unknown(where: str, key: str, known: tuple[str, ...] | list[str]) -> PolicyError:
    near = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else f" (known keys: {', '.join(known)})"
    return PolicyError(f"{where}: unknown key {key!r}{hint}")


def _expect(where: str, key: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PolicyError(f"{where}: {key} must be {what}, got {value!r}")
    return value


def parse(data: dict[str, Any], where: str) -> Policy:
    """A policy from a TOML table; ``where`` names it in error messages."""
    for key in data:
        if key not in KEYS:
            raise _unknown(where, key, KEYS)
    policy = Policy(source=where)
    if "pages" in data:
        policy.pages = _expect(where, "pages", data["pages"], int, "a whole number from 1 to 500")
        if not 1 <= policy.pages <= 500:
            raise PolicyError(f"{where}: pages must be from 1 to 500, got {policy.pages}")
    if "phases" in data:
        phases = _expect(where, "phases", data["phases"], list, f"a list among {', '.join(PHASES)}")
        bad = [p for p in phases if p not in PHASES]
        if bad or not phases:
            raise PolicyError(f"{where}: phases must be a non-empty list among {', '.join(PHASES)}, got {phases!r}")
        policy.phases = ordered(phases)
    if "fail_on" in data:
        policy.fail_on = _expect(where, "fail_on", data["fail_on"], str, f"one of {', '.join(SEVERITIES)}")
        if policy.fail_on not in SEVERITIES:
            raise PolicyError(f"{where}: fail_on must be one of {', '.join(SEVERITIES)}, got {policy.fail_on!r}")
    if "require_verified_consent" in data:
        policy.require_verified_consent = _expect(where, "require_verified_consent", data["require_verified_consent"],
                                                  bool, "true or false")
    if "allowed_before_consent" in data:
        allowed = _expect(where, "allowed_before_consent", data["allowed_before_consent"], list,
                          "a list of domains or owner names")
        if not all(isinstance(a, str) and a.strip() for a in allowed):
            raise PolicyError(f"{where}: allowed_before_consent must list domains or owner names, got {allowed!r}")
        policy.allowed_before_consent = tuple(a.strip() for a in allowed)
    if "jurisdiction" in data:
        value = _expect(where, "jurisdiction", data["jurisdiction"], (list, str), "a list of laws (eu, us, us-ca, ...)")
        try:
            policy.jurisdiction = parse_jurisdiction(value).ids
        except JurisdictionError as exc:
            raise PolicyError(f"{where}: jurisdiction: {exc}") from None
    if "severity" in data:
        table = _expect(where, "severity", data["severity"], dict, "a table of rule = severity")
        levels = (*SEVERITIES, OFF)
        for rule, level in table.items():
            if rule not in RULES:
                raise _unknown(f"{where} [severity]", rule, list(RULES))
            if level not in levels:
                raise PolicyError(f"{where}: severity of {rule} must be one of {', '.join(levels)}, got {level!r}")
        policy.severity = dict(table)
    return policy


def load(path: Path) -> Policy:
    """Read a policy: ``leakmap.toml`` (the whole file) or ``pyproject.toml`` (its ``[tool.leakmap]``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc})") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("leakmap")
        if not isinstance(table, dict):
            raise PolicyError(f"{path}: no [tool.leakmap] table")
        return parse(table, f"{path} [tool.leakmap]")
    return parse(data, str(path))

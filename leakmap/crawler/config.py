"""Scan configuration: one typed record shared by the CLI, the spider and the browser."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from leakmap.blocklists.laws import DEFAULT as DEFAULT_JURISDICTION
from leakmap.phases import DEFAULT_PHASES


def canary_email() -> str:
    """A fresh address nobody else uses, so finding it in a request proves it came from our typing."""
    return f"leakmap.{secrets.token_hex(4)}@example.org"


def canary_phone() -> str:
    """A number from Ofcom's range reserved for drama (07700 900000-900999): it reaches nobody."""
    return f"+447700900{secrets.randbelow(1000):03d}"


@dataclass
class ScanConfig:
    output_dir: Path = Path("leakmap-output")
    pages: int = 5  # pages per site, landing page included
    depth: int = 1  # link depth explored from the landing page to find them
    phases: tuple[str, ...] = DEFAULT_PHASES
    concurrency: int = 4  # page visits in flight at once (across sites and phases)
    # Browser
    browser: str | None = None  # executable path; found automatically when None
    headless: bool = True
    host_rules: str | None = None  # Chromium --host-resolver-rules, e.g. "MAP * 127.0.0.1:8443"
    proxy: str | None = None
    ignore_https_errors: bool = False
    locale: str = "fr-FR"
    accept_language: str = "fr-FR,fr;q=0.9,en;q=0.8"
    timezone: str = "Europe/Paris"
    viewport: tuple[int, int] = (1366, 768)
    # Timing: no fixed sleeps; a page is done when quiet, within caps
    page_timeout: float = 30.0  # cap on one page visit, seconds
    site_timeout: float = 600.0  # cap on one site (all phases), seconds
    navigation_timeout: float = 20.0
    quiet_window: float = 0.3  # network silence that ends a wait, seconds
    settle_cap: float = 8.0  # longest wait for silence after load or an action
    fixed_wait: float | None = None  # reference mode for benchmarks: sleep this long instead
    # Consent
    accept_selector: str | None = None
    reject_selector: str | None = None
    # Evidence
    screenshots: bool = True
    post_data_cap: int = 65536  # bytes of a POST body kept; the whole body is hashed
    first_party: tuple[str, ...] = ()  # extra domains that belong to the audited site
    # the laws the scan is judged under (leakmap.blocklists.laws): eu, us, us-ca, ...; analysis reads it
    jurisdiction: tuple[str, ...] = DEFAULT_JURISDICTION
    # Forms: canary values typed into the fields a page shows (never submitted) to catch data that
    # leaves before submission
    fill_forms: bool = True
    email: str = field(default_factory=canary_email)
    phone: str = field(default_factory=canary_phone)
    name: str = "Sam Leakmapper"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["output_dir"] = str(self.output_dir)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScanConfig:
        """The configuration a scan recorded (``--resume`` continues with it)."""
        known = {f.name: f for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("phases", "viewport", "first_party", "jurisdiction"):
            if name in values and values[name] is not None:
                values[name] = tuple(values[name])
        if "output_dir" in values:
            values["output_dir"] = Path(values["output_dir"])
        return cls(**values)

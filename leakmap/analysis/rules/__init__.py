"""The rules of SPEC.md, by id, in the order of its table.

Each rule is a pure function ``rule(site: SiteData, parties: Parties) -> list[Finding]`` over one
site's stored evidence and the knowledge base; intermediate results several rules share (the
classified requests, identifier matches) are memoised on the site.
"""

from __future__ import annotations

from collections.abc import Callable

from leakmap.analysis.data import SiteData
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.consent import consent_banner_missing, consent_signal_mismatch, no_reject_option
from leakmap.analysis.rules.cookies import (
    cookie_after_reject,
    cookie_before_consent,
    excessive_cookie_lifetime,
)
from leakmap.analysis.rules.fingerprints import fingerprinting
from leakmap.analysis.rules.idsync import id_sync
from leakmap.analysis.rules.pii import pii_leak
from leakmap.analysis.rules.requests import (
    broker_exposure,
    session_replay,
    tracking_after_reject,
    tracking_before_consent,
)
from leakmap.analysis.rules.storage import storage_before_consent
from leakmap.analysis.rules.transfers import third_country_transfer
from leakmap.records import Finding

Rule = Callable[[SiteData, Parties], list[Finding]]

RULES: dict[str, Rule] = {
    "tracking-before-consent": tracking_before_consent,
    "cookie-before-consent": cookie_before_consent,
    "storage-before-consent": storage_before_consent,
    "tracking-after-reject": tracking_after_reject,
    "cookie-after-reject": cookie_after_reject,
    "broker-exposure": broker_exposure,
    "id-sync": id_sync,
    "pii-leak": pii_leak,
    "fingerprinting": fingerprinting,
    "session-replay": session_replay,
    "consent-signal-mismatch": consent_signal_mismatch,
    "excessive-cookie-lifetime": excessive_cookie_lifetime,
    "no-reject-option": no_reject_option,
    "consent-banner-missing": consent_banner_missing,
    "third-country-transfer": third_country_transfer,
}

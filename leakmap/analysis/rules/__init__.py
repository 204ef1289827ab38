"""The rules of SPEC.md, one row each, in the order of its table.

A rule is one object: its id (stable: reports, policies and baselines use it), the highest
severity it gives, its explanation for people (what it found, why it matters, what to do: shown
next to every finding and in SARIF), and its function ``judge(site, parties) -> list[Finding]``,
pure over one site's stored evidence and the knowledge base (intermediate results several rules
share are memoised on the site). The report schema's rule enum and ``docs/rules.md`` are
generated from this table (``python -m leakmap.report.schemagen --write``); adding a rule is one
row here, its function and its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leakmap.analysis.data import SiteData
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.consent import (
    consent_banner_missing,
    consent_or_pay,
    consent_signal_mismatch,
    no_reject_option,
)
from leakmap.analysis.rules.cookies import (
    cookie_after_reject,
    cookie_after_withdrawal,
    cookie_before_consent,
    cookies_not_deleted_on_withdrawal,
    excessive_cookie_lifetime,
)
from leakmap.analysis.rules.declaration import (
    cookie_declaration_missing,
    cookie_lifetime_mismatch,
    cookie_purpose_mismatch,
    cookie_undeclared,
)
from leakmap.analysis.rules.fingerprints import fingerprinting
from leakmap.analysis.rules.gpc import gpc_honoured, gpc_ignored, gpc_signal_mismatch
from leakmap.analysis.rules.idsync import id_sync
from leakmap.analysis.rules.optout import gpc_status_not_displayed, opt_out_link_missing
from leakmap.analysis.rules.pii import pii_leak
from leakmap.analysis.rules.requests import (
    broker_exposure,
    session_replay,
    tracking_after_reject,
    tracking_after_withdrawal,
    tracking_before_consent,
)
from leakmap.analysis.rules.storage import storage_before_consent
from leakmap.analysis.rules.transfers import third_country_transfer
from leakmap.analysis.rules.withdrawal import withdrawal_harder_than_consent, withdrawal_not_found
from leakmap.blocklists.laws import EU, US, Jurisdiction
from leakmap.phases import AFTER_REJECT, AFTER_WITHDRAWAL, moments_of, phase
from leakmap.records import Finding

Judge = Callable[[SiteData, Parties], list[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # the highest severity its findings get
    judge: Judge
    name: str  # a short name
    what: str  # what the rule found, for a non-specialist
    why: str  # why it matters
    fix: str  # what the site owner can do
    moments: tuple[str, ...] = ()  # the only moments it judges (empty: any); a scan showing none cannot fire it
    # a policy's allowed_before_consent (the site's CMP, its CDN) may waive its before-consent
    # findings: the EU consent rules only; a US opt-out or a form's contents is no matter of consent
    waivable_before_consent: bool = True
    # the law it applies (--jurisdiction): "eu" (the EU consent rules), "us" (the US opt-out rules:
    # a US state in scope), or None (any: a broker reached, a form's contents leaked)
    law: str | None = EU
    gpc: bool = False  # it judges only phases whose browser sends GPC: a scan without one cannot fire it

    def judged_under(self, jurisdiction: Jurisdiction) -> bool:
        """The rule applies a law in scope (its findings are judged and reported)."""
        return self.law is None or (jurisdiction.eu if self.law == EU else jurisdiction.us_opt_out)

    def applies(self, phases, jurisdiction: Jurisdiction | None = None) -> bool:
        """A scan of these phases, judged under that law, can give this rule's findings (reports
        list it as checked)."""
        return (not self.moments or bool(set(self.moments) & set(moments_of(phases)))) and (
            not self.gpc or any(phase(p).gpc for p in phases)) and (
            jurisdiction is None or self.judged_under(jurisdiction))

    def __call__(self, site: SiteData, parties: Parties) -> list[Finding]:
        return self.judge(site, parties)


RULE_TABLE: tuple[Rule, ...] = (
    Rule(
        "tracking-before-consent", "high", tracking_before_consent,
        "Tracking before consent",
        "A company that tracks visitors (advertising, analytics, social media, data broker, session replay or "
        "fingerprinting) received data from the visitor's browser before the visitor answered the cookie banner.",
        "Under the ePrivacy rules and the GDPR, reading or sending such data needs prior consent; a visitor who has "
        "not answered has not consented.",
        "Load the tag only after consent: gate it in the tag manager or the consent platform's script blocking, "
        "and check it does not fire on the landing page before the click."),
    Rule(
        "cookie-before-consent", "high", cookie_before_consent,
        "Cookie before consent",
        "A cookie that is not strictly necessary (advertising, analytics, ...) was stored in the visitor's browser "
        "before the visitor answered the banner.",
        "Storing non-essential cookies requires prior consent (ePrivacy art. 5(3)); regulators fine sites for cookies "
        "set on arrival.",
        "Delay the script or pixel that sets the cookie until consent is given."),
    Rule(
        "storage-before-consent", "high", storage_before_consent,
        "Identifier stored before consent",
        "A tracking script wrote an identifier into the browser's local or session storage before the visitor "
        "answered the banner.",
        "Local storage is covered by the same consent requirement as cookies.",
        "Load the script only after consent."),
    Rule(
        "tracking-after-reject", "high", tracking_after_reject,
        "Tracking after \"reject all\"",
        "After the visitor clicked \"reject all\", a tracking company still received data from the browser.",
        "A refusal must be honoured; tracking after it is processing without a legal basis and misleads visitors.",
        "Make the refusal stop the tag: check the consent state before firing, including on later pages.",
        moments=(AFTER_REJECT,)),
    Rule(
        "cookie-after-reject", "high", cookie_after_reject,
        "Cookie after \"reject all\"",
        "After the visitor clicked \"reject all\", a non-essential cookie was written (set, re-set or refreshed), "
        "or one set before the click was sent to its company afterwards (high). One set before the click and merely "
        "left in the browser is an advisory (info): it was not deleted when the visitor refused.",
        "A refusal must be as effective as acceptance; a cookie written or sent after it is tracking against the "
        "visitor's choice, and leftover identifiers keep tracking possible.",
        "Do not write the cookie after a refusal, stop the tags that send it, and delete non-essential cookies set "
        "before the refusal.", moments=(AFTER_REJECT,)),
    Rule(
        "broker-exposure", "high", broker_exposure,
        "Data broker reached",
        "A request reached a data broker or identity-resolution company, which links identities across sites and "
        "sells or shares profiles.",
        "Visitors rarely expect their visit to feed a broker's profile; brokers are registered as such in some "
        "jurisdictions, and the exposure is worse when identifiers or personal data ride along.",
        "Find which tag brings the broker in (see the chain) and remove it or gate it behind consent.", law=None),
    Rule(
        "id-sync", "high", id_sync,
        "Identifier shared between companies",
        "An identifier one company stored in the browser was sent to another company (\"cookie syncing\"), letting "
        "them link what each knows about the visitor.",
        "Identifier syncing builds cross-site profiles; it needs consent and must be disclosed.",
        "Identify the partner (the receiving domain) and remove the sync or gate it behind consent."),
    Rule(
        "pii-leak", "high", pii_leak,
        "Personal data sent before submitting a form",
        "A value typed into a form field (an e-mail address, phone number or name; leakmap types its own test "
        "values and never submits) was sent to a third party, plainly or hashed, whole or most of it (what a key-logger "
        "had captured so far), before the form was submitted.",
        "Visitors expect what they type to stay on the page until they submit it; hashing an e-mail does not make it "
        "anonymous.",
        "Turn off automatic form-field capture (\"advanced matching\", session replay input recording) for these "
        "fields.", waivable_before_consent=False, law=None),
    Rule(
        "fingerprinting", "high", fingerprinting,
        "Browser fingerprinting",
        "A third-party script used browser features (canvas drawing, fonts, WebGL, audio) in a way that computes a "
        "fingerprint: an identifier that works without cookies and survives clearing them; or it opened a WebRTC "
        "connection without audio or video only to collect the device's network addresses (ICE candidates).",
        "Fingerprinting is covered by the consent requirement and is hard for visitors to escape.",
        "Remove the script, or load it only after consent and only where it is needed (e.g. fraud checks)."),
    Rule(
        "session-replay", "high", session_replay,
        "Session replay",
        "A session-replay service, which records the visitor's clicks, scrolling and typing to replay the visit, "
        "was loaded before consent or after \"reject all\".",
        "Recordings can capture personal data typed into pages and need consent.",
        "Load the recorder only after consent and mask inputs."),
    Rule(
        "consent-signal-mismatch", "high", consent_signal_mismatch,
        "Consent signal contradicts the visitor's choice",
        "A consent signal sent to vendors (the IAB TCF string, or Google Consent Mode) says \"granted\" when the "
        "visitor had not chosen or had refused, or a vendor without TCF consent received data.",
        "Vendors rely on these signals; a wrong signal spreads unlawful processing to every partner.",
        "Fix the consent platform's configuration so the signals follow the visitor's choice (default: denied)."),
    Rule(
        "excessive-cookie-lifetime", "medium", excessive_cookie_lifetime,
        "Cookie kept too long",
        "A non-essential cookie asks to be kept for more than 13 months (or a consent record for more than 6 "
        "months, advisory).",
        "The French regulator (CNIL) recommends at most 13 months for tracking cookies and re-asking consent after "
        "that; other regulators follow similar limits.",
        "Configure the tag's cookie expiry to 13 months or less."),
    Rule(
        "no-reject-option", "medium", no_reject_option,
        "No reject option on the banner",
        "The first layer of the banner offers a button to accept but none to refuse.",
        "Refusing must be as easy as accepting (EDPB guidelines, CNIL decisions); hiding refusal behind settings "
        "is a dark pattern.",
        "Add a \"Reject all\" button next to \"Accept all\", equally visible."),
    Rule(
        "consent-or-pay", "info", consent_or_pay,
        "\"Pay or OK\" wall",
        "Informational: the banner offers to accept tracking or to pay (a subscription, an ad-free plan), and no "
        "free way to refuse. The finding names the paid alternative and its link.",
        "Whether consent given at such a wall is freely given is judged case by case: the EDPB (Opinion 08/2024) "
        "holds that large online platforms should in most cases also offer a free alternative without behavioural "
        "advertising, and national regulators look at whether the paid alternative is a real equivalent at a "
        "reasonable price. A reviewer should see the wall for what it is.",
        "Offer a free refusal beside \"accept\", or document why the paid alternative meets your regulator's "
        "conditions (an equivalent service, a reasonable price, no tracking in it)."),
    Rule(
        "consent-banner-missing", "high", consent_banner_missing,
        "No consent banner",
        "Tracking happened and no consent banner was found on the site.",
        "Without a banner there is no way to consent, so the tracking has no consent.",
        "Add a consent banner and load tracking only after consent, or remove the tracking."),
    Rule(
        "gpc-ignored", "high", gpc_ignored,
        "Global Privacy Control ignored",
        "With the browser sending the Global Privacy Control signal (the visitor's opt-out of sale and sharing), an "
        "advertising, data-broker, social-media or session-replay company still received data from the browser or "
        "stored a cookie in it.",
        "California (CCPA/CPRA), Colorado, Connecticut and other US states make GPC a binding opt-out of selling and "
        "sharing personal data and of targeted advertising; ignoring it is a violation regulators have fined.",
        "Read navigator.globalPrivacyControl (or the Sec-GPC header) before loading advertising, social and "
        "data-broker tags, and treat it as an opt-out: configure the consent platform's GPC support.",
        waivable_before_consent=False, law=US, gpc=True),
    Rule(
        "gpc-signal-mismatch", "high", gpc_signal_mismatch,
        "Opt-out signal contradicts Global Privacy Control",
        "With Global Privacy Control on, the site's own privacy signal to its vendors (its GPP string, or its US "
        "Privacy string) says the visitor did not opt out of sale, sharing or targeted advertising.",
        "Vendors rely on these signals: a string that says \"not opted out\" passes the visitor's data on as if GPC "
        "had not been sent.",
        "Make the consent platform set the US opt-out fields (SaleOptOut, SharingOptOut, TargetedAdvertisingOptOut; "
        "usprivacy 1YYN) when it sees GPC.", waivable_before_consent=False, law=US, gpc=True),
    Rule(
        "gpc-honoured", "info", gpc_honoured,
        "Global Privacy Control honoured",
        "Informational: with Global Privacy Control on, no advertising, data-broker, social-media or session-replay "
        "company received data and the site's own signals said the visitor opted out.",
        "Evidence that the site honours the opt-out preference signal US state laws require it to honour.",
        "Nothing to fix; keep the evidence (what the visit without GPC contacted, the signals the site set).",
        waivable_before_consent=False, law=US, gpc=True),
    Rule(
        "gpc-status-not-displayed", "medium", gpc_status_not_displayed,
        "Opt-out status not shown",
        "With Global Privacy Control on, no page the visitor saw said whether the site honoured the signal (for "
        "example \"Opt-Out Request Honored\", or a toggle showing the opt-out), although the site sells or shares "
        "data (advertising, data-broker, social or session-replay parties without the signal).",
        "California's regulation (Cal. Code Regs. tit. 11, § 7025(c)(6), in force since 2026) requires a business "
        "that processes opt-out preference signals to display whether it processed the visitor's signal as a valid "
        "opt-out.",
        "Show a short status when the browser sends GPC (\"Opt-Out Request Honored\"), or the opt-out toggle in "
        "its opted-out state, where visitors see it; most consent platforms offer it.",
        waivable_before_consent=False, law=US, gpc=True),
    Rule(
        "opt-out-link-missing", "medium", opt_out_link_missing,
        "No \"Do Not Sell or Share\" link",
        "The site sells or shares data and did not honour Global Privacy Control, and no page showed a \"Do Not Sell "
        "or Share My Personal Information\" or \"Your Privacy Choices\" link.",
        "California law (Cal. Civ. Code § 1798.135(a); regulations §§ 7013, 7015, 7026) requires that link from a "
        "business that sells or shares, unless it processes opt-out preference signals in a frictionless manner "
        "(§ 7025(e)), which a site that ignores the signal does not.",
        "Honour Global Privacy Control, or add the link (footer of every page) to an opt-out form.",
        waivable_before_consent=False, law=US, gpc=True),
    Rule(
        "tracking-after-withdrawal", "high", tracking_after_withdrawal,
        "Tracking after consent was withdrawn",
        "The visitor accepted, then withdrew consent through the site's own consent settings (\"reject all\"); "
        "a tracking company still received data from the browser afterwards.",
        "Withdrawing consent must stop the processing it allowed (GDPR art. 7(3)); tracking after it has no legal "
        "basis.",
        "Make the tags follow the consent platform's current state on every page load (not a copy of an earlier "
        "answer), and stop them on the page where consent is withdrawn.", moments=(AFTER_WITHDRAWAL,)),
    Rule(
        "cookie-after-withdrawal", "high", cookie_after_withdrawal,
        "Cookie after consent was withdrawn",
        "After the visitor withdrew consent, a non-essential cookie was written (set, re-set or refreshed), or one "
        "set while consent was given was still sent to its company.",
        "A withdrawal must be as effective as the consent it ends; a cookie written or sent after it keeps tracking "
        "the visitor against their choice.",
        "Stop the tags that write or send the cookie once consent is withdrawn, and delete the cookies they set.",
        moments=(AFTER_WITHDRAWAL,)),
    Rule(
        "withdrawal-not-found", "medium", withdrawal_not_found,
        "No way to withdraw consent",
        "After accepting, the visitor could not find a way to reopen the consent choice: no link, button or floating "
        "button speaking of cookies or consent that opened the consent settings, on the page, on the landing page "
        "or on the cookie or privacy policy page (leakmap may still have withdrawn through the consent platform's "
        "programming interface, which a visitor cannot use). The finding lists the pages looked at.",
        "It must be as easy to withdraw consent as to give it (GDPR art. 7(3); EDPB guidelines 05/2020): a "
        "visitor who cannot find the choice again cannot withdraw it.",
        "Add a permanent \"Cookie settings\" link (footer) or a floating consent button on every page that reopens "
        "the consent choice.", moments=(AFTER_WITHDRAWAL,)),
    Rule(
        "withdrawal-harder-than-consent", "medium", withdrawal_harder_than_consent,
        "Withdrawing harder than consenting",
        "Withdrawing consent took more steps than giving it: going to the page that has the site's own control when "
        "the current one has none, reopening the choice through it, then refusing, against the clicks that accepted "
        "(closing a pop-up that covered a control counts on both sides).",
        "Consent given with one click must be withdrawable just as easily (GDPR art. 7(3); EDPB guidelines 05/2020, "
        "point 114).",
        "Offer a one-step withdrawal: a \"Withdraw consent\" or \"Reject all\" control that refuses at once, "
        "reachable from every page.", moments=(AFTER_WITHDRAWAL,)),
    Rule(
        "cookies-not-deleted-on-withdrawal", "info", cookies_not_deleted_on_withdrawal,
        "Cookies kept after consent was withdrawn",
        "Advisory: cookies set while consent was given stayed in the visitor's browser after the withdrawal (they "
        "were not sent afterwards).",
        "Leftover identifiers keep tracking possible and are not what a visitor who withdrew expects.",
        "Delete the non-essential cookies when consent is withdrawn (most consent platforms can be configured to).",
        moments=(AFTER_WITHDRAWAL,)),
    Rule(
        "cookie-undeclared", "medium", cookie_undeclared,
        "Cookie missing from the site's declaration",
        "A cookie or storage key that is not strictly necessary (judged as every rule judges it: its known purpose, "
        "or the tracking party that set it) was used, but none of the declarations the site publishes names it: "
        "not its consent platform's cookie list, not the cookie table or text of its cookie or privacy policy. "
        "Judged only when the site publishes a declaration and every policy page it links to could be read.",
        "Visitors must be told clearly and completely what is stored on their device and why before they consent "
        "(ePrivacy art. 5(3), GDPR art. 13); an undeclared tracker is one they could not consent to knowingly.",
        "Add the cookie to the declaration (the consent platform's cookie list and the cookie table of the policy), "
        "with its purpose, provider and lifetime; `leakmap declaration` writes the table from what the scan saw."),
    Rule(
        "cookie-declaration-missing", "medium", cookie_declaration_missing,
        "No cookie declaration",
        "The site sets cookies or storage keys that are not strictly necessary, but publishes no cookie declaration "
        "leakmap can read: no cookie list in its consent platform's configuration, no cookie table on the cookie or "
        "privacy policy its pages link to, and no cookie that is not strictly necessary named in that policy's text "
        "(a policy naming only its consent cookie declares no more than that). One finding per site.",
        "Information about every non-essential cookie is required before consent (ePrivacy art. 5(3), GDPR art. 13). "
        "A site that sets only strictly necessary cookies is exempt from consent and from this finding (art. 5(3) "
        "exempts such storage), and a site whose policy page could not be fetched is not judged.",
        "Publish a cookie table on the cookie policy (name, provider, purpose, lifetime) and list the cookies in the "
        "consent platform; `leakmap declaration` writes the table from what the scan saw."),
    Rule(
        "cookie-purpose-mismatch", "high", cookie_purpose_mismatch,
        "Declared purpose contradicts what the cookie does",
        "The site declares a cookie or storage key for a lesser purpose than the one it serves: declared strictly "
        "necessary or functional but judged tracking by its listing or behaviour (high), or declared analytics but "
        "judged advertising (medium). The finding cites the declaration and the verdict. A cookie declared for more "
        "than it does (a session cookie filed under marketing) is not a contradiction.",
        "Strictly necessary cookies need no consent: a tracker declared necessary is set without a choice and "
        "hidden from the visitor's refusal; a mislabelled purpose makes consent uninformed.",
        "Move the cookie to its true category in the consent platform and the policy's table, so it waits for "
        "consent and its purpose is stated truthfully."),
    Rule(
        "cookie-lifetime-mismatch", "info", cookie_lifetime_mismatch,
        "Cookie kept longer than declared",
        "Informational: a cookie asks to be kept longer than every lifetime the site's declarations give it (with a "
        "day of slack), as its raw Set-Cookie or document.cookie attributes ask.",
        "The declared lifetime is part of the information visitors consent on; a longer one is not what they were "
        "told.",
        "Align the cookie's expiry with the declaration (configure the tag's cookie expiry), or correct the "
        "declared lifetime."),
    Rule(
        "third-country-transfer", "info", third_country_transfer,
        "Data sent outside the EEA",
        "Informational: data went to a company headquartered outside the European Economic Area in a country without "
        "an EU adequacy decision (or with a partial one).",
        "Transfers outside the EEA need safeguards (adequacy, standard contractual clauses) and must be disclosed.",
        "Check the vendor's transfer safeguards and list the transfer in the privacy notice."),
)
RULES: dict[str, Rule] = {r.id: r for r in RULE_TABLE}

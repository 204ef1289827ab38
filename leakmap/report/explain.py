"""Each rule in plain language: what it found, why it matters, what to do about it.

Shown next to every finding in the HTML report and used as the rule descriptions of SARIF, so a
reader who is not a privacy engineer can act on a finding. A test checks every rule of the
analysis has an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleText:
    name: str  # a short name
    what: str  # what the rule found, for a non-specialist
    why: str  # why it matters
    fix: str  # what the site owner can do


RULE_TEXT: dict[str, RuleText] = {
    "tracking-before-consent": RuleText(
        "Tracking before consent",
        "A company that tracks visitors (advertising, analytics, social media, data broker, session replay or "
        "fingerprinting) received data from the visitor's browser before the visitor answered the cookie banner.",
        "Under the ePrivacy rules and the GDPR, reading or sending such data needs prior consent; a visitor who has "
        "not answered has not consented.",
        "Load the tag only after consent: gate it in the tag manager or the consent platform's script blocking, "
        "and check it does not fire on the landing page before the click."),
    "cookie-before-consent": RuleText(
        "Cookie before consent",
        "A cookie that is not strictly necessary (advertising, analytics, ...) was stored in the visitor's browser "
        "before the visitor answered the banner.",
        "Storing non-essential cookies requires prior consent (ePrivacy art. 5(3)); regulators fine sites for cookies "
        "set on arrival.",
        "Delay the script or pixel that sets the cookie until consent is given."),
    "storage-before-consent": RuleText(
        "Identifier stored before consent",
        "A tracking script wrote an identifier into the browser's local or session storage before the visitor "
        "answered the banner.",
        "Local storage is covered by the same consent requirement as cookies.",
        "Load the script only after consent."),
    "tracking-after-reject": RuleText(
        "Tracking after \"reject all\"",
        "After the visitor clicked \"reject all\", a tracking company still received data from the browser.",
        "A refusal must be honoured; tracking after it is processing without a legal basis and misleads visitors.",
        "Make the refusal stop the tag: check the consent state before firing, including on later pages."),
    "cookie-after-reject": RuleText(
        "Cookie after \"reject all\"",
        "After the visitor clicked \"reject all\", a non-essential cookie was set, or one set earlier was left in "
        "place.",
        "Refusal must be as effective as acceptance; leftover identifiers keep tracking possible.",
        "Do not set the cookie after a refusal and delete non-essential cookies set before it."),
    "broker-exposure": RuleText(
        "Data broker reached",
        "A request reached a data broker or identity-resolution company, which links identities across sites and "
        "sells or shares profiles.",
        "Visitors rarely expect their visit to feed a broker's profile; brokers are registered as such in some "
        "jurisdictions, and the exposure is worse when identifiers or personal data ride along.",
        "Find which tag brings the broker in (see the chain) and remove it or gate it behind consent."),
    "id-sync": RuleText(
        "Identifier shared between companies",
        "An identifier one company stored in the browser was sent to another company (\"cookie syncing\"), letting "
        "them link what each knows about the visitor.",
        "Identifier syncing builds cross-site profiles; it needs consent and must be disclosed.",
        "Identify the partner (the receiving domain) and remove the sync or gate it behind consent."),
    "pii-leak": RuleText(
        "Personal data sent before submitting a form",
        "A value typed into a form field (an e-mail address, phone number or name; leakmap types its own test "
        "values and never submits) was sent to a third party, plainly or hashed, before the form was submitted.",
        "Visitors expect what they type to stay on the page until they submit it; hashing an e-mail does not make it "
        "anonymous.",
        "Turn off automatic form-field capture (\"advanced matching\", session replay input recording) for these "
        "fields."),
    "fingerprinting": RuleText(
        "Browser fingerprinting",
        "A third-party script used browser features (canvas drawing, fonts, WebGL, audio) in a way that computes a "
        "fingerprint: an identifier that works without cookies and survives clearing them.",
        "Fingerprinting is covered by the consent requirement and is hard for visitors to escape.",
        "Remove the script, or load it only after consent and only where it is needed (e.g. fraud checks)."),
    "session-replay": RuleText(
        "Session replay",
        "A session-replay service, which records the visitor's clicks, scrolling and typing to replay the visit, "
        "was loaded before consent or after \"reject all\".",
        "Recordings can capture personal data typed into pages and need consent.",
        "Load the recorder only after consent and mask inputs."),
    "consent-signal-mismatch": RuleText(
        "Consent signal contradicts the visitor's choice",
        "A consent signal sent to vendors (the IAB TCF string, or Google Consent Mode) says \"granted\" when the "
        "visitor had not chosen or had refused, or a vendor without TCF consent received data.",
        "Vendors rely on these signals; a wrong signal spreads unlawful processing to every partner.",
        "Fix the consent platform's configuration so the signals follow the visitor's choice (default: denied)."),
    "excessive-cookie-lifetime": RuleText(
        "Cookie kept too long",
        "A non-essential cookie asks to be kept for more than 13 months (or a consent record for more than 6 "
        "months, advisory).",
        "The French regulator (CNIL) recommends at most 13 months for tracking cookies and re-asking consent after "
        "that; other regulators follow similar limits.",
        "Configure the tag's cookie expiry to 13 months or less."),
    "no-reject-option": RuleText(
        "No reject option on the banner",
        "The first layer of the banner offers a button to accept but none to refuse.",
        "Refusing must be as easy as accepting (EDPB guidelines, CNIL decisions); hiding refusal behind settings "
        "is a dark pattern.",
        "Add a \"Reject all\" button next to \"Accept all\", equally visible."),
    "consent-banner-missing": RuleText(
        "No consent banner",
        "Tracking happened and no consent banner was found on the site.",
        "Without a banner there is no way to consent, so the tracking has no consent.",
        "Add a consent banner and load tracking only after consent, or remove the tracking."),
    "third-country-transfer": RuleText(
        "Data sent outside the EEA",
        "Informational: data went to a company headquartered outside the European Economic Area in a country without "
        "an EU adequacy decision (or with a partial one).",
        "Transfers outside the EEA need safeguards (adequacy, standard contractual clauses) and must be disclosed.",
        "Check the vendor's transfer safeguards and list the transfer in the privacy notice."),
}


def rule_text(rule: str) -> RuleText:
    return RULE_TEXT.get(rule) or RuleText(rule, f"Rule {rule}.", "", "")

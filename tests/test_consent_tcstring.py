"""leakmap's TC string decoder against the IAB's: the example strings the IAB publishes in its TCF
v2 specifications, and strings encoded by @iabtcf/core in the test web's CMP, decoded by
``leakmap.crawler.consent.signals.decode_tc_string`` and by the IAB's own @iabtcf/core (the
test-only npm package, run with node): every field the rules use must agree."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from leakmap.crawler.consent.signals import decode_tc_string
from tests.conftest import REPO_ROOT

NPM_DIR = REPO_ROOT / "tests/npm"

# Published by the IAB Tech Lab in the TCF v2 specifications (GDPR-Transparency-and-Consent-Framework):
IAB_EXAMPLES = {
    # "Consent string and vendor list formats v2", current text: the TC string format example
    "format-v2": "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA",
    # the same document's earlier example (core + disclosed vendors)
    "format-v2-2020": "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw",
    # "CMP API v2": the TCData example's tcString
    "cmp-api-v2": "CLcVDxRMWfGmWAVAHCENAXCkAKDAADnAABRgA5mdfCKZuYJez-NQm0TBMYA4oCAAGQYIAAAAAAEAIAEgAA.argAC0gAAAAAAAAAAAA",
    # the README of the IAB's @iabtcf/cli
    "iabtcf-cli": "COrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA",
}

FIELDS = ("version", "cmp_id", "cmp_version", "consent_language", "vendor_list_version", "policy_version",
          "publisher_cc", "purposes_consent", "purposes_legitimate_interest", "special_features",
          "vendors_consent", "vendors_legitimate_interest")

_IAB_DECODE = """
import { TCString } from "@iabtcf/core";
const on = (v) => { const out = []; v.forEach((has, id) => { if (has) out.push(id); }); return out; };
const out = {};
for (const s of process.argv.slice(1)) {
  const m = TCString.decode(s);
  out[s] = { version: m.version, cmp_id: m.cmpId, cmp_version: m.cmpVersion, consent_language: m.consentLanguage,
    vendor_list_version: m.vendorListVersion, policy_version: m.policyVersion, publisher_cc: m.publisherCountryCode,
    purposes_consent: on(m.purposeConsents), purposes_legitimate_interest: on(m.purposeLegitimateInterests),
    special_features: on(m.specialFeatureOptins), vendors_consent: on(m.vendorConsents),
    vendors_legitimate_interest: on(m.vendorLegitimateInterests) };
}
console.log(JSON.stringify(out));
"""

_IAB_ENCODE = """
import { GVL, Segment, TCModel, TCString } from "@iabtcf/core";
import { readFileSync } from "node:fs";
const gvl = new GVL(JSON.parse(readFileSync(process.argv[1], "utf8")));
const out = [];
for (const [purposes, vendors, features] of JSON.parse(process.argv[2])) {
  const m = new TCModel(gvl);
  m.cmpId = 412; m.cmpVersion = 3; m.consentScreen = 1; m.publisherCountryCode = "IT"; m.isServiceSpecific = true;
  m.purposeConsents.set(purposes); m.vendorConsents.set(vendors); m.specialFeatureOptins.set(features);
  m.setAllVendorsDisclosed();
  out.push(TCString.encode(m, { segments: [Segment.CORE, Segment.VENDORS_DISCLOSED] }));
}
console.log(JSON.stringify(out));
"""


def node(script: str, *args: str):
    if shutil.which("node") is None or not (NPM_DIR / "node_modules/@iabtcf/core").is_dir():
        pytest.fail("node or the test-only npm packages missing (`npm ci --prefix tests/npm`)")
    result = subprocess.run(["node", "--input-type=module", "-e", script, *args], cwd=NPM_DIR,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_iab_examples_decode_as_the_iab_decoder_reads_them():
    reference = node(_IAB_DECODE, *IAB_EXAMPLES.values())
    for name, tc_string in IAB_EXAMPLES.items():
        ours = decode_tc_string(tc_string)
        assert "error" not in ours, (name, ours)
        theirs = reference[tc_string]
        assert {f: ours[f] for f in FIELDS} == {f: theirs[f] for f in FIELDS}, name


def test_iab_examples_fields():
    """A few values read off the examples, independent of any decoder run here."""
    cmp_api = decode_tc_string(IAB_EXAMPLES["cmp-api-v2"])
    assert (cmp_api["cmp_id"], cmp_api["vendor_list_version"]) == (21, 23)
    assert cmp_api["purposes_consent"] == [1, 3, 9, 10]
    assert cmp_api["vendors_consent"][:8] == [2, 3, 6, 7, 8, 10, 12, 13] and len(cmp_api["vendors_consent"]) == 56
    fmt = decode_tc_string(IAB_EXAMPLES["format-v2-2020"])
    assert (fmt["cmp_id"], fmt["vendor_list_version"], fmt["purposes_consent"], fmt["vendors_consent"]) == (27, 15, [1, 2, 3], [2, 6, 8])
    cli = decode_tc_string(IAB_EXAMPLES["iabtcf-cli"])
    assert (cli["cmp_id"], cli["cmp_version"], cli["consent_language"], cli["publisher_cc"]) == (2, 1, "EN", "ES")
    assert cli["purposes_consent"] == cli["vendors_consent"] == []


def test_strings_encoded_by_iabtcf_core_decode_to_what_was_encoded():
    gvl = REPO_ROOT / "tests/web/cmp/vendor-list.json"
    cases = [([1, 2, 3, 4, 7, 9, 10], [52, 91, 755], [1]), ([], [], []), ([1], [755], [2]), (list(range(1, 12)), [91], [1, 2])]
    encoded = node(_IAB_ENCODE, str(gvl), json.dumps(cases))
    for (purposes, vendors, features), tc_string in zip(cases, encoded, strict=True):
        ours = decode_tc_string(tc_string)
        assert (ours["purposes_consent"], ours["vendors_consent"], ours["special_features"]) == (purposes, vendors, features)
        assert (ours["cmp_id"], ours["cmp_version"], ours["policy_version"], ours["vendor_list_version"]) == (412, 3, 4, 87)
        assert ours["publisher_cc"] == "IT"


def test_junk_is_an_error_not_an_exception():
    assert "error" in decode_tc_string("not a tc string")
    assert "error" in decode_tc_string("")

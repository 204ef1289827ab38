"""The GPP and US Privacy decoder against the GPP specification's examples and the IAB's own
library (npm ``@iabgpp/cmpapi``, pinned in tests/npm): same field layout, same values
for strings that library encoded, in every US section."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from leakmap.analysis.gpp import GppError, decode_gpp, decode_usp, layouts, opt_out_answers

HERE = Path(__file__).parent / "gpp"
TCF_SECTION = "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"  # the GPP spec's TCF EU example


def _node(script: str, stdin: str = "") -> str:
    node = shutil.which("node")
    assert node, "node is needed (it comes with npm: `make tests/npm/node_modules/.installed`)"
    result = subprocess.run([node, str(HERE / script)], input=stdin, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_layouts_are_the_iab_librarys():
    assert {int(k): v for k, v in json.loads(_node("layouts.cjs")).items()} == layouts()


def test_spec_examples():
    one = decode_gpp(f"DBABMA~{TCF_SECTION}")
    assert one["header"] == {"type": 3, "version": 1, "section_ids": [2]}
    assert one["sections"] == {"tcfeuv2": None}
    two = decode_gpp(f"DBACNY~{TCF_SECTION}~1YNN")
    assert two["header"]["section_ids"] == [2, 6]
    assert two["sections"]["uspv1"] == {"Version": 1, "Notice": "Y", "OptOutSale": "N", "LspaCovered": "N"}
    assert opt_out_answers(two) == {"uspv1": {"OptOutSale": "N"}}


def _cases(rng: random.Random) -> list[dict]:
    cases = []
    for spec in layouts().values():
        for gpc in (None, True, False):
            fields: dict = {}
            for field in spec["segments"][0]:
                name, count = field[0], field[2] if len(field) > 2 else None
                if name in ("Version", "MspaVersion"):
                    continue
                low = 1 if name == "MspaCoveredTransaction" else 0
                fields[name] = [rng.randint(0, 2) for _ in range(count)] if count else rng.randint(low, 2)
            second = [f[0] for f in spec["segments"][1]] if len(spec["segments"]) > 1 else []
            if "Gpc" in second and gpc is not None:
                fields.update(GpcSegmentIncluded=True, Gpc=gpc)
            cases.append({"section": spec["name"], "fields": fields})
    cases.append({"section": "usnat", "fields": {"Version": 1, "SaleOptOut": 1, "SharingOptOut": 2,
                                                  "TargetedAdvertisingOptOut": 1, "SensitiveDataProcessing": [1] * 12}})
    return cases


def test_strings_the_iab_library_encoded_decode_alike():
    cases = _cases(random.Random(12))
    encoded = json.loads(_node("encode.cjs", json.dumps(cases)))
    assert len(encoded) == len(cases) > 60
    for case, item in zip(cases, encoded, strict=True):
        ours = decode_gpp(item["gpp"])
        assert not ours["errors"], (case, item["gpp"], ours["errors"])
        assert ours["sections"] == item["decoded"], (case["section"], item["gpp"])


def test_opt_out_answers_of_a_usnat_string():
    encoded = json.loads(_node("encode.cjs", json.dumps([{"section": "usnat", "fields": {
        "SaleOptOut": 1, "SharingOptOut": 1, "TargetedAdvertisingOptOut": 2, "GpcSegmentIncluded": True,
        "Gpc": True}}])))
    assert opt_out_answers(decode_gpp(encoded[0]["gpp"])) == {
        "usnat": {"SaleOptOut": 1, "SharingOptOut": 1, "TargetedAdvertisingOptOut": 2, "Gpc": True}}


@pytest.mark.parametrize("junk", ["", "hello world", "DBABMA", "DBABMA~a~b", "BBABMA~" + TCF_SECTION, "DBABrw~C"])
def test_junk_is_refused(junk):
    with pytest.raises(GppError):
        result = decode_gpp(junk)
        if result["errors"]:  # a section that cannot be read is an error of that section
            raise GppError(result["errors"])


def test_us_privacy_strings():
    assert decode_usp("1YYN") == {"Version": 1, "Notice": "Y", "OptOutSale": "Y", "LspaCovered": "N"}
    assert decode_usp("1---")["OptOutSale"] == "-"
    for junk in ("1YY", "YYYN", "1YXN", ""):
        with pytest.raises(GppError):
            decode_usp(junk)

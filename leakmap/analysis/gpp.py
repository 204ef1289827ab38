"""What a site tells its vendors about a visitor's US opt-outs: GPP strings and US Privacy strings.

A GPP string (IAB Global Privacy Platform) is ``header~section~section...``: the header lists
the ids of the sections that follow (a Fibonacci-coded range), each section is base64url bit
fields, in segments split by ``.`` (the US sections' optional second segment carries the
``Gpc`` flag the CMP saw). The opt-out fields read 0 (not applicable), 1 (opted out) or 2 (did
not opt out). The US Privacy string (``__uspapi``, the ``usprivacy`` cookie, GPP section
``uspv1``) is four characters: version, notice given, opted out of sale, LSPA covered
(``1YYN``: opted out).

No GPP decoder is published on PyPI; the IAB maintains one in JavaScript only (npm
``@iabgpp/cmpapi``, no browser bundle). So the field layout of every US section is that
library's own, exported to ``gpp_sections.json`` by ``tests/gpp/layouts.cjs`` (a test
checks the file still equals the pinned library), and the tests decode strings the library
encoded, next to the GPP specification's examples.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {c: i for i, c in enumerate(_B64)}
OPT_OUTS = ("SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut")
OPTED_OUT = 1


class GppError(ValueError):
    """The string is not a GPP (or US Privacy) string this decoder can read."""


@lru_cache(maxsize=1)
def layouts() -> dict[int, dict[str, Any]]:
    """Section id -> {"name", "version", "segments": [[field, bits(, count)], ...]} (the US sections)."""
    raw = json.loads(files("leakmap.analysis").joinpath("gpp_sections.json").read_text())
    return {int(k): v for k, v in raw.items()}


SECTION_NAMES = {2: "tcfeuv2", 5: "tcfcav1", 6: "uspv1"}


def section_name(section_id: int) -> str:
    return SECTION_NAMES.get(section_id) or layouts().get(section_id, {}).get("name") or f"section-{section_id}"


def _bits(text: str) -> str:
    try:
        return "".join(format(_VALUE[c], "06b") for c in text)
    except KeyError:
        raise GppError(f"not base64url: {text[:40]!r}") from None


class _Reader:
    def __init__(self, bits: str):
        self.bits, self.at = bits, 0

    def int(self, width: int) -> int:
        if self.at + width > len(self.bits):
            raise GppError("the string is shorter than its fields")
        value = int(self.bits[self.at:self.at + width], 2) if width else 0
        self.at += width
        return value

    def fibonacci(self) -> int:
        """A Fibonacci-coded integer: bit i adds F(i+2) (1, 2, 3, 5, ...), ``11`` ends it."""
        end = self.bits.find("11", self.at)
        if end < 0:
            raise GppError("unterminated Fibonacci integer")
        value, a, b = 0, 1, 2
        for bit in self.bits[self.at:end + 1]:
            if bit == "1":
                value += a
            a, b = b, a + b
        self.at = end + 2
        return value


def _section_ids(reader: _Reader) -> list[int]:
    """The header's Fibonacci range: 12-bit count, then single ids or ranges, each an offset from the last."""
    ids: list[int] = []
    last = 0
    for _ in range(reader.int(12)):
        if reader.int(1):
            start = last + reader.fibonacci()
            end = start + reader.fibonacci()
            ids.extend(range(start, end + 1))
            last = end
        else:
            last += reader.fibonacci()
            ids.append(last)
    return ids


def _fields(reader: _Reader, layout: list[list[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in layout:
        name, width = field[0], field[1]
        if len(field) > 2:
            out[name] = [reader.int(width) for _ in range(field[2])]
        elif width == 1 and name == "Gpc":
            out[name] = bool(reader.int(1))
        else:
            out[name] = reader.int(width)
    return out


def _usnat_v1(layout: list[list[Any]]) -> list[list[Any]]:
    """usnat version 1 had 12 sensitive-data categories and 2 child ones (version 2: 16 and 3)."""
    short = {"SensitiveDataProcessing": 12, "KnownChildSensitiveDataConsents": 2}
    return [[f[0], f[1], short[f[0]]] if f[0] in short else f for f in layout]


def decode_section(section_id: int, text: str) -> dict[str, Any]:
    """The fields of one US section (its core segment, and its second segment when present)."""
    if section_id == 6:
        return decode_usp(text)
    spec = layouts().get(section_id)
    if spec is None:
        raise GppError(f"section {section_id} is not a US section")
    segments = text.split(".")
    core_layout = spec["segments"][0]
    reader = _Reader(_bits(segments[0]))
    if spec["name"] == "usnat" and reader.bits[:6] == format(1, "06b"):
        core_layout = _usnat_v1(core_layout)
    out = _fields(reader, core_layout)
    if len(segments) > 1 and len(spec["segments"]) > 1:
        out.update(_fields(_Reader(_bits(segments[1])), spec["segments"][1]))
    return out


def decode_gpp(gpp: str) -> dict[str, Any]:
    """``{"header": {"type", "version", "section_ids"}, "sections": {name: fields}, "errors": {name: why}}``:
    every US section decoded; others (TCF EU/CA) only named."""
    parts = (gpp or "").strip().split("~")
    header = _Reader(_bits(parts[0]))
    kind, version = header.int(6), header.int(6)
    if kind != 3:
        raise GppError(f"not a GPP string (header type {kind}, expected 3)")
    ids = _section_ids(header)
    if len(ids) != len(parts) - 1:
        raise GppError(f"the header lists {len(ids)} section(s) but {len(parts) - 1} follow")
    sections: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for section_id, text in zip(ids, parts[1:], strict=True):
        name = section_name(section_id)
        if section_id != 6 and section_id not in layouts():
            sections[name] = None  # not a US section: named, not decoded here
            continue
        try:
            sections[name] = decode_section(section_id, text)
        except GppError as exc:
            errors[name] = str(exc)
    return {"header": {"type": kind, "version": version, "section_ids": ids}, "sections": sections, "errors": errors}


def decode_usp(usp: str) -> dict[str, Any]:
    """A US Privacy string (``1YYN``): version, notice, opt-out of sale, LSPA; ``-`` means not applicable."""
    text = (usp or "").strip()
    if len(text) != 4 or not text[0].isdigit() or any(c not in "YN-" for c in text[1:]):
        raise GppError(f"not a US Privacy string: {text[:20]!r}")
    return {"Version": int(text[0]), "Notice": text[1], "OptOutSale": text[2], "LspaCovered": text[3]}


def opt_out_answers(decoded: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Section name -> its opt-out fields (``SaleOptOut``... and ``Gpc``), for the US sections of a
    decoded GPP string; uspv1 gives ``OptOutSale``."""
    out = {}
    for name, fields in (decoded.get("sections") or {}).items():
        if not isinstance(fields, dict):
            continue
        keep = {k: fields[k] for k in (*OPT_OUTS, "Gpc", "OptOutSale") if k in fields}
        if keep:
            out[name] = keep
    return out

"""Third-party notices: what leakmap ships that others made and what it fetches at run time.

One source of truth, ``notices.toml`` beside this module, plus the consent vocabulary's own list
of the language packs its texts come from. ``THIRD_PARTY_NOTICES.md`` at the top of the
repository (and in the wheel's licence files) and ``leakmap lists show --json`` are generated
from it (``python -m leakmap.notices --write``; a test checks the file is current), so the
licence facts a user reads and a script reads cannot disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

NOTICES_FILE = Path(__file__).resolve().parents[1] / "THIRD_PARTY_NOTICES.md"
LICENSES = "licenses"  # licence texts that travel with what they cover (leakmap/licenses/)


@dataclass(frozen=True)
class Notice:
    """One thing made by others: what it is, under which licence, where it comes from."""

    name: str
    license: str
    kind: str  # "bundled": in the wheel; "fetched": obtained at run time, never shipped
    files: tuple[str, ...] = ()  # what in the package it covers (bundled)
    copyright: str = ""
    source: str = ""
    what: str = ""
    how: str = ""  # how it is obtained (fetched)
    license_file: str = ""  # path of its licence text in the package, when the licence asks for one


def _resource(path: str) -> str:
    return resources.files("leakmap").joinpath(path.removeprefix("leakmap/")).read_text(encoding="utf-8")


def _vocabulary_notices() -> list[Notice]:
    """The language packs the consent vocabulary quotes texts from (its own record of them)."""
    vocab = json.loads(_resource("crawler/consent/data/vocabulary.json"))
    out = []
    for package, src in vocab["sources"].items():
        if package == "leakmap":
            continue
        slug = package.lstrip("@").replace("/", "-")
        license_file = f"leakmap/{LICENSES}/{slug}.txt" if src.get("license_file") else ""
        copyright_ = ""
        if license_file:
            copyright_ = next((line.strip().removeprefix("Copyright (c)").strip()
                               for line in _resource(license_file).splitlines() if line.strip().startswith("Copyright")), "")
        out.append(Notice(f"{package} {src['version']} (consent banner texts)", src["license"], "bundled",
                          ("leakmap/crawler/consent/data/vocabulary.json",), copyright_,
                          f"npm package {package} {src['version']}, {src['path']}",
                          f"Button texts of its language packs ({src['what']}).", license_file=license_file))
    return out


def notices() -> list[Notice]:
    data = tomllib.loads(_resource("notices.toml"))
    out: list[Notice] = []
    for kind in ("bundled", "fetched"):
        for entry in data[kind]:
            entry = dict(entry)
            if entry.pop("version_from", None) == "autoconsent":
                from leakmap.crawler.consent.bundle import PACKAGE, VERSION

                entry["name"] += f" {PACKAGE} {VERSION}"
            out.append(Notice(kind=kind, **{**entry, "files": tuple(entry.get("files", ()))}))
        if kind == "bundled":
            out += _vocabulary_notices()
    return out


def as_json() -> list[dict]:
    """The notices for ``lists show --json``."""
    return [{**asdict(n), "files": list(n.files)} for n in notices()]


def markdown() -> str:
    lines = ["# Third-party notices", "",
             "leakmap is licensed under the Apache License 2.0 (`LICENSE`). This file lists what it ships that",
             "others made, and what it obtains at run time without shipping it. Generated from",
             "`leakmap/notices.toml` by `python -m leakmap.notices --write`; do not edit by hand. The same facts:",
             "`leakmap lists show --json` (`notices`).", ""]
    for kind, title in (("bundled", "In the package"), ("fetched", "Obtained at run time, never shipped")):
        lines += [f"## {title}", ""]
        for n in (n for n in notices() if n.kind == kind):
            lines += [f"### {n.name}", "", f"- Licence: {n.license}"]
            lines += [f"- Copyright: {n.copyright}"] * bool(n.copyright)
            lines += [f"- Source: {n.source}"] * bool(n.source)
            lines += [f"- Files: {', '.join(f'`{f}`' for f in n.files)}"] * bool(n.files)
            lines += [f"- How: {n.how}"] * bool(n.how)
            lines += [f"- Licence text: `{n.license_file}`"] * bool(n.license_file)
            lines += ["", " ".join(n.what.split()), ""] if n.what else [""]
    texts = [n for n in notices() if n.license_file]
    lines += ["## Licence texts", ""]
    for n in texts:
        lines += [f"### {n.name}", "", "```", _resource(n.license_file).rstrip("\n"), "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite THIRD_PARTY_NOTICES.md")
    args = parser.parse_args(argv)
    text = markdown()
    if args.write:
        NOTICES_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {NOTICES_FILE}")
        return 0
    if not NOTICES_FILE.exists() or NOTICES_FILE.read_text(encoding="utf-8") != text:
        print(f"{NOTICES_FILE} is out of date: python -m leakmap.notices --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

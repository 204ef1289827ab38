"""The consent heuristic's button vocabulary against the consent platforms' own language packs.

The packs are read from the installed test npm packages (``tests/npm``), not from the
shipped data file, so a text the generator loses makes these tests fail; the page-side
normalisation (``heuristic.NORMALISE_JS``, run here in Node's V8 like in Chromium's) is the one
applied to every pack text before it is looked up.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from leakmap.crawler.consent import texts
from leakmap.crawler.consent.heuristic import NORMALISE_JS
from leakmap.crawler.consent.packs import NODE_MODULES, PACKS, Label, package_info, read_packs
from leakmap.crawler.consent.vocabulary import DATA, ROLES, Vocabulary, normalise, vocabulary
from leakmap.crawler.consent.vocabulary_build import build, render, shown

NPM_DIR = Path(__file__).parent / "npm"
EU_LANGUAGES = "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()
PERMISSIVE = {"MIT", "BSD-3-Clause", "Apache-2.0"}


@pytest.fixture(scope="module")
def labels() -> list[Label]:
    missing = [p.package for p in PACKS if not (NODE_MODULES / p.package / "package.json").is_file()]
    if missing or shutil.which("node") is None:
        pytest.fail(f"test npm packages missing ({', '.join(missing) or 'node'}): run `npm ci --prefix tests/npm`")
    return read_packs()


def page_normalise(strings: list[str]) -> list[str]:
    """What the heuristic's page script makes of these button texts."""
    script = f"const norm = {NORMALISE_JS};\n" + \
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n" + \
        "process.stdout.write(JSON.stringify(input.map(norm)));"
    proc = subprocess.run(["node", "-e", script], input=json.dumps(strings), capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(proc.stdout)


def test_the_packs_are_read_with_their_real_texts(labels):
    """Each reader finds its platform's languages and the very texts the platform shows."""
    by = {(lab.package, lab.language, lab.key): lab.raw for lab in labels}
    files = {p.package: {lab.file for lab in labels if lab.package == p.package} for p in PACKS}
    assert len(files["tarteaucitronjs"]) >= 35 and len(files["klaro"]) >= 24
    assert len(files["@c15t/translations"]) >= 35 and len(files["@68publishers/cookie-consent"]) >= 20
    assert len(files["cookie-consent-js"]) >= 9 and len(files["cookieconsent"]) == 1
    assert by[("tarteaucitronjs", "de", "denyAll")] == "Verbiete alle Cookies"
    assert by[("tarteaucitronjs", "el", "denyAll")] == "Απόρριψε όλα τα &quot;μπισκότα&quot; (cookies)"
    assert by[("klaro", "de", "decline")] == "Ich lehne ab"
    assert by[("klaro", "en", "consentNotice.learnMore")] == "Let me choose"
    assert by[("@c15t/translations", "de", "common.rejectAll")] == "Alle ablehnen"
    assert by[("@68publishers/cookie-consent", "de", "consent_modal_secondary_btn_accept_necessary")] == \
        "Notwendig akzeptieren"
    assert by[("cookie-consent-js", "cs", "buttonAcceptAll")]  # cz.json, filed under its ISO code
    assert by[("cookieconsent", "en", "deny")] == "Decline"


@pytest.mark.parametrize("role", ROLES)
def test_every_pack_text_is_recognised_in_its_role(labels, role):
    """Every accept / reject / settings / save text of every language of every pack, as its button
    shows it and normalised by the page script, is in the vocabulary under that role: a text two
    packs disagree on is in no role (and the data file says why)."""
    words = vocabulary()
    mine = [lab for lab in labels if lab.role == role and lab.raw.strip()]
    assert mine
    dropped = {(d["text"], d["role"]) for d in json.loads(DATA.read_text(encoding="utf-8"))["dropped"]}
    missed = []
    for label, text in zip(mine, page_normalise([shown(lab.raw) for lab in mine]), strict=True):
        if text in getattr(words, role):
            continue
        disagreement = (text, role) in dropped and not any(text in getattr(words, r) for r in ROLES)
        if not disagreement:
            missed.append((label.package, label.file, label.key, label.raw, text))
    assert not missed, missed


def test_the_generator_reproduces_the_shipped_file(labels):
    """Run on the installed packs and texts.py, the generator writes the committed file byte for byte."""
    assert render(build(labels)) == DATA.read_text(encoding="utf-8"), \
        "data/vocabulary.json is stale: python -m leakmap.crawler.consent.vocabulary_build"


def test_eu_and_eea_languages_have_accept_and_reject():
    languages = json.loads(DATA.read_text(encoding="utf-8"))["languages"]
    for code in [*EU_LANGUAGES, "is", "no", "nb"]:
        assert languages.get(code, {}).get("accept") and languages[code].get("reject"), code


def test_sources_are_pinned_and_permissively_licensed(labels):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    pinned = json.loads((NPM_DIR / "package.json").read_text())["dependencies"]
    used = {lab.package for lab in labels}
    assert set(data["sources"]) == {"leakmap"} | used
    for pack in PACKS:
        source, info = data["sources"][pack.package], package_info(pack.package)
        assert source["version"] == info.version == pinned[pack.package]
        assert source["license"] == info.license and info.license in PERMISSIVE
    # every entry names its sources, all of them listed
    for roles in data["languages"].values():
        for entries in roles.values():
            for refs in entries.values():
                assert refs and {ref.split(" ")[0] for ref in refs} <= set(data["sources"])


def test_page_and_python_normalise_alike(labels):
    """The generator's normalisation (Python) and the page script's (JS) agree on every pack text
    and on the awkward cases: ticks and arrows, no-break spaces, Greek final sigma, Turkish dotted I."""
    samples = [shown(lab.raw) for lab in labels] + [
        "  ✓ Alle akzeptieren! ", "\u00a0Tout\u00a0refuser\n", "« Refuser »", "→ Weiter.", "ΑΠΟΔΟΧΗ ΟΛΩΝ ΤΩΝ ΕΠΙΛΟΓΩΝ",
        "ΟΛΟΥΣ ΤΟΥΣ", "TÜMÜNÜ KABUL ET", "İzin ver", "Reject\tall", "'OK'"]
    assert page_normalise(samples) == [normalise(s) for s in samples]


def _label(package: str, role: str, raw: str, language: str = "xx") -> Label:
    return Label(package, f"lang/{language}.json", language, role, f"{role}Button", raw)


def test_a_text_two_packs_disagree_on_is_dropped_or_settled_by_the_curated_list(labels):
    a, b = PACKS[0].package, PACKS[1].package
    data = build([
        _label(a, "accept", "Zgoda na wszystko"), _label(b, "reject", "Zgoda na wszystko"),  # accept vs reject: dropped
        _label(a, "save", "Potwierdź"), _label(b, "accept", "Potwierdź"),  # save vs accept: dropped too
        _label(a, "reject", "OK"),  # curated: accept
        _label(a, "reject", "Odrzuć wszystko"), _label(b, "reject", "Odrzuć wszystko", "pl"),  # agree: kept in both
    ])
    languages = data["languages"]
    words = {role: {t for roles in languages.values() for t in roles.get(role, {})} for role in ROLES}
    assert not any("zgoda na wszystko" in w or "potwierdź" in w for w in words.values())
    assert "ok" in words["accept"] and "ok" not in words["reject"]
    assert languages["xx"]["reject"]["odrzuć wszystko"] == [f"{a} lang/xx.json rejectButton"]
    assert languages["pl"]["reject"]["odrzuć wszystko"] == [f"{b} lang/pl.json rejectButton"]
    reasons = {(d["text"], d["role"]): d["reason"] for d in data["dropped"]}
    assert reasons[("zgoda na wszystko", "accept")] == reasons[("zgoda na wszystko", "reject")] == \
        "the packs disagree: accept / reject"
    assert reasons[("potwierdź", "save")] == "the packs disagree: accept / save"
    assert reasons[("ok", "reject")] == "leakmap's curated list has it as accept"


def test_markup_entities_and_placeholders(labels):
    data = build([
        _label(PACKS[0].package, "reject", "<b>Tout</b> refuser &amp; fermer"),
        _label(PACKS[0].package, "accept", "Accept %s cookies"),
        _label(PACKS[0].package, "accept", "Accept {{count}} partners"),
        _label(PACKS[0].package, "accept", "Accept {category}"),
        _label(PACKS[0].package, "reject", "   "),
    ])
    assert list(data["languages"]["xx"]) == ["reject"]
    assert list(data["languages"]["xx"]["reject"]) == ["tout refuser & fermer"]
    assert sorted(d["reason"] for d in data["dropped"]) == ["empty in the pack"] + ["holds a placeholder the site fills in"] * 3


def test_curated_texts_keep_their_place_ahead_of_pack_texts(tmp_path):
    """The heuristic prefers earlier texts when two buttons match: leakmap's curated order leads."""
    words = vocabulary()
    assert words.accept[:len(texts.ACCEPT["en"])] == texts.ACCEPT["en"]
    assert words.reject[:len(texts.REJECT["en"])] == texts.REJECT["en"]
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"languages": {"en": {"accept": {"ok": [], "yes": []}}, "de": {"accept": {"ok": [], "ja": []}}}}))
    assert Vocabulary.load(path).accept == ("ok", "yes", "ja")

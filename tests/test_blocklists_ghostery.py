"""The curated entity map is checked, not trusted: every owner and category is compared with
Ghostery TrackerDB (CC BY-NC-SA, test-only npm package) wherever it covers the domain.

Every disagreement must be either fixed in the data or listed, with a reason, in
``tests/data/ghostery-reviewed.toml`` (it quotes Ghostery's values, so it stays with the
tests, out of the installed knowledge); a listed entry that no longer disagrees fails too, so the
review list stays current.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata

from leakmap.blocklists.bundled import load_bundle
from tests.conftest import TEST_DATA

# Ghostery's 11 coarse categories that are consistent with each of ours. "misc" is Ghostery's
# catch-all and is consistent with anything.
COMPATIBLE: dict[str, set[str]] = {
    "advertising": {"advertising", "pornvertising"},
    "analytics": {"site_analytics"},
    "social": {"social_media"},
    "data-broker": {"advertising", "site_analytics"},
    "session-replay": {"site_analytics", "customer_interaction"},
    "fingerprinting": {"site_analytics", "advertising", "utilities"},
    "cdn": {"hosting", "utilities"},
    "hosting": {"hosting", "utilities"},
    "payment": {"utilities", "customer_interaction"},  # checkout widgets
    "anti-fraud": {"utilities", "site_analytics", "advertising"},  # device signals, ad fraud
    "consent-management": {"consent", "utilities"},
    "tag-manager": {"utilities", "site_analytics"},
    "customer-interaction": {"customer_interaction", "utilities"},
    "embedded-content": {"audio_video_player", "customer_interaction", "social_media", "utilities"},
    "monitoring": {"utilities", "site_analytics", "hosting"},
    "geolocation": {"utilities", "site_analytics", "advertising"},  # an IP lookup API, also sold for ad targeting
    "identity-verification": {"utilities", "customer_interaction"},
}
_LEGAL = {"inc", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "sa", "sas", "se", "ag",
          "gmbh", "plc", "bv", "nv", "pte", "holdings", "holding", "group", "as", "aps", "ab", "sro", "spa",
          "sl", "srl", "lp", "pbc", "doo", "ou", "technologies", "technology", "com"}


def _norm(name: str) -> str:
    """Compare company names without case, punctuation, accents and legal-form words."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    plain = plain.replace(".com", " ").replace("&", "and").replace(".", "")  # "QQ.com", "S.A."
    tokens = re.split(r"[^a-z0-9]+", plain)
    return "".join(t for t in tokens if t and t not in _LEGAL)


def same_owner(ghostery_org: str, names: set[str]) -> bool:
    """Ghostery's organisation is the entity, its parent, or one of its brand/former names."""
    g = _norm(ghostery_org)
    return bool(g) and any(g == n for n in names)


def disagreements(trackerdb: dict) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str], int]:
    """(domain, field) pairs where the bundled map and Ghostery disagree, what Ghostery says, coverage."""
    found: dict[tuple[str, str], str] = {}
    covered = 0
    for ent in load_bundle().entities:
        names = {_norm(n) for n in (ent.name, ent.parent or "", *ent.aka) if n}
        for domain, cats in ent.domains.items():
            pattern_id = trackerdb["domains"].get(domain)
            if not pattern_id:
                continue
            covered += 1
            pattern = trackerdb["patterns"][pattern_id]
            org = trackerdb["organizations"].get(pattern.get("organization") or "", {}).get("name") or pattern["name"]
            if not same_owner(org, names):
                found[(domain, "owner")] = org
            gcat = pattern["category"]
            if gcat != "misc" and not any(gcat in COMPATIBLE[c] for c in cats):
                found[(domain, "category")] = gcat
    return set(found), found, covered


def reviewed() -> dict[tuple[str, str], dict]:
    text = (TEST_DATA / "ghostery-reviewed.toml").read_text(encoding="utf-8")
    out = {}
    for entry in tomllib.loads(text)["disagreement"]:
        assert entry.get("reason", "").strip(), f"reviewed entry without a reason: {entry}"
        assert entry["field"] in ("owner", "category"), entry
        out[(entry["domain"], entry["field"])] = entry
    return out


def test_every_disagreement_with_ghostery_is_fixed_or_reviewed(trackerdb_json):
    db = json.loads(trackerdb_json.read_text())
    found, says, covered = disagreements(db)
    assert covered >= 300, f"Ghostery covers only {covered} bundled domains: the check would be weak"
    review = reviewed()
    unreviewed = sorted(found - set(review))
    assert not unreviewed, "unreviewed disagreements with Ghostery TrackerDB:\n" + "\n".join(
        f"  {d} {f}: ghostery says {says[(d, f)]!r}" for d, f in unreviewed)
    stale = sorted(set(review) - found)
    assert not stale, f"reviewed entries that no longer disagree (remove them): {stale}"
    for key, entry in review.items():
        assert entry["ghostery"] == says[key], f"{key}: Ghostery now says {says[key]!r}, review says {entry['ghostery']!r}"
    print(f"Ghostery covers {covered} bundled domains; {len(found)} reviewed disagreements")


def test_owner_matching_is_not_trivially_true():
    assert same_owner("Google", {_norm("Google LLC")})
    assert same_owner("theTradeDesk", {_norm("The Trade Desk, Inc.")})
    assert not same_owner("Nexxen", {_norm("Magnite, Inc."), _norm("Rubicon Project")})

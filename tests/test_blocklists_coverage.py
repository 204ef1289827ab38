"""How much of the web's common tracking the bundled (permissive, offline) map knows, measured on
real reference lists kept under ``tests/data``:

- the 500 most prevalent third-party tracking domains of DuckDuckGo's Tracker Radar (the names only);
- the California data broker registry (Apache-2.0, CalMatters / The Markup): the registry entries
  that name a website, linked to an entity with at least one domain collecting for it.

The registry links are also checked for truth: every claimed registration exists under that id and
name, and a registration never makes a company's CDN, consent or forms domains "brokers".
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from leakmap.blocklists import Knowledge
from leakmap.blocklists.bundled import load_bundle
from leakmap.blocklists.domains import registrable_domain
from leakmap.blocklists.facts import REGISTRIES
from leakmap.blocklists.taxonomy import TRACKING_CATEGORIES
from tests.conftest import TEST_DATA

TOP_TRACKERS = TEST_DATA / "tracker-radar-top500.txt"
CA_REGISTRY = TEST_DATA / "ca-data-broker-registry-2025.csv"


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> Knowledge:
    return Knowledge.load(root=tmp_path_factory.mktemp("empty-cache"))  # the bundled map alone


def top_trackers(path: Path = TOP_TRACKERS) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def ca_rows() -> dict[str, dict]:
    with open(CA_REGISTRY, newline="", encoding="utf-8") as fh:
        return {row["order_original"]: row for row in csv.DictReader(fh)}


def test_the_reference_lists_are_what_the_tests_say():
    domains = top_trackers()
    assert len(domains) == 500 and len(set(domains)) == 500
    assert all(registrable_domain(d) == d for d in domains)
    assert len(ca_rows()) == 499


def test_the_bundled_map_knows_97_percent_of_the_500_most_prevalent_trackers(kb):
    domains = top_trackers()
    known = [d for d in domains if kb.classify(d).entity and kb.classify(d).categories]
    missing = [d for d in domains if d not in known]
    share = len(known) / len(domains)
    print(f"owner and categories for {len(known)}/{len(domains)} ({share:.1%}); "
          f"top 100: {sum(1 for d in domains[:100] if d in known)}%; missing: {missing}")
    assert share >= 0.97, f"only {share:.1%} of the 500 most prevalent trackers are known; missing: {missing}"
    assert not [d for d in domains[:100] if d not in known], "every one of the 100 most prevalent is known"
    # the known ones come from the bundled, permissive source
    assert all(kb.classify(d).sources == ("leakmap",) for d in known)


def _linked_rows(entities) -> set[str]:
    """Registry ids claimed by an entity that has at least one domain collecting for it."""
    return {r.id for e in entities if any(e.collects(d) for d in e.domains) for r in e.registered("ca")}


def test_broker_links_cover_60_percent_of_the_california_registry():
    rows = ca_rows()
    with_site = {i for i, r in rows.items() if r["hostname_original"].strip()}
    linked = _linked_rows(load_bundle().entities) & with_site
    share = len(linked) / len(with_site)
    print(f"California registry entries naming a website linked to collection domains: "
          f"{len(linked)}/{len(with_site)} ({share:.1%})")
    assert share >= 0.60


def test_every_claimed_registration_is_in_the_registry_under_that_id_and_name():
    rows = ca_rows()
    claims = [(e, r) for e in load_bundle().entities for r in e.registrations]
    assert {r.registry for _, r in claims} <= set(REGISTRIES)
    ca = [(e, r) for e, r in claims if r.registry == "ca"]
    assert len(ca) >= 300
    wrong = [(e.name, r.id, r.name) for e, r in ca if r.id not in rows or rows[r.id]["company_name"] != r.name]
    assert not wrong, f"claimed registrations not in the registry under that id and name: {wrong}"
    ids = [r.id for _, r in ca]
    assert len(ids) == len(set(ids)), "one registry entry claimed by two entities"
    # each claim names the same company: a word of the registered name, or the registered web site
    unrelated = []
    for e, r in ca:
        names = " ".join((e.name, *e.aka)).lower()
        site = registrable_domain(rows[r.id]["hostname_original"])
        if site not in e.domains and not any(w in names for w in re.findall(r"[a-z0-9]{4,}", r.name.lower())):
            unrelated.append((e.name, r.name))
    assert not unrelated, unrelated
    vt = [r for _, r in claims if r.registry == "vt"]
    assert vt and all(r.id.isdigit() and r.url.endswith(f"businessID={r.id}") for r in vt)


def test_a_registration_never_makes_cdn_consent_or_forms_domains_brokers(kb):
    plumbing = {"cdn", "hosting", "consent-management", "necessary"}
    for ent in load_bundle().entities:
        for domain, cats in ent.domains.items():
            if not set(cats) & TRACKING_CATEGORIES and domain not in ent.collecting:
                assert not ent.collects(domain), (ent.name, domain, cats)
                assert not kb.classify(domain).broker, (ent.name, domain, cats)
            if set(cats) <= plumbing:
                assert not ent.collects(domain), (ent.name, domain, cats)
    # HubSpot is a registered broker (Clearbit): its banner CDN and form scripts are not
    assert not kb.classify("js.hs-banner.com").broker and not kb.classify("js.hsforms.net").broker
    assert kb.classify("x.clearbitjs.com").broker
    # LiveRamp's consent tool is not LiveRamp's identity graph
    pm = kb.classify("gdpr-wrapper.privacymanager.io")
    assert pm.categories == ("consent-management",) and not pm.broker
    rl = kb.classify("idsync.rlcdn.com")
    assert rl.broker and [r.name for o in rl.opinions for r in o.registrations] == ["LiveRamp, Inc."]


# a registered company's host that collects for it, with what it is for (issue 22): a broker's host
# by the registration, tracking only by behaviour (its purpose is no tracking category)
COLLECTING = {"ipapi.co": ("geolocation", "Kloudend, Inc."),
              "services.sheerid.com": ("identity-verification", "SheerID, Inc."),
              "h.online-metrix.net": ("anti-fraud", "LexisNexis Risk Solutions FL Inc."),
              "mpsnare.iesnare.com": ("anti-fraud", "Trans Union LLC"),
              "forms.hsforms.com": ("customer-interaction", "HubSpot, Inc.")}


@pytest.mark.parametrize("host", sorted(COLLECTING))
def test_a_registered_hosts_purpose_comes_from_the_host(kb, host):
    purpose, registered = COLLECTING[host]
    c = kb.classify(host)
    assert c.categories == (purpose,) and c.broker
    assert registered in [r.name for o in c.opinions for r in o.registrations]
    assert not set(c.categories) & TRACKING_CATEGORIES  # tracking only by what it does


def test_explain_json_shows_purpose_and_registration():
    from click.testing import CliRunner

    from leakmap.cli import main

    out = CliRunner().invoke(main, ["lists", "explain", "ipapi.co", "--json"], catch_exceptions=False).output
    [verdict] = [f for f in json.loads(out)["facts"] if "purpose" in f["detail"]]
    assert verdict["detail"]["purpose"] == ["geolocation"] and verdict["detail"]["tracking_by_listing"] is False
    assert verdict["detail"]["broker"] is True
    assert verdict["detail"]["registrations"] == [{"registry": "ca", "id": "141", "name": "Kloudend, Inc."}]
    assert "data broker host by registration" in verdict["what"] and "not tracking by its listing" in verdict["what"]


def test_azerion_ad_exchange_is_not_the_registered_hybrid_theory(kb):
    for host in ("ad.360yield.com", "improvedigital.com"):
        c = kb.classify(host)
        assert c.owner == "Azerion Group N.V." and not c.broker and not any(o.registrations for o in c.opinions)
    ht = kb.classify("www.hybridtheory.com")
    assert ht.broker and ht.parent == "Azerion Group N.V."
    assert [(r.registry, r.name) for r in ht.opinions[0].registrations] == [("ca", "Azerion US Inc.")]


def test_quantcast_choice_is_inmobis_consent_tool(kb):
    for host in ("cmp.quantcast.com", "quantcast.mgr.consensu.org", "cmp.inmobi.com"):
        c = kb.classify(host)
        assert c.entity == "InMobi Pte. Ltd." and c.categories == ("consent-management",), host
    assert kb.classify("secure.quantserve.com").entity == "Quantcast Corporation"
    assert "consent-management" not in kb.classify("www.quantcast.com").categories

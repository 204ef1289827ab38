"""``third-country-transfer`` (info): requests to a recipient headquartered outside the EEA
without a full adequacy decision. The country is the owner's headquarters as the knowledge
base states it; the United States is reported with its partial adequacy (the EU-US Data Privacy
Framework covers certified recipients only, which the lists do not say)."""

from __future__ import annotations

from leakmap.analysis.data import SiteData
from leakmap.analysis.findings import make, party_evidence, request_evidence
from leakmap.analysis.parties import Parties
from leakmap.analysis.rules.common import group, phase_counts, third_party_hits
from leakmap.records import Finding

EEA = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split())
# Commission adequacy decisions (GDPR art. 45) in force
ADEQUATE = frozenset("AD AR CA FO GG IL IM JP JE NZ KR CH GB UY".split())
PARTIAL = {"US": "partial: EU-US Data Privacy Framework, for certified recipients only"}


def third_country_transfer(site: SiteData, parties: Parties) -> list[Finding]:
    hits = [h for h in third_party_hits(site, parties)
            if h.party.c.country and h.party.c.country not in EEA and h.party.c.country not in ADEQUATE]
    out = []
    for domain, group_hits in group(hits, lambda h: h.party.domain).items():
        first = group_hits[0]
        country = first.party.c.country
        out.append(make(site, "third-country-transfer", "info", phase=None, domain=domain, party=first.party,
                        category=first.category, page=site.page(first.req.visit_id),
                        title=f"data sent to {first.party.label}, headquartered in {country}",
                        evidence={"country": country, "adequacy": PARTIAL.get(country, "none"),
                                  "requests_per_phase": phase_counts(group_hits),
                                  "request": request_evidence(site, first.req),
                                  "classification": party_evidence(parties, first.party, first.match)},
                        unverified=False))
    return out

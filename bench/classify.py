"""Host classifications per second on one core (target: >= 300,000/s).

Prints honest numbers for four workloads:
- warm: a realistic crawl mix (known tracker hosts, CDNs, unknown first-party hosts) where hosts
  repeat with a Zipf-like skew, as they do across the pages and sites of a scan;
- warm URLs: the same hosts given as full, all-distinct request URLs;
- cold known: every host unique (fresh subdomains of listed domains), memo always missing;
- cold unknown: every host unique and unlisted (tldextract computes each registrable domain).
"""

from __future__ import annotations

import random
import time

from leakmap.blocklists import Knowledge
from leakmap.blocklists.bundled import load_bundle

N = 1_000_000


def rate(kb: Knowledge, queries: list[str]) -> float:
    classify = kb.classify
    start = time.perf_counter()
    for q in queries:
        classify(q)
    return len(queries) / (time.perf_counter() - start)


def main() -> None:
    rng = random.Random(4)
    listed = [d for e in load_bundle().entities for d in e.domains]
    prefixes = ["www", "cdn", "static", "pixel", "sync", "ads", "api", "js", "region1", "t", "collect", "s"]
    known = [f"{rng.choice(prefixes)}.{d}" for d in listed for _ in range(3)]
    unknown = [f"{rng.choice(prefixes)}.site{i}.{rng.choice(['com', 'fr', 'de', 'co.uk', 'net'])}" for i in range(1500)]
    pool = known + unknown  # ~4,000 distinct hosts, a third unlisted
    weights = [1 / (i + 1) for i in range(len(pool))]
    rng.shuffle(pool)
    warm = rng.choices(pool, weights=weights, k=N)
    urls = [f"https://{h}/p/{i}?v=2&cid={rng.getrandbits(40)}" for i, h in enumerate(warm[: N // 4])]

    start = time.perf_counter()
    kb = Knowledge.load()
    print(f"Knowledge.load ({len(kb.versions())} sources: the bundled data and what `lists update` cached): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    for q in pool:  # a scan has classified each host once before the steady state
        kb.classify(q)
    print(f"warm (realistic mix, {len(pool)} distinct hosts, Zipf repeats): {rate(kb, warm):,.0f} hosts/s")
    print(f"warm URLs (distinct URLs on those hosts):                   {rate(kb, urls):,.0f} classifications/s")

    cold_known = [f"h{i}.{rng.choice(prefixes)}.{listed[i % len(listed)]}" for i in range(N // 4)]
    print(f"cold, all-unique hosts under listed domains:               {rate(Knowledge.load(), cold_known):,.0f} hosts/s")
    cold_unknown = [f"h{i}.shop{i}.example-{i % 97}.{rng.choice(['com', 'fr', 'co.uk'])}" for i in range(N // 10)]
    print(f"cold, all-unique unlisted hosts (tldextract per host):     {rate(Knowledge.load(), cold_unknown):,.0f} hosts/s")


if __name__ == "__main__":
    main()

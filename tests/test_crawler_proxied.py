"""Tags run through a web-worker proxy (Partytown): what they ask of the page is credited to them.

Built from what Partytown 0.10 really does (seen on the fixture site www.velo-atelier-gent.be): the
tag's ``document.cookie = ...`` becomes a synchronous POST from Partytown's worker to
``/~partytown/proxytown`` whose body holds the assignment, and whose initiator stack is the worker's
own code (a blob: URL) calling into the tag (evaluated with ``//# sourceURL``); the page hook then sees
Partytown's sandbox page write the cookie."""

from __future__ import annotations

import json

from leakmap.crawler.collectors.network import _initiator
from leakmap.crawler.proxied import credit_proxied
from leakmap.records import CookieRecord, RequestRecord, StorageRecord

SITE = "https://www.velo-atelier-gent.be"
WORKER = f"{SITE.replace('https:', 'blob:https:')}/4358efee-5aa3-4970-b13f-765416454fd1"
TAG = "https://connect.facebook.net/en_US/fbevents.js"
SANDBOX = f"{SITE}/~partytown/partytown-sandbox-sw.html?1796666194211"
RAW = "_fbp=fb.1.1796666195298.3838656561; expires=Sun, 07 Mar 2027 17:56:35 GMT; path=/; domain=velo-atelier-gent.be"
BODY = json.dumps({"F": "290p3hqd1d1.1796666194211", "Q": [{"a": ["cookie", [0, RAW], 0]}]})


def _frames(*urls: str) -> dict:
    return {"type": "script", "stack": {"callFrames": [{"url": u} for u in urls]}}


def test_a_workers_request_is_the_evaluated_scripts_when_the_worker_only_relays_it():
    # the worker's own code at the top of the stack, the tag it evaluated below: the tag asked
    assert _initiator(_frames(WORKER, TAG, WORKER), WORKER)[1] == TAG
    # near misses: a worker's own request (nothing evaluated below it); a page's request; a library
    # the worker imported that fetches by itself
    assert _initiator(_frames(WORKER), WORKER)[1] == WORKER
    assert _initiator(_frames(SANDBOX, TAG), None)[1] == SANDBOX
    assert _initiator(_frames(f"{SITE}/lib.js", WORKER), WORKER)[1] == f"{SITE}/lib.js"


def _proxy_call(at: float, body: str = BODY, target: str = "worker") -> RequestRecord:
    return RequestRecord(time=at, url=f"{SITE}/~partytown/proxytown", method="POST", target_type=target,
                         post_data=body, initiator_url=TAG, initiator_stack=[WORKER, TAG, WORKER],
                         service_worker="fallback-code")


def _write(at: float) -> CookieRecord:
    return CookieRecord(time=at, origin="js", name="_fbp", value="fb.1.1796666195298.3838656561", raw=RAW,
                        url=SITE + "/", script_url=SANDBOX)


def test_a_cookie_written_through_the_proxy_is_the_tags():
    write = _write(10.02)
    credit_proxied([_proxy_call(10.0), write])
    assert (write.script_url, write.via) == (TAG, SANDBOX)


def test_storage_written_through_the_proxy_is_the_tags():
    write = StorageRecord(time=10.03, kind="local", key="_fbp_last", value="1796666195298", script_url=SANDBOX,
                          stack=[SANDBOX])
    credit_proxied([_proxy_call(10.0, '{"a":["setItem",["_fbp_last","1796666195298"]]}'), write])
    assert (write.script_url, write.via, write.stack) == (TAG, SANDBOX, [SANDBOX])


def test_near_misses_keep_the_writer_the_page_saw():
    # a worker request that did not carry the write; one that came long before; a page's own request
    cases = [[_proxy_call(10.0, '{"a":["title"]}')], [_proxy_call(-5.0)], [_proxy_call(10.0, target="page")]]
    for requests in cases:
        write = _write(10.02)
        credit_proxied([*requests, write])
        assert (write.script_url, write.via) == (SANDBOX, None), requests

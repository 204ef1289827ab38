"""Request fingerprints that know about phases: the same URL is a different visit in each
phase (and each position of a phase's page list), so Scrapy's duplicate filter must not merge them."""

from __future__ import annotations

import hashlib

from scrapy.utils.request import RequestFingerprinter

from leakmap.crawler.handler import JOB


class VisitFingerprinter:
    def __init__(self, crawler=None):
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fingerprint(self, request) -> bytes:
        job = request.meta.get(JOB)
        tag = (f"visit|{job.site_id}|{job.phase}|{job.attempt}|{job.seq}|" if job
               else f"fetch|{request.meta.get('site_id')}|")
        return hashlib.sha1(tag.encode() + self._default.fingerprint(request)).digest()

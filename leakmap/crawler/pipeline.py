"""Scrapy item pipeline: every visit goes into the store in one transaction as soon as it is done."""

from __future__ import annotations

from leakmap.crawler.spider import ErrorItem, PurgeItem, RecordItem, SiteItem, VisitItem
from leakmap.store import Store


class StorePipeline:
    def __init__(self, store_path: str):
        self.store_path = store_path
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["LEAKMAP_STORE"])

    def open_spider(self, spider=None):
        self.store = Store(self.store_path)

    def close_spider(self, spider=None):
        if self.store is not None:
            self.store.close()

    def process_item(self, item):
        if isinstance(item, VisitItem):
            outcome = item.outcome
            self.store.save_visit(outcome.visit, outcome.evidence)
        elif isinstance(item, SiteItem):
            self.store.update_site(item.site_id, **item.values)
        elif isinstance(item, (ErrorItem, RecordItem)):
            self.store.add(item.record)
        elif isinstance(item, PurgeItem):
            self.store.purge(item.site_id, item.phase)
        return item

"""Crawling: a Scrapy spider schedules page visits; Playwright renders them in Chromium; collectors record evidence."""

"""The shared dupefilter: scrapy-redis's Redis set, fingerprinted the way the crawler does.

scrapy-redis 0.9.1 hashes method, canonical URL and body itself and ignores the crawler's
REQUEST_FINGERPRINTER_CLASS, so two slugs of one SMM article would be two requests. This one
asks `crawler.request_fingerprinter` (smmnews.fingerprint.ArticleFingerprinter), so one article
id is one request across every worker. It is built in `from_crawler` (scrapy-redis builds its
filter through `from_settings`/`from_spider`, which cannot reach the crawler).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from smmnews.distributed.keys import crawl_keys
from smmnews.fingerprint import is_same_article_redirect

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


logger = logging.getLogger(__name__)


class RedisDupeFilter(RFPDupeFilter):
    def __init__(self, server: Any, key: str, debug: bool = False, *, fingerprinter: Any,
                 stats: StatsCollector | None = None) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisDupeFilter:
        settings = crawler.settings
        return cls(get_redis_from_settings(settings),
                   crawl_keys(settings, crawler.spidercls.name).dupefilter,
                   settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter, stats=crawler.stats)

    def request_seen(self, request: Request) -> bool:
        if is_same_article_redirect(request):
            return False
        seen: bool = super().request_seen(request)
        return seen

    def request_fingerprint(self, request: Request) -> str:
        fingerprint: bytes = self.fingerprinter.fingerprint(request)
        return fingerprint.hex()

    def log(self, request: Request, spider: Spider) -> None:
        # Overrides the base methods: Scrapy's BaseDupeFilter.log() is deprecated, and the
        # scrapy-redis one passes the spider in `extra` (Scrapy now logs without it).
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")
        if self.debug:
            logger.debug("Filtered duplicate request: %(request)s", {"request": request})

    def close(self, reason: str = "") -> None:
        # scrapy-redis deletes the fingerprints here; they are shared with the other workers,
        # and go only when the whole crawl is finished (LeasedPriorityQueue.finish_if_drained).
        return None

"""`scrapy crawl smm_news`: finds SMM article pages and hands them to the extractor.

Discovery: listing pages, sitemaps (robots.txt `Sitemap:` lines and the usual paths; skipped
quietly when absent), or an explicit list (`-a urls=`, `-a ids=A-B` for backfills). Known
articles (the state store) are not fetched again unless a sitemap says they changed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from smmnews.discovery import sitemap_entries, sitemaps_in_robots
from smmnews.extract.article import NotAnArticle
from smmnews.extract.dates import parse_iso
from smmnews.extract.decode import BadPage, charset_mismatch
from smmnews.extract.listing import extract_listing_links
from smmnews.extract.urls import absolute_url, article_id_from_url
from smmnews.faults import classify
from smmnews.middlewares import FETCHED_SCHEMES
from smmnews.options import CrawlOptions, OptionError, parse_options
from smmnews.record import build_record
from smmnews.runtime import RunContext, context_for
from smmnews.state import StateError, StateStore

logger = logging.getLogger(__name__)

# The SMM family of hosts an article link may point to (notes §1.1).
SITE_DOMAINS = ["metal.com"]


def reason_code(reason: str) -> str:
    """"listing page (7 article links…)" -> "listing_page": a stable stats key."""
    return reason.split(" (")[0].strip().lower().replace(" ", "_").replace(",", "")


class SmmNewsSpider(scrapy.Spider):
    name = "smm_news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.spider_args = {k: str(v) for k, v in kwargs.items()}
        super().__init__(*args)
        self.options: CrawlOptions
        self.state: StateStore
        self.context: RunContext
        self.scheduled: set[str] = set()
        self.sitemaps_requested = 0
        self.sitemap_max_depth = 3
        self.sitemap_max_count = 1000
        self.progress_total = 0
        self.allowed_domains: list[str] = []
        self.sitemap_paths: list[str] = []

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        if not settings.getdict("FEEDS"):
            settings.set("FEEDS", {settings.get("SMMNEWS_DEFAULT_FEED"): {"format": "jsonlines"}},
                         priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SmmNewsSpider:
        spider: SmmNewsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        try:
            spider.options = parse_options(spider.spider_args, settings.get("SMMNEWS_BASE_URL"),
                                           settings.getlist("SMMNEWS_LISTINGS"))
        except OptionError as exc:
            raise OptionError(f"smm_news: {exc}") from None
        host = urlsplit(spider.options.base_url).hostname or ""
        spider.allowed_domains = [*SITE_DOMAINS, host]
        spider.sitemap_paths = settings.getlist("SMMNEWS_SITEMAPS")
        spider.context = context_for(crawler)
        spider.state = spider.context.state
        spider.sitemap_max_depth = settings.getint("SMMNEWS_SITEMAP_MAX_DEPTH")
        spider.sitemap_max_count = settings.getint("SMMNEWS_SITEMAP_MAX_COUNT")
        spider.progress_total = spider.options.sweep_size
        return spider

    # --- what to fetch ---------------------------------------------------------------------

    def now(self) -> datetime:
        return self.options.now or datetime.now(UTC)

    def url_for_id(self, article_id: int) -> str:
        return urljoin(self.options.base_url, f"newscontent/{article_id}")

    async def start(self) -> AsyncIterator[Any]:
        if self.options.explicit:
            for url in self.options.urls:
                if (request := self.article_request(url)) is not None:
                    yield request
            for ids in self.options.ids:
                for article_id in ids:
                    request = self.article_request(self.url_for_id(article_id), sweep=True)
                    if request is not None:
                        yield request
            return
        base = self.options.base_url
        yield scrapy.Request(urljoin(base, "robots.txt"), callback=self.parse_robots,
                             errback=self.discovery_failed, priority=10)
        for path in self.sitemap_paths:
            if (sitemap := self.sitemap_request(urljoin(base, path.lstrip("/")))) is not None:
                yield sitemap
        for path in self.options.listings:
            yield scrapy.Request(urljoin(base, path.lstrip("/")), callback=self.parse_listing,
                                 errback=self.discovery_failed, priority=5)

    def fetchable(self, url: str) -> bool:
        """Only http(s) is fetched: a sitemap may list ftp:// or file:// URLs."""
        scheme = urlsplit(url).scheme.lower()
        if scheme in FETCHED_SCHEMES:
            return True
        self.crawler.stats.inc_value(f"smmnews/scheme/{scheme or 'none'}")
        logger.info("Not an http(s) URL (skipped): %s", url)
        return False

    def sitemap_request(self, url: str, depth: int = 0) -> scrapy.Request | None:
        """A sitemap fetch, within SMMNEWS_SITEMAP_MAX_DEPTH levels of indexes and
        SMMNEWS_SITEMAP_MAX_COUNT sitemaps per run (an index may link to itself or to a
        generator of endless indexes)."""
        if not self.fetchable(url):
            return None
        stats = self.crawler.stats
        if depth > self.sitemap_max_depth:
            stats.inc_value("smmnews/sitemap_limit/depth")
            logger.warning("Sitemap index nested deeper than %d (skipped): %s",
                           self.sitemap_max_depth, url)
            return None
        if self.sitemaps_requested >= self.sitemap_max_count:
            stats.inc_value("smmnews/sitemap_limit/count")
            if stats.get_value("smmnews/sitemap_limit/count") == 1:
                logger.warning("Over %d sitemaps in this run: the rest are skipped",
                               self.sitemap_max_count)
            return None
        self.sitemaps_requested += 1
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.discovery_failed,
                              priority=8, meta={"sitemap_depth": depth})

    def article_request(self, url: str, *, lastmod: datetime | None = None,
                        published: datetime | None = None,
                        sweep: bool = False) -> scrapy.Request | None:
        """A request for an article page, or None when it is known and unchanged, older than
        the `since` bound (by sitemap lastmod or the date a listing shows), or over budget."""
        article_id = article_id_from_url(url)
        if article_id is None or not self.fetchable(url):
            return None
        stats = self.crawler.stats
        newest = lastmod or published
        if self.options.since and newest and newest < self.options.since:
            stats.inc_value("smmnews/skipped/before_since")
            return None
        try:
            known = None if self.options.refresh else self.state.get(article_id)
        except StateError as exc:
            self.context.fail("state", str(exc), stop=True)
            return None
        if known is not None and (lastmod is None or lastmod <= known.seen_at):
            stats.inc_value("smmnews/skipped/known")
            if sweep:
                stats.inc_value("smmnews/sweep/done")
            return None
        if article_id in self.scheduled:
            return None  # a second slug or listing of an id already on its way
        if self.options.max_items is not None and len(self.scheduled) >= self.options.max_items:
            stats.inc_value("smmnews/skipped/max_items")
            return None
        self.scheduled.add(article_id)
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              meta={"article_id": article_id, "sweep": sweep,
                                    "refetch": known is not None or self.options.refresh})

    # --- discovery callbacks ---------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) else ""
        for found in sitemaps_in_robots(text):
            if (url := absolute_url(response.url, found)) is not None:
                self.crawler.stats.inc_value("smmnews/sitemap/from_robots")
                if (sitemap := self.sitemap_request(url)) is not None:
                    yield sitemap

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        found = 0
        for entry in sitemap_entries(response.body):
            found += 1
            url = absolute_url(response.url, entry.url)
            if url is None:
                continue
            if entry.is_index:
                depth = int(response.meta.get("sitemap_depth", 0)) + 1
                if (sitemap := self.sitemap_request(url, depth)) is not None:
                    yield sitemap
            elif article_id_from_url(url):
                self.crawler.stats.inc_value("smmnews/sitemap/article_urls")
                if (request := self.article_request(url, lastmod=entry.lastmod)) is not None:
                    yield request
            elif self.fetchable(url):
                yield scrapy.Request(url, callback=self.parse_listing,
                                     errback=self.discovery_failed, priority=5)
        if not found:
            self.crawler.stats.inc_value("smmnews/sitemap/not_a_sitemap")
            logger.info("Not a sitemap (skipped): %s", response.url)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        for link in extract_listing_links(response.text, response.url, self.now()):
            self.crawler.stats.inc_value("smmnews/listing/article_links")
            published = parse_iso(link.published_at) if link.published_at else None
            if self.options.since and published and published < self.options.since:
                # Listings run newest first: past the bound, the rest is older still.
                self.crawler.stats.inc_value("smmnews/listing/stopped_at_since")
                return
            if (request := self.article_request(link.url, published=published)) is not None:
                yield request

    def discovery_failed(self, failure: Failure) -> None:
        fault = classify(failure)
        request = failure.request  # type: ignore[attr-defined]
        # Sitemaps and listings are optional: the site may simply not have them.
        self.crawler.stats.inc_value(f"smmnews/discovery/{fault.stat}")
        logger.info("Discovery page skipped (%s): %s", fault.message, request.url)

    # --- articles --------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[dict[str, Any] | scrapy.Request]:
        stats = self.crawler.stats
        if response.meta.get("sweep"):
            stats.inc_value("smmnews/sweep/done")
        redirected = response.meta.get("redirect_urls")
        if redirected and article_id_from_url(response.url) is None:
            stats.inc_value("smmnews/redirected_away")
            logger.warning("Redirected away from the article (login wall?): %s -> %s",
                           redirected[0], response.url)
            return
        if not isinstance(response, TextResponse):
            stats.inc_value("smmnews/bad_page/not_text")
            logger.warning("Not a text page (%s): %s",
                           (response.headers.get("Content-Type") or b"?").decode("latin-1"),
                           response.url)
            return
        if charset_mismatch(response.body, response.encoding):
            stats.inc_value("smmnews/charset/mismatch")
            logger.warning("Wrong charset header (%s; the bytes are UTF-8, decoded as UTF-8): %s",
                           response.encoding, response.url)
        try:
            result = build_record(response.body, response.url, self.now(),
                                  encoding=response.encoding, crawled_at=datetime.now(UTC))
        except BadPage as exc:
            stats.inc_value(f"smmnews/bad_page/{exc.reason}")
            logger.warning("Bad page (%s: %s): %s", exc.reason, exc.detail, response.url)
            return
        if isinstance(result, NotAnArticle):
            stats.inc_value(f"smmnews/not_article/{reason_code(result.reason)}")
            logger.warning("Not an article (%s): %s", result.reason, response.url)
            return
        stats.inc_value(f"smmnews/extraction/title/{result['extraction']['title']}")
        stats.inc_value(f"smmnews/extraction/published_at/{result['extraction']['published_at']}")
        yield result
        # Related links reach articles that listings and sitemaps no longer show.
        if not self.options.explicit:
            for related in result["related"]:
                shown = parse_iso(related["published_at"]) if related["published_at"] else None
                if self.options.since and shown is None:
                    continue  # an undated link could lead anywhere back in time
                if related["url"] and (request := self.article_request(related["url"],
                                                                       published=shown)):
                    yield request
        limit = self.options.max_items
        if limit is not None and (stats.get_value("item_scraped_count") or 0) >= limit:
            raise CloseSpider("max_items")

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        sweep = bool(request.meta.get("sweep"))
        fault = classify(failure, sweep=sweep)
        stats = self.crawler.stats
        stats.inc_value(f"smmnews/{fault.stat}")
        if sweep:
            stats.inc_value("smmnews/sweep/done")
        if fault.is_error:
            stats.inc_value("smmnews/errors")
            logger.warning("Article fetch failed (%s): %s", fault.message, request.url)
        elif fault.stat == "skipped/known":
            logger.debug("Article skipped (%s): %s", fault.message, request.url)
        else:
            logger.info("Article skipped (%s): %s", fault.message, request.url)

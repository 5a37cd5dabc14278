"""`scrapy crawl smm_news`: finds SMM article pages and hands them to the extractor.

Discovery: listing pages, sitemaps (robots.txt `Sitemap:` lines and the usual paths; skipped
quietly when absent), or an explicit list (`-a urls=`, `-a ids=A-B` for backfills). Known
articles (the state store) are not fetched again unless a sitemap says they changed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from twisted.python.failure import Failure

from smmnews import stats as keys
from smmnews.archive.middleware import fetch_time
from smmnews.budget import ItemBudget
from smmnews.discovery import sitemap_entries, sitemaps_in_robots
from smmnews.extract.article import NotAnArticle
from smmnews.extract.decode import BadPage, charset_mismatch
from smmnews.extract.endpoint import ListingEndpoint, endpoint_items, parse_endpoints
from smmnews.extract.listing import extract_listing_links
from smmnews.extract.markers import SITE_DOMAINS
from smmnews.extract.pager import next_page_url
from smmnews.extract.shell import NEEDS_JAVASCRIPT
from smmnews.extract.urls import absolute_url, article_id_from_url
from smmnews.faults import classify
from smmnews.items import Article
from smmnews.middlewares import FETCHED_SCHEMES
from smmnews.options import CrawlOptions, OptionError, parse_options
from smmnews.record import build_record
from smmnews.render import (
    RENDERED,
    apply_render_settings,
    render_mode,
    rendered,
    wait_until,
)
from smmnews.runtime import RunContext, context_for
from smmnews.state import StateError, StateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


logger = logging.getLogger(__name__)

# What an article request carries to its callbacks (and to its rendered second fetch).
ARTICLE_META = ("article_id", "sweep", "refetch")


class SmmNewsSpider(scrapy.Spider):
    name = "smm_news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.spider_args = {k: str(v) for k, v in kwargs.items()}
        super().__init__(*args)
        self.options: CrawlOptions
        self.state: StateStore
        self.context: RunContext
        self.sitemaps_requested = 0
        self.sitemap_max_depth = 3
        self.sitemap_max_count = 1000
        # Ids requested, and known ids met, in this run: a second discovery is neither fetched
        # nor counted again.
        self.scheduled: set[str] = set()
        self.known_seen: set[str] = set()
        self.budget = ItemBudget(None, lambda: None)
        self.progress_total = 0
        self.allowed_domains: list[str] = []
        self.sitemap_paths: list[str] = []
        self.render = "never"
        self.render_until = "networkidle"
        self.endpoints: list[ListingEndpoint] = []
        self.listing_max_pages = 1

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if settings.getbool("SMMNEWS_CRAWL_JOB") and not settings.getdict("FEEDS"):
            settings.set("FEEDS", {settings.get("SMMNEWS_DEFAULT_FEED"): {"format": "jsonlines"}},
                         priority="spider")
            # Scheduled runs keep every page too, unless the command line or environment
            # decided (an empty -s SMMNEWS_ARCHIVE= turns it off).
            if (settings.getpriority("SMMNEWS_ARCHIVE") or 0) < SETTINGS_PRIORITIES["cmdline"]:
                settings.set("SMMNEWS_ARCHIVE", settings.get("SMMNEWS_DEFAULT_ARCHIVE"),
                             priority="spider")
        apply_render_settings(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SmmNewsSpider:
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
        spider.budget = ItemBudget(spider.options.max_items,
                                   lambda: crawler.stats.inc_value(keys.SKIPPED_MAX_ITEMS))
        crawler.signals.connect(spider.item_dropped, signal=signals.item_dropped)
        spider.render = render_mode(settings)
        spider.render_until = wait_until(settings)
        spider.endpoints = parse_endpoints(settings.get("SMMNEWS_LISTING_ENDPOINTS"))
        spider.listing_max_pages = settings.getint("SMMNEWS_LISTING_MAX_PAGES")
        return spider

    # --- what to fetch ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The site root crawled (news.metal.com or a mirror); the probe spider has one too, and
        the offsite filter reads it to allow the mirror's port."""
        return self.options.base_url

    def now(self) -> datetime:
        return self.options.now or datetime.now(UTC)

    def url_for_id(self, article_id: int) -> str:
        return urljoin(self.options.base_url, f"newscontent/{article_id}")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.options.explicit:
            for url in self.options.urls:
                if (request := self.explicit_request(url)) is not None:
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
        for endpoint in self.endpoints:
            yield self.endpoint_request(endpoint, endpoint.first_page)

    def endpoint_request(self, endpoint: ListingEndpoint, page: int) -> scrapy.Request:
        return scrapy.Request(endpoint.page_url(self.options.base_url, page),
                              callback=self.parse_endpoint, errback=self.discovery_failed,
                              priority=5, cb_kwargs={"endpoint": endpoint, "page": page})

    def explicit_request(self, url: str) -> scrapy.Request | None:
        """An article request for a URL the user listed; each one not used is said and counted."""
        stats = self.crawler.stats
        article_id = article_id_from_url(url)
        if article_id is None:
            stats.inc_value(keys.SKIPPED_NOT_ARTICLE_URL)
            logger.warning("Not an article URL (skipped): %s", url)
            return None
        host = urlsplit(url).hostname or ""
        if not any(host == d or host.endswith(f".{d}") for d in self.allowed_domains):
            stats.inc_value(keys.SKIPPED_OFFSITE)
            logger.warning("Not on the site (skipped; set -a base_url to crawl a mirror): %s",
                           url)
            return None
        if article_id in self.scheduled:
            stats.inc_value(keys.SKIPPED_REPEAT)
            logger.info("Same article as an earlier URL (skipped): %s", url)
            return None
        return self.article_request(url)

    def parse(self, response: Response) -> Iterator[Article | scrapy.Request]:
        """Any page of the site, routed by its URL (what `scrapy parse <url>` calls).

        @site robots.txt
        @returns requests 1
        """
        path = urlsplit(response.url).path
        if article_id_from_url(response.url):
            yield from self.parse_article(response)
        elif path.endswith("robots.txt"):
            yield from self.parse_robots(response)
        elif path.endswith((".xml", ".xml.gz")) or "sitemap" in path:
            yield from self.parse_sitemap(response)
        else:
            yield from self.parse_listing(response)

    def fetchable(self, url: str) -> bool:
        """Only http(s) is fetched: a sitemap may list ftp:// or file:// URLs."""
        scheme = urlsplit(url).scheme.lower()
        if scheme in FETCHED_SCHEMES:
            return True
        self.crawler.stats.inc_value(f"{keys.PREFIX}scheme/{scheme or 'none'}")
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
            stats.inc_value(f"{keys.PREFIX}sitemap_limit/depth")
            logger.warning("Sitemap index nested deeper than %d (skipped): %s",
                           self.sitemap_max_depth, url)
            return None
        if self.sitemaps_requested >= self.sitemap_max_count:
            stats.inc_value(f"{keys.PREFIX}sitemap_limit/count")
            if stats.get_value(f"{keys.PREFIX}sitemap_limit/count") == 1:
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
        if article_id is None or article_id in self.scheduled:
            return None  # a second slug or listing of an id already on its way: not "known"
        if not self.fetchable(url):
            return None
        stats = self.crawler.stats
        newest = lastmod or published
        if self.options.since and newest and newest < self.options.since:
            stats.inc_value(keys.SKIPPED_BEFORE_SINCE)
            return None
        try:
            known = None if self.options.refresh else self.state.get(article_id)
        except StateError as exc:
            self.context.fail("state", str(exc), stop=True)
            return None
        if known is not None and (lastmod is None or lastmod <= known.seen_at):
            # Counted once per run (a later sitemap entry may still say it changed). A sweep
            # meets each id once by construction: no set growing with the sweep.
            if sweep:
                stats.inc_value(keys.SWEEP_DONE)
            elif article_id in self.known_seen:
                return None
            else:
                self.known_seen.add(article_id)
            stats.inc_value(keys.SKIPPED_KNOWN)
            return None
        if not sweep:
            self.scheduled.add(article_id)
        request = scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                                 meta={"article_id": article_id, "sweep": sweep,
                                       "refetch": known is not None or self.options.refresh})
        if self.render == "always":
            request = rendered(request, ARTICLE_META, self.render_until)
        return request if self.budget.admit(request) else None

    # --- discovery callbacks ---------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """robots.txt: its `Sitemap:` lines.

        @site robots.txt
        @returns requests 1
        @returns items 0 0
        """
        text = response.text if isinstance(response, TextResponse) else ""
        for found in sitemaps_in_robots(text):
            if (url := absolute_url(response.url, found)) is not None:
                self.crawler.stats.inc_value(keys.SITEMAP_FROM_ROBOTS)
                if (sitemap := self.sitemap_request(url)) is not None:
                    yield sitemap

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap or sitemap index: article requests, nested sitemaps, listing pages.

        @site sitemap.xml
        @returns requests 1
        @returns items 0 0
        """
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
                self.crawler.stats.inc_value(keys.SITEMAP_ARTICLE_URLS)
                if (request := self.article_request(url, lastmod=entry.lastmod)) is not None:
                    yield request
            elif self.fetchable(url):
                yield scrapy.Request(url, callback=self.parse_listing,
                                     errback=self.discovery_failed, priority=5)
        if not found:
            self.crawler.stats.inc_value(keys.SITEMAP_NOT_A_SITEMAP)
            logger.info("Not a sitemap (skipped): %s", response.url)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """A listing page: its article links, newest first.

        @site en/copper
        @returns requests 1
        @returns items 0 0
        """
        if not isinstance(response, TextResponse):
            return
        links = [(link.url, link.published_at)
                 for link in extract_listing_links(response.text, response.url, self.now())]
        self.crawler.stats.inc_value(keys.LISTING_ARTICLE_LINKS, len(links))
        requests, more = self.listed_articles(links)
        yield from requests
        page = int(response.meta.get("listing_page", 1))
        next_url = next_page_url(response.text, response.url) if more else None
        if next_url is not None and page < self.listing_max_pages:
            self.crawler.stats.inc_value(keys.LISTING_NEXT_PAGES)
            yield scrapy.Request(next_url, callback=self.parse_listing,
                                 errback=self.discovery_failed, priority=5,
                                 meta={"listing_page": page + 1})

    def parse_endpoint(self, response: Response, endpoint: ListingEndpoint,
                       page: int) -> Iterator[scrapy.Request]:
        items = endpoint_items(response.body, endpoint, response.url, self.now(),
                               lambda found: self.url_for_id(int(found)))
        if items is None:
            self.crawler.stats.inc_value(keys.LISTING_ENDPOINT_NOT_JSON)
            logger.warning("Listing endpoint did not answer the JSON described in "
                           "SMMNEWS_LISTING_ENDPOINTS (items at %r): %s",
                           endpoint.items, response.url)
            return
        self.crawler.stats.inc_value(keys.LISTING_ENDPOINT_ITEMS, len(items))
        requests, more = self.listed_articles([(i.url, i.published) for i in items])
        yield from requests
        if items and more and page < endpoint.first_page + endpoint.max_pages - 1:
            yield self.endpoint_request(endpoint, page + 1)

    def listed_articles(self, links: list[tuple[str, datetime | None]]
                        ) -> tuple[list[scrapy.Request], bool]:
        """Requests for one listing page's articles, and whether its next page is worth a
        look: not past the `since` bound, and this page brought an article not seen before
        (listings run newest first, so a page of known articles means the rest is known too)."""
        requests: list[scrapy.Request] = []
        fresh = False
        for url, published in links:
            if self.options.since and published and published < self.options.since:
                # Listings run newest first: past the bound, the rest is older still.
                self.crawler.stats.inc_value(keys.LISTING_STOPPED_AT_SINCE)
                return requests, False
            if (request := self.article_request(url, published=published)) is not None:
                requests.append(request)
                fresh = True
        return requests, fresh

    def discovery_failed(self, failure: Failure) -> None:
        fault = classify(failure)
        request = failure.request  # type: ignore[attr-defined]
        # Sitemaps and listings are optional: the site may simply not have them.
        self.crawler.stats.inc_value(keys.discovery_fault(fault.stat))
        logger.info("Discovery page skipped (%s): %s", fault.message, request.url)

    # --- articles --------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Article | scrapy.Request]:
        """An article page: its record, then its related articles to fetch.

        @site newscontent/103800001
        @returns items 1 1
        @scrapes article_id title published_at body
        """
        produced = False
        for output in self.article_outputs(response):
            produced = produced or isinstance(output, Article)
            yield output
        self.budget.finished(record=produced)
        yield from self.released()
        limit = self.options.max_items
        if limit is not None and self.budget.records >= limit:
            raise CloseSpider("max_items")

    def article_outputs(self, response: Response) -> Iterator[Article | scrapy.Request]:
        stats = self.crawler.stats
        if response.meta.get("sweep"):
            stats.inc_value(keys.SWEEP_DONE)
        redirected = response.meta.get("redirect_urls")
        if redirected and article_id_from_url(response.url) is None:
            stats.inc_value(keys.REDIRECTED_AWAY)
            logger.warning("Redirected away from the article (login wall?): %s -> %s",
                           redirected[0], response.url)
            return
        if not isinstance(response, TextResponse):
            stats.inc_value(keys.BAD_PAGE_NOT_TEXT)
            logger.warning("Not a text page (%s): %s",
                           (response.headers.get("Content-Type") or b"?").decode("latin-1"),
                           response.url)
            return
        if charset_mismatch(response.body, response.encoding):
            stats.inc_value(f"{keys.PREFIX}charset/mismatch")
            logger.warning("Wrong charset header (%s; the bytes are UTF-8, decoded as UTF-8): %s",
                           response.encoding, response.url)
        try:
            # One fetch time for the record and the archive: `reextract` then gives the same
            # record from the archived page.
            fetched = fetch_time(response)
            result = build_record(response.body, response.url, self.options.now or fetched,
                                  encoding=response.encoding, crawled_at=fetched)
        except BadPage as exc:
            if exc.reason == NEEDS_JAVASCRIPT:
                yield from self.needs_javascript(response, exc.detail)
                return
            stats.inc_value(keys.bad_page(exc.reason))
            logger.warning("Bad page (%s: %s): %s", exc.reason, exc.detail, response.url)
            return
        if isinstance(result, NotAnArticle):
            stats.inc_value(keys.not_article(result.code))
            logger.warning("Not an article (%s): %s", result, response.url)
            return
        for name in ("title", "published_at"):
            stats.inc_value(keys.extraction_source(name, result.extraction[name]))
        yield result
        yield from self.related_requests(result)

    def related_requests(self, result: Article) -> Iterator[scrapy.Request]:
        # Related links reach articles that listings and sitemaps no longer show.
        if not self.options.explicit:
            for related in result.related:
                if self.options.since and related.published_at is None:
                    continue  # an undated link could lead anywhere back in time
                if related.url and (request := self.article_request(
                        related.url, published=related.published_at)):
                    yield request

    def needs_javascript(self, response: Response, detail: str) -> Iterator[scrapy.Request]:
        """An app shell: render it again when allowed, else count it with the remedy."""
        if self.render == "auto" and not response.meta.get(RENDERED) and response.request:
            self.crawler.stats.inc_value(keys.RENDER_REQUESTED)
            logger.info("Rendering in Chromium (%s): %s", detail, response.url)
            again = rendered(response.request, ARTICLE_META, self.render_until)
            again.meta["sweep"] = False  # the sweep counted this id at the first fetch
            if self.budget.admit(again):  # else held back, released when a request ends
                yield again
            return
        self.crawler.stats.inc_value(keys.bad_page(NEEDS_JAVASCRIPT))
        if response.meta.get(RENDERED):
            logger.warning("Bad page (needs_javascript: still an %s after rendering in Chromium;"
                           " the article may need a click or a login): %s", detail, response.url)
        else:
            logger.warning("Bad page (needs_javascript: %s; remedy: -s SMMNEWS_RENDER=auto renders"
                           " such pages in Chromium, see README 'First run on the live site'):"
                           " %s", detail, response.url)

    def released(self) -> Iterator[scrapy.Request]:
        """Held-back requests that fit `max_items` again."""
        for request in self.budget.release():
            self.crawler.stats.inc_value(keys.SKIPPED_MAX_ITEMS, -1)
            yield request

    def item_dropped(self, item: object, response: Response) -> None:
        if response.meta.get("article_id") and self.options.max_items is not None:
            self.budget.record_dropped()
            for request in self.released():
                self.crawler.engine.crawl(request)

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        sweep = bool(request.meta.get("sweep"))
        fault = classify(failure, sweep=sweep)
        stats = self.crawler.stats
        stats.inc_value(keys.fault(fault.stat))
        if sweep:
            stats.inc_value(keys.SWEEP_DONE)
        if fault.is_error:
            stats.inc_value(keys.ERRORS)
            logger.warning("Article fetch failed (%s): %s", fault.message, request.url)
        elif fault.stat in ("skipped/known", "sweep/missing"):
            # Expected by the thousand (a sweep's gaps): counted, and logged only for debugging.
            logger.debug("Article skipped (%s): %s", fault.message, request.url)
        else:
            logger.info("Article skipped (%s): %s", fault.message, request.url)
        self.budget.finished(record=False)
        yield from self.released()

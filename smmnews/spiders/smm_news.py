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
from smmnews.extract.decode import BadPage
from smmnews.extract.endpoint import ListingEndpoint, endpoint_items, parse_endpoints
from smmnews.extract.listing import extract_listing_links
from smmnews.extract.pager import next_page_url
from smmnews.extract.shell import NEEDS_JAVASCRIPT
from smmnews.extract.urls import absolute_url, article_id_from_url
from smmnews.faults import classify
from smmnews.options import CrawlOptions, OptionError, parse_options
from smmnews.record import build_record
from smmnews.render import (
    RENDERED,
    apply_render_settings,
    render_mode,
    rendered,
    wait_until,
)
from smmnews.runtime import context_for
from smmnews.state import StateStore

logger = logging.getLogger(__name__)

# The SMM family of hosts an article link may point to (notes §1.1).
SITE_DOMAINS = ["metal.com"]
# What an article request carries to its callbacks (and to its rendered second fetch).
ARTICLE_META = ("article_id", "sweep", "refetch")


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
        self.scheduled: set[str] = set()
        self.progress_total = 0
        self.allowed_domains: list[str] = []
        self.sitemap_paths: list[str] = []
        self.render = "never"
        self.render_until = "networkidle"
        self.endpoints: list[ListingEndpoint] = []
        self.listing_max_pages = 1

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        if not settings.getdict("FEEDS"):
            settings.set("FEEDS", {settings.get("SMMNEWS_DEFAULT_FEED"): {"format": "jsonlines"}},
                         priority="spider")
        apply_render_settings(settings)

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
        spider.state = context_for(crawler).state
        spider.progress_total = spider.options.sweep_size
        spider.render = render_mode(settings)
        spider.render_until = wait_until(settings)
        spider.endpoints = parse_endpoints(settings.get("SMMNEWS_LISTING_ENDPOINTS"))
        spider.listing_max_pages = settings.getint("SMMNEWS_LISTING_MAX_PAGES")
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
            yield self.sitemap_request(urljoin(base, path.lstrip("/")))
        for path in self.options.listings:
            yield scrapy.Request(urljoin(base, path.lstrip("/")), callback=self.parse_listing,
                                 errback=self.discovery_failed, priority=5)
        for endpoint in self.endpoints:
            yield self.endpoint_request(endpoint, endpoint.first_page)

    def endpoint_request(self, endpoint: ListingEndpoint, page: int) -> scrapy.Request:
        return scrapy.Request(endpoint.page_url(self.options.base_url, page),
                              callback=self.parse_endpoint, errback=self.discovery_failed,
                              priority=5, cb_kwargs={"endpoint": endpoint, "page": page})

    def sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.discovery_failed,
                              priority=8)

    def article_request(self, url: str, *, lastmod: datetime | None = None,
                        published: datetime | None = None,
                        sweep: bool = False) -> scrapy.Request | None:
        """A request for an article page, or None when it is known and unchanged, older than
        the `since` bound (by sitemap lastmod or the date a listing shows), or over budget."""
        article_id = article_id_from_url(url)
        if article_id is None:
            return None
        stats = self.crawler.stats
        newest = lastmod or published
        if self.options.since and newest and newest < self.options.since:
            stats.inc_value("smmnews/skipped/before_since")
            return None
        known = None if self.options.refresh else self.state.get(article_id)
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
        request = scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                                 meta={"article_id": article_id, "sweep": sweep,
                                       "refetch": known is not None or self.options.refresh})
        if self.render == "always":
            return rendered(request, ARTICLE_META, self.render_until)
        return request

    # --- discovery callbacks ---------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) else ""
        for found in sitemaps_in_robots(text):
            if (url := absolute_url(response.url, found)) is not None:
                self.crawler.stats.inc_value("smmnews/sitemap/from_robots")
                yield self.sitemap_request(url)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        found = 0
        for entry in sitemap_entries(response.body):
            found += 1
            url = absolute_url(response.url, entry.url)
            if url is None:
                continue
            if entry.is_index:
                yield self.sitemap_request(url)
            elif article_id_from_url(url):
                self.crawler.stats.inc_value("smmnews/sitemap/article_urls")
                if (request := self.article_request(url, lastmod=entry.lastmod)) is not None:
                    yield request
            else:
                yield scrapy.Request(url, callback=self.parse_listing,
                                     errback=self.discovery_failed, priority=5)
        if not found:
            self.crawler.stats.inc_value("smmnews/sitemap/not_a_sitemap")
            logger.info("Not a sitemap (skipped): %s", response.url)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        links = [(link.url, parse_iso(link.published_at) if link.published_at else None)
                 for link in extract_listing_links(response.text, response.url, self.now())]
        self.crawler.stats.inc_value("smmnews/listing/article_links", len(links))
        requests, more = self.listed_articles(links)
        yield from requests
        page = int(response.meta.get("listing_page", 1))
        next_url = next_page_url(response.text, response.url) if more else None
        if next_url is not None and page < self.listing_max_pages:
            self.crawler.stats.inc_value("smmnews/listing/next_pages")
            yield scrapy.Request(next_url, callback=self.parse_listing,
                                 errback=self.discovery_failed, priority=5,
                                 meta={"listing_page": page + 1})

    def parse_endpoint(self, response: Response, endpoint: ListingEndpoint,
                       page: int) -> Iterator[scrapy.Request]:
        items = endpoint_items(response.body, endpoint, response.url, self.now(),
                               lambda found: self.url_for_id(int(found)))
        if items is None:
            self.crawler.stats.inc_value("smmnews/listing/endpoint_not_json")
            logger.warning("Listing endpoint did not answer the JSON described in "
                           "SMMNEWS_LISTING_ENDPOINTS (items at %r): %s",
                           endpoint.items, response.url)
            return
        self.crawler.stats.inc_value("smmnews/listing/endpoint_items", len(items))
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
                self.crawler.stats.inc_value("smmnews/listing/stopped_at_since")
                return requests, False
            if (request := self.article_request(url, published=published)) is not None:
                requests.append(request)
                fresh = True
        return requests, fresh

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
        try:
            result = build_record(response.body, response.url, self.now(),
                                  encoding=response.encoding, crawled_at=datetime.now(UTC))
        except BadPage as exc:
            if exc.reason == NEEDS_JAVASCRIPT:
                yield from self.needs_javascript(response, exc.detail)
                return
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

    def needs_javascript(self, response: Response, detail: str) -> Iterator[scrapy.Request]:
        """An app shell: render it again when allowed, else count it with the remedy."""
        if self.render == "auto" and not response.meta.get(RENDERED) and response.request:
            self.crawler.stats.inc_value("smmnews/render/requested")
            logger.info("Rendering in Chromium (%s): %s", detail, response.url)
            again = rendered(response.request, ARTICLE_META, self.render_until)
            again.meta["sweep"] = False  # the sweep counted this id at the first fetch
            yield again
            return
        self.crawler.stats.inc_value(f"smmnews/bad_page/{NEEDS_JAVASCRIPT}")
        if response.meta.get(RENDERED):
            logger.warning("Bad page (needs_javascript: still an %s after rendering in Chromium;"
                           " the article may need a click or a login): %s", detail, response.url)
        else:
            logger.warning("Bad page (needs_javascript: %s; remedy: -s SMMNEWS_RENDER=auto renders"
                           " such pages in Chromium, see README 'First run on the live site'):"
                           " %s", detail, response.url)

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

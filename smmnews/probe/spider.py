"""The probe spider (run by `smmnews probe` through smmnews/probe/crawl.py). Fetches robots.txt,
the sitemap candidates, the listing paths, the listing endpoints and a set of article pages,
with the project's politeness settings, and writes one JSON report at the end.

It writes no feed and no state: nothing it sees counts as crawled. It is not in
SPIDER_MODULES, so `scrapy list` and scrapyd show only the crawl itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from smmnews.discovery import sitemap_entries, sitemaps_in_robots
from smmnews.extract.article import NotAnArticle
from smmnews.extract.decode import BadPage, decode_page
from smmnews.extract.endpoint import ListingEndpoint, endpoint_items, parse_endpoints
from smmnews.extract.listing import extract_listing_links
from smmnews.extract.markers import SITE_DOMAINS
from smmnews.extract.metadata import read_metadata
from smmnews.extract.pager import has_load_more, next_page_url
from smmnews.extract.parse import parse_html
from smmnews.extract.shell import NEEDS_JAVASCRIPT
from smmnews.extract.urls import absolute_url, article_id_from_url
from smmnews.faults import classify
from smmnews.monitors import Thresholds
from smmnews.options import OptionError, _base_url
from smmnews.probe.drafts import write_draft
from smmnews.probe.fields import field_sources
from smmnews.probe.known import known_article_urls, read_url_list, rebase
from smmnews.probe.report import monitor_verdict
from smmnews.record import build_record, is_text_fallback
from smmnews.schema import schema_errors
from smmnews.serialize import record_dict

logger = logging.getLogger(__name__)

# Sitemap paths worth one request each besides SMMNEWS_SITEMAPS: the Chinese sister site has
# them (docs/site.md, "Sitemaps and metadata"); whether news.metal.com does is what the probe
# is for.
SITEMAP_CANDIDATES = ("/sitemap/sitemap-live.xml", "/sitemap_index.xml")
# Children of a sitemap index fetched to see what they hold (the rest only counted).
MAX_SITEMAP_CHILDREN = 3
# Error statuses reach the callbacks (the report shows them); redirects are still followed.
KNOWN_ARTICLES_MIDDLEWARE = "smmnews.middlewares.KnownArticlesMiddleware"
ALL_STATUSES = {"handle_httpstatus_list": list(range(400, 600))}


def _entry(kind: str, url: str, note: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "url": url, "status": None, "ok": False, "yielded": {}, "note": note}


class SmmProbeSpider(scrapy.Spider):
    name = "smm_probe"
    # No feed, no pipelines, no state, no run summary: the report is the only output.
    custom_settings = {  # noqa: RUF012 - Scrapy's API
        "FEEDS": {}, "ITEM_PIPELINES": {}, "EXTENSIONS": {},
    }

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # The project's downloader middlewares stay (what the crawl fetches, the probe fetches
        # the same way), except the one that skips articles the state store knows.
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares[KNOWN_ARTICLES_MIDDLEWARE] = None
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    def __init__(self, base_url: str | None = None, urls: str | None = None,
                 report: str = "probe-report.json", fixtures: str | None = None,
                 now: str | None = None, discovered: str = "3", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_arg = base_url
        self.urls_arg = urls
        self.report_path = Path(report)
        self.fixtures = Path(fixtures) if fixtures else None
        self.now_arg = now
        self.discovered_budget = int(discovered)
        self.discovery: list[dict[str, Any]] = []
        self.articles: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []
        self.fallbacks = 0
        self.probed_ids: set[str] = set()
        self.base_url = ""
        self.user_agent = ""
        self.listings: list[str] = []
        self.sitemaps: list[str] = []
        self.endpoints: list[ListingEndpoint] = []
        self.limits: Thresholds
        self.allowed_domains: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SmmProbeSpider:
        spider: SmmProbeSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        try:
            spider.base_url = _base_url(spider.base_arg or settings.get("SMMNEWS_BASE_URL"))
        except OptionError as exc:
            raise OptionError(f"smm_probe: {exc}") from None
        spider.allowed_domains = [*SITE_DOMAINS, urlsplit(spider.base_url).hostname or ""]
        spider.listings = settings.getlist("SMMNEWS_LISTINGS")
        spider.sitemaps = list(dict.fromkeys([*settings.getlist("SMMNEWS_SITEMAPS"),
                                              *SITEMAP_CANDIDATES]))
        spider.endpoints = parse_endpoints(settings.get("SMMNEWS_LISTING_ENDPOINTS"))
        spider.limits = Thresholds.from_settings(settings)
        spider.user_agent = settings.get("USER_AGENT")
        return spider

    def now(self) -> datetime:
        parsed = datetime.fromisoformat(self.now_arg) if self.now_arg else None
        return parsed or datetime.now(UTC)

    # --- requests ----------------------------------------------------------------------------

    def discovery_request(self, kind: str, url: str, callback: Any, note: str | None = None,
                          **kwargs: Any) -> scrapy.Request:
        self.discovery.append(_entry(kind, url, note))
        return scrapy.Request(url, callback=callback, errback=self.failed, dont_filter=True,
                              meta={**ALL_STATUSES, "entry": self.discovery[-1]},
                              cb_kwargs=kwargs, priority=10)

    def article_request(self, url: str, found_on: str | None = None) -> scrapy.Request:
        entry: dict[str, Any] = {
            "url": url, "found_on": found_on, "status": None, "outcome": "pending",
            "reason": None, "detail": None, "article_id": article_id_from_url(url),
            "title": None, "fields": {}, "field_details": {}, "needs_javascript": False,
            "valid": False, "errors": [], "fixture": None}
        self.articles.append(entry)
        self.probed_ids.add(entry["article_id"] or url)
        return scrapy.Request(url, callback=self.parse_article, errback=self.failed,
                              dont_filter=True, meta={**ALL_STATUSES, "entry": entry})

    def article_urls(self) -> list[str]:
        if self.urls_arg:
            path = Path(self.urls_arg)
            text = path.read_text("utf-8") if path.is_file() else self.urls_arg.replace(",", "\n")
            return read_url_list(text)
        return [rebase(url, self.base_url) for url in known_article_urls()]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        base = self.base_url
        yield self.discovery_request("robots", urljoin(base, "robots.txt"), self.parse_robots)
        for path in self.sitemaps:
            yield self.discovery_request("sitemap", urljoin(base, path.lstrip("/")),
                                         self.parse_sitemap)
        for path in self.listings:
            yield self.discovery_request("listing", urljoin(base, path.lstrip("/")),
                                         self.parse_listing)
        for endpoint in self.endpoints:
            yield self.discovery_request("endpoint", endpoint.page_url(base, endpoint.first_page),
                                         self.parse_endpoint, endpoint=endpoint)
        for url in self.article_urls():
            try:
                yield self.article_request(url)
            except ValueError as exc:  # not a URL Scrapy can fetch: reported, never fatal
                self.articles[-1].update(outcome="failed", reason="bad_url", detail=str(exc))

    def sample(self, urls: list[str], found_on: str) -> Iterator[scrapy.Request]:
        """A few articles that discovery found, probed like the known ones."""
        for url in urls:
            article_id = article_id_from_url(url)
            if self.discovered_budget <= 0:
                return
            if article_id and article_id not in self.probed_ids:
                self.discovered_budget -= 1
                yield self.article_request(url, found_on)

    # --- discovery ---------------------------------------------------------------------------

    def answered(self, response: Response) -> dict[str, Any]:
        entry: dict[str, Any] = response.meta["entry"]
        entry["status"] = response.status
        entry["ok"] = response.status == 200
        if response.url != entry["url"]:
            entry["final_url"] = response.url
        if response.status != 200:
            entry["note"] = entry["note"] or f"HTTP {response.status}"
        return entry

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        entry = self.answered(response)
        if not entry["ok"] or not isinstance(response, TextResponse):
            entry["note"] = f"HTTP {response.status}: no robots.txt, nothing disallowed"
            return
        named = sitemaps_in_robots(response.text)
        rules = [line for line in response.text.splitlines()
                 if line.strip().lower().startswith("disallow:")]
        entry["yielded"] = {"sitemaps_named": len(named), "disallow_rules": len(rules),
                            "disallowed": [r.split(":", 1)[1].strip() for r in rules]}
        known = {e["url"] for e in self.discovery}
        for found in named:
            url = absolute_url(response.url, found)
            if url and url not in known:
                yield self.discovery_request("sitemap", url, self.parse_sitemap,
                                             note="named by robots.txt")

    def parse_sitemap(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        entry = self.answered(response)
        if not entry["ok"]:
            return
        entries = list(sitemap_entries(response.body))
        if not entries:
            entry["ok"] = False
            entry["note"] = "not a sitemap (no XML urlset or sitemapindex)"
            return
        if entries[0].is_index:
            entry["yielded"] = {"sitemaps": len(entries)}
            requested = {e["url"] for e in self.discovery}
            for child in entries[:MAX_SITEMAP_CHILDREN] if depth == 0 else []:
                url = absolute_url(response.url, child.url)
                if url and url not in requested:
                    yield self.discovery_request("sitemap", url, self.parse_sitemap,
                                                 note=f"listed in {response.url}", depth=1)
            return
        urls = [u for e in entries if (u := absolute_url(response.url, e.url))]
        articles = [u for u in urls if article_id_from_url(u)]
        entry["yielded"] = {"urls": len(urls), "article_urls": len(articles),
                            "with_lastmod": sum(1 for e in entries if e.lastmod)}
        yield from self.sample(articles, response.url)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        entry = self.answered(response)
        if not entry["ok"] or not isinstance(response, TextResponse):
            return
        links = extract_listing_links(response.text, response.url, self.now())
        load_more = has_load_more(response.text)
        entry["yielded"] = {"article_links": len(links),
                            "with_time": sum(1 for link in links if link.published_at),
                            "next_page": next_page_url(response.text, response.url) or "none",
                            "load_more_button": "yes" if load_more else "no"}
        if load_more:
            entry["note"] = ("more items behind a script's request: describe it in "
                             "SMMNEWS_LISTING_ENDPOINTS")
        elif not links:
            entry["note"] = "no article links: a JavaScript listing? see the endpoints setting"
        yield from self.sample([link.url for link in links], response.url)

    def parse_endpoint(self, response: Response,
                       endpoint: ListingEndpoint) -> Iterator[scrapy.Request]:
        entry = self.answered(response)
        if not entry["ok"]:
            return
        items = endpoint_items(response.body, endpoint, response.url, self.now(),
                               lambda found: urljoin(self.base_url, f"newscontent/{found}"))
        if items is None:
            entry["ok"] = False
            entry["note"] = f"not the JSON described (items at {endpoint.items!r})"
            return
        entry["yielded"] = {"items": len(items)}
        yield from self.sample([i.url for i in items], response.url)

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        entry: dict[str, Any] = request.meta["entry"]
        fault = classify(failure)
        entry["note" if "kind" in entry else "detail"] = fault.message
        if "outcome" in entry:
            entry["outcome"] = ("robots_forbidden" if fault.stat == "robots_forbidden"
                                else "failed")
            entry["reason"] = fault.stat

    # --- articles ----------------------------------------------------------------------------

    def parse_article(self, response: Response) -> None:
        entry: dict[str, Any] = response.meta["entry"]
        entry["status"] = response.status
        if response.url != entry["url"]:
            entry["final_url"] = response.url
        if response.status != 200:
            entry.update(outcome="failed", reason=f"http/{response.status}",
                         detail=f"HTTP {response.status}")
            return
        encoding = response.encoding if isinstance(response, TextResponse) else None
        try:
            result = build_record(response.body, response.url, self.now(), encoding=encoding,
                                  crawled_at=datetime.now(UTC))
        except BadPage as exc:
            entry.update(outcome="bad_page", reason=exc.reason, detail=exc.detail,
                         needs_javascript=exc.reason == NEEDS_JAVASCRIPT)
            self.draft(response, entry, None, f"bad page ({exc.reason}): {exc.detail}")
            return
        if isinstance(result, NotAnArticle):
            entry.update(outcome="not_article", reason=str(result.code), detail=result.detail)
            self.draft(response, entry, None, f"not an article: {result.detail}")
            return
        record = record_dict(result)
        self.fallbacks += is_text_fallback(result)
        self.describe(entry, record, decode_page(response.body, encoding))
        self.draft(response, entry, record, None)

    def describe(self, entry: dict[str, Any], record: dict[str, Any], html: str) -> None:
        fields, details = field_sources(record, read_metadata(parse_html(html)))
        errors = schema_errors(record)
        entry.update(outcome="article", article_id=record["article_id"], title=record["title"],
                     fields=fields, field_details=details, valid=not errors, errors=errors)
        self.records.append(record)

    def draft(self, response: Response, entry: dict[str, Any], record: dict[str, Any] | None,
              why_not: str | None) -> None:
        if self.fixtures is None or not entry["article_id"]:
            return
        folder = write_draft(self.fixtures, response.body, response.url,
                             self.now().isoformat(), entry["article_id"], record, why_not)
        entry["fixture"] = str(folder)

    # --- the report --------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        outcomes = [a["outcome"] for a in self.articles]
        return {
            "base_url": self.base_url,
            "probed_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "user_agent": self.user_agent,
            "discovery": self.discovery,
            # The given or known URLs in their order, then what discovery found.
            "articles": sorted(self.articles, key=lambda a: a["found_on"] is not None),
            "totals": {
                "discovery_paths": len(self.discovery),
                "answering": sum(1 for e in self.discovery if e["ok"]),
                "article_pages": len(self.articles),
                "records": len(self.records),
                "valid": sum(1 for a in self.articles if a["valid"]),
                "needs_javascript": sum(1 for a in self.articles if a["needs_javascript"]),
                "not_articles": outcomes.count("not_article") + outcomes.count("bad_page"),
                "failed": outcomes.count("failed") + outcomes.count("robots_forbidden"),
            },
            "monitors": monitor_verdict(self.articles, self.records, self.fallbacks,
                                        self.limits),
            "fixtures": str(self.fixtures) if self.fixtures else None,
        }

    def closed(self, reason: str) -> None:
        report = self.report()
        report["finish_reason"] = reason
        self.report_path.parent.mkdir(parents=True, exist_ok=True)
        self.report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2,
                                               default=str) + "\n", encoding="utf-8")

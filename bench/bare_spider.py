"""The bare baseline for bench/crawl.py: the same discovery as smm_news, and no extraction.

`scrapy runspider bench/bare_spider.py -a base_url=http://127.0.0.1:PORT/` (run outside the
project folder, so none of the project's settings, pipelines or extensions load). It follows
robots.txt's Sitemap line, the sitemap index, its chunk sitemaps and the listing pages; article
pages are fetched once per id, as smm_news fetches them, and yield nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spiders import SitemapSpider

_ARTICLE_ID_RE = re.compile(r"/newscontent/(\d+)")


class BareSpider(SitemapSpider):
    name = "bare"

    def __init__(self, base_url: str = "http://127.0.0.1:8000/", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sitemap_urls = [urljoin(base_url, "robots.txt")]
        # smm_news deduplicates by article id (two slugs, one request); so does the baseline.
        self.seen_ids: set[str] = set()

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        found = _ARTICLE_ID_RE.search(response.url)
        if found:
            self.seen_ids.add(found[1])
            return
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            found = _ARTICLE_ID_RE.search(href)
            if found and found[1] not in self.seen_ids:
                self.seen_ids.add(found[1])
                yield response.follow(href, callback=self.parse_article)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        yield from ()

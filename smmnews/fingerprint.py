"""Requests for one article id are one request, whatever the slug or URL form.

The dupefilter is deliberately not persisted to JOBDIR: Scrapy writes a fingerprint when a
request is *scheduled*, so after a SIGKILL the in-flight requests would count as done and their
articles would be lost. Completeness across crashes comes from the state store instead: known
articles are skipped before a request is made, everything else is discovered again.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter
from scrapy.utils.request import RequestFingerprinter

from smmnews.extract.urls import article_id_from_url

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector



class ArticleFingerprinter:
    """Article pages fingerprint by id; every other request as Scrapy does."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        article_id = article_id_from_url(request.url)
        if article_id and request.method == "GET":
            return hashlib.sha1(f"smm:{article_id}".encode(), usedforsecurity=False).digest()
        fingerprint: bytes = self._default.fingerprint(request)
        return fingerprint


def is_same_article_redirect(request: Request) -> bool:
    """A redirect from one URL of an article to another URL of the same id
    (`/newscontent/<id>` -> `/newscontent/<id>/<slug>`): the request that passed the filter,
    continued. It has the same fingerprint, and the filter must not drop it as a repeat.
    REDIRECT_MAX_TIMES still bounds a loop."""
    redirected = request.meta.get("redirect_urls")
    if not redirected:
        return False
    article_id = article_id_from_url(request.url)
    return article_id is not None and article_id_from_url(redirected[-1]) == article_id


class ArticleDupeFilter(BaseDupeFilter):
    """In-memory fingerprints of this run (see the module docstring for why not on disk)."""

    def __init__(self, fingerprinter: Any, stats: StatsCollector | None = None) -> None:
        self.fingerprinter = fingerprinter
        self.stats = stats
        self.seen: set[bytes] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleDupeFilter:
        return cls(crawler.request_fingerprinter, crawler.stats)

    def log(self, request: Request, spider: Spider) -> None:
        # Overrides the deprecated base method; a repeat is normal here (two slugs, one id).
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")

    def request_seen(self, request: Request) -> bool:
        if is_same_article_redirect(request):
            return False
        if request.meta.get("sweep"):
            # An id sweep requests each id once by construction: remembering them would grow
            # memory with the sweep (a million ids), for nothing. Distributed workers share
            # the Redis dupefilter instead, which does remember them.
            return False
        fingerprint = self.fingerprinter.fingerprint(request)
        if fingerprint in self.seen:
            return True
        self.seen.add(fingerprint)
        return False

"""Downloader middlewares: what may be fetched at all.

KnownArticlesMiddleware skips article requests for ids the state store already holds. The
spider checks the store before it schedules a request, but a resumed JOBDIR crawl replays
requests from its disk queue that were scheduled before the crash, and two discoveries of one
id can both be queued before the first is fetched. This last check, just before download,
keeps every article to one fetch per run.

SiteOffsiteMiddleware filters by host, port and scheme; RobotsVerdictMiddleware applies the
robots.txt rules a second time (see each class for why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from smmnews.runtime import RunContext, context_for
from smmnews.state import StateError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


KNOWN_ARTICLE = "known article"
FETCHED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


class KnownArticlesMiddleware:
    def __init__(self, context: RunContext) -> None:
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticlesMiddleware:
        return cls(context_for(crawler))

    def process_request(self, request: Request) -> None:
        article_id = request.meta.get("article_id")
        if not article_id or request.meta.get("refetch"):
            return
        try:
            known = self.context.state.get(article_id)
        except StateError as exc:
            self.context.fail("state", str(exc), stop=True)
            raise IgnoreRequest(f"state store failed: {article_id} not fetched") from None
        if known is not None:
            raise IgnoreRequest(f"{KNOWN_ARTICLE} {article_id}")


class SiteOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter by host name, plus what it leaves open: the port (a mirror at
    127.0.0.1:8080 must not reach a service at 127.0.0.1:6379) and the scheme (only http and
    https are fetched; a sitemap may list ftp:// or file:// URLs). The base URL's host is
    allowed on the base URL's port; every other allowed host on its scheme's default port."""

    def should_follow(self, request: Request, spider: Any) -> bool:
        parts = urlparse_cached(request)
        if parts.scheme not in FETCHED_SCHEMES:
            self.stats.inc_value(f"smmnews/scheme/{parts.scheme or 'none'}")
            return False
        if not super().should_follow(request, spider):
            return False
        base_url = getattr(spider, "base_url", None)  # both of our spiders name their site
        base = urlsplit(base_url) if isinstance(base_url, str) else None
        port = _port(parts.scheme, parts.port)
        if base is not None and parts.hostname == base.hostname:
            allowed = _port(base.scheme, base.port)
        else:
            allowed = DEFAULT_PORTS[parts.scheme]
        if port != allowed:
            self.stats.inc_value("smmnews/offsite/port")
            return False
        return True


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else DEFAULT_PORTS.get(scheme, 0)


class RobotsVerdictMiddleware:
    """A second robots.txt check, right after Scrapy's (ROBOTSTXT_OBEY), on the parser Scrapy
    built (the `robots_parsed` signal) and always with this crawler's own User-Agent.

    Distributed workers let disallowed articles through Scrapy's check alone (seen with two
    Redis workers: requests queued by another worker passed it although this worker had parsed
    the rules); a single crawl never did. Checking again with the crawler's User-Agent keeps
    every worker to the rules exactly as a single crawl is."""

    def __init__(self, crawler: Any) -> None:
        self.useragent = (crawler.settings.get("ROBOTSTXT_USER_AGENT")
                          or crawler.settings.get("USER_AGENT") or "*")
        self.stats = crawler.stats
        self.parsers: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RobotsVerdictMiddleware:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        middleware = cls(crawler)
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        return middleware

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        self.parsers[urlparse_cached(request).netloc] = robotparser

    def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        parser = self.parsers.get(urlparse_cached(request).netloc)
        if parser is not None and not parser.allowed(request.url, self.useragent):
            self.stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest("Forbidden by robots.txt")

"""Downloader middlewares: stamp each response's fetch time; write every response to WARC.

Both sit next to the downloader (above HttpCompressionMiddleware and the redirect, retry and
robots.txt middlewares), so they see every response as it came off the wire: robots.txt,
sitemaps, listings, redirects, errors and articles, bodies still content-encoded. A page
rendered in Chromium (`SMMNEWS_RENDER`) is the exception: the browser hands over the page after
its scripts ran, decoded, under the server's headers. It is archived as the spider read it (so
`reextract` gives the crawl's record; the plain fetch before it is archived too), with its
Content-Length made true and a WARC-JSON-Metadata field saying it was rendered.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from w3lib.url import safe_url_string

from smmnews import stats as keys
from smmnews.archive.files import CRAWL_NOW_FIELD, WarcFileSet, http_headers, salvage
from smmnews.render import RENDERED

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# request.meta key (an ISO string: JSON-safe for the Redis queue, pickle-safe for JOBDIR).
FETCHED_AT = "fetched_at"
# Twisted has already de-chunked the body; a reader would try to de-chunk it again.
DROPPED_HEADERS = frozenset({b"transfer-encoding"})


def now_to_the_second() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def fetch_time(response: Response) -> datetime:
    """When the response arrived: the record's `crawled_at` and the archive's WARC-Date."""
    stamp = response.meta.get(FETCHED_AT)
    return datetime.fromisoformat(stamp) if stamp else now_to_the_second()


class FetchTimeMiddleware:
    """One fetch time per response, shared by the record and the archive (so `reextract`
    gives the same `crawled_at` as the crawl)."""

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta[FETCHED_AT] = now_to_the_second().isoformat()
        return response


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() if name.lower() not in DROPPED_HEADERS
            for value in values]


def request_headers(request: Request) -> tuple[Any, bytes]:
    parts = urlsplit(safe_url_string(request.url))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = [("Host", parts.netloc), *_header_pairs(request.headers)]
    return http_headers(f"{request.method} {target}", pairs, request=True), request.body


# The WARC field (a Webrecorder convention) marking a response the browser rendered.
RENDERED_METADATA = {"WARC-JSON-Metadata": json.dumps({"smmnews": {"rendered": "chromium"}})}


def response_headers(response: Response, *, rendered: bool = False) -> tuple[Any, bytes]:
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    line = f"{response.status} {phrase}".strip()
    protocol = response.protocol or "HTTP/1.1"
    pairs = _header_pairs(response.headers)
    if rendered:
        # The server's length was the shell's; the body is the rendered page.
        pairs = [(n, v) for n, v in pairs if n.lower() != "content-length"]
        pairs.append(("Content-Length", str(len(response.body))))
    return http_headers(line, pairs, protocol=protocol), response.body


class ArchiveMiddleware:
    """Every response, with its request, into `SMMNEWS_ARCHIVE` (a directory) as WARC."""

    def __init__(self, files: WarcFileSet, stats: Any) -> None:
        self.files = files
        self.stats = stats
        self.broken = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        settings = crawler.settings
        directory = settings.get("SMMNEWS_ARCHIVE")
        if not directory:
            raise NotConfigured  # off unless set; silent (a message would log a warning)
        path = Path(directory)
        if settings.getbool("SMMNEWS_SALVAGE_ORPHANS", True) and path.is_dir():
            salvage(path)
        options = getattr(getattr(crawler, "spider", None), "options", None)
        now = getattr(options, "now", None)
        files = WarcFileSet(path, crawler.spidercls.name,
                            max_bytes=settings.getint("SMMNEWS_ARCHIVE_MAX_BYTES"),
                            info={CRAWL_NOW_FIELD: now.isoformat()} if now else None)
        middleware = cls(files, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        if self.broken:
            return response
        stamp = request.meta.get(FETCHED_AT)
        fetched = datetime.fromisoformat(stamp) if stamp else now_to_the_second()
        try:
            rendered = bool(request.meta.get(RENDERED))
            self.files.write_exchange(response.url, fetched, request_headers(request),
                                      response_headers(response, rendered=rendered),
                                      extra=RENDERED_METADATA if rendered else None)
        except OSError as exc:
            # A full disk must not stop the crawl; the records still go out.
            self.broken = True
            self.stats.inc_value(keys.ARCHIVE_WRITE_FAILED)
            logger.error("Archive writing stopped (%s): %s", exc, self.files.directory)
            return response
        except ValueError as exc:  # headers WARC cannot carry; nothing was written
            self.stats.inc_value(keys.ARCHIVE_UNWRITABLE)
            logger.warning("Response not archived (%s): %s", exc, response.url)
            return response
        self.stats.inc_value(keys.ARCHIVE_RESPONSES)
        return response

    def spider_closed(self) -> None:
        self.files.close()
        if self.files.written:
            logger.info("Archive: %d WARC file(s) in %s", len(self.files.written),
                        self.files.directory)

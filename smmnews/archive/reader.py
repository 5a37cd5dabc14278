"""Article responses in any WARC: where they are, and the page as the spider would see it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from smmnews.archive.files import OPEN_SUFFIX
from smmnews.extract.urls import article_id_from_url

logger = logging.getLogger(__name__)

STATUS_LINE_LIMIT = 1024
ARCHIVE_PATTERNS = ("*.warc.gz", "*.warc", f"*.warc.gz{OPEN_SUFFIX}")


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """An HTTP 2xx response at an article URL, located in its WARC file."""

    path: str
    offset: int
    url: str
    article_id: str
    fetched_at: datetime


def archive_files(inputs: Iterable[Path]) -> list[Path]:
    """Files as given; directories give their WARC files, oldest run first (names sort so)."""
    found: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found += sorted({f for pattern in ARCHIVE_PATTERNS for f in path.glob(pattern)})
        else:
            found.append(path)
    return found


def parse_warc_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _status(record: Any) -> bytes:
    """The HTTP status code, read off the status line (HTTP headers are not parsed: the scan
    is the one serial step of `reextract`)."""
    parts = record.raw_stream.readline(STATUS_LINE_LIMIT).split(None, 2)
    return parts[1] if len(parts) > 1 and parts[0].startswith(b"HTTP/") else b""


def article_responses(path: Path) -> Iterator[ArchivedPage]:
    """Every 2xx response at an article URL in one WARC file; a damaged tail (an interrupted
    run's `.open` file, a cut download) ends the file with one log line."""
    with path.open("rb") as handle:
        records = ArchiveIterator(handle, no_record_parse=True)
        try:
            for record in records:
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                article_id = article_id_from_url(url)
                if article_id is None or not _status(record).startswith(b"2"):
                    continue
                date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
                yield ArchivedPage(str(path), records.get_record_offset(), url, article_id, date)
        except Exception as exc:  # warcio raises several kinds on a cut or corrupt file
            logger.warning("Archive file ends in a damaged record (%s), rest skipped: %s",
                           type(exc).__name__, path)


def load_response(path: str, offset: int) -> Response:
    """The archived response as Scrapy hands it to the spider: body decoded (transfer and
    content encoding), response class and encoding chosen from headers and body."""
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        url = record.rec_headers.get_header("WARC-Target-URI")
        status = int(record.http_headers.get_statuscode())
        headers = Headers()
        for name, value in record.http_headers.headers:
            headers.appendlist(name, value)
        body = record.content_stream().read()
    # As HttpCompressionMiddleware leaves it: decoded, so the encoding header goes.
    headers.pop(b"Content-Encoding", None)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    response: Response = cls(url=url, status=status, headers=headers, body=body)
    return response

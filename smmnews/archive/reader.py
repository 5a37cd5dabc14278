"""Article responses in any WARC: where they are, and the page as the spider would see it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

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


@dataclass
class Damage:
    """Damaged stretches met while scanning a file (each skipped, the scan resumed after it)."""

    count: int = 0


# How a record starts: a gzip member (gzip per record, as WARC writers do) or a plain record.
GZIP_MEMBER = b"\x1f\x8b\x08"
PLAIN_RECORD = b"WARC/1."
SEARCH_BLOCK = 1 << 20


def next_record_start(handle: IO[bytes], after: int, marker: bytes) -> int | None:
    """The offset of the first `marker` after `after`, or None (read in blocks; a marker can
    also occur by chance inside compressed data: reading fails there and the search goes on)."""
    position = after + 1
    while True:
        handle.seek(position)
        block = handle.read(SEARCH_BLOCK + len(marker) - 1)
        found = block.find(marker)
        if found >= 0:
            return position + found
        if len(block) < SEARCH_BLOCK + len(marker) - 1:
            return None
        position += SEARCH_BLOCK


def article_responses(path: Path, damage: Damage | None = None) -> Iterator[ArchivedPage]:
    """Every 2xx response at an article URL in one WARC file. A damaged record (flipped bytes,
    a cut download, an interrupted run's `.open` file) is skipped with one log line each, and
    the scan resumes at the next record that reads (gzip per record makes that possible)."""
    damage = damage if damage is not None else Damage()
    with path.open("rb") as handle:
        marker = GZIP_MEMBER if handle.read(3) == GZIP_MEMBER else PLAIN_RECORD
        start: int | None = 0
        while start is not None:
            handle.seek(start)
            reached = start
            records = ArchiveIterator(handle, no_record_parse=True)
            try:
                for record in records:
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    article_id = article_id_from_url(url)
                    wanted = (record.rec_type == "response" and article_id is not None
                              and _status(record).startswith(b"2"))
                    # Read after the status line: asking for the offset reads the record out.
                    reached = records.get_record_offset()
                    if wanted and article_id is not None:
                        date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
                        yield ArchivedPage(str(path), reached, url, article_id, date)
                start = None
            except Exception as exc:  # warcio raises several kinds on a cut or corrupt file
                damage.count += 1
                start = next_record_start(handle, reached, marker)
                where = "rest skipped" if start is None else f"resumed at byte {start}"
                logger.warning("Archive file has a damaged record after byte %d (%s), %s: %s",
                               reached, type(exc).__name__, where, path)


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

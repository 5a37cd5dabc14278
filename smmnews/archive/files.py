"""A run's set of WARC files: one gzip member per record, flushed, rotated by size.

Each file is written as `<name>.warc.gz.open` and renamed to `<name>.warc.gz` when it is full or
the run ends. Every record is one complete gzip member written and flushed before the next, so a
SIGKILL loses at most the record being written; `salvage` cuts that partial member off an orphaned
`.open` file and renames it, so the next run (or `reextract`) reads every complete record.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
# warcinfo field: the crawl's `-a now` (relative dates resolve against it), so a re-extraction
# resolves them as the crawl did without being told.
CRAWL_NOW_FIELD = "smmnews-now"
WARC_SUFFIX = ".warc.gz"
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
# The WARC-Date form every WARC 1.0 reader accepts; the record's crawled_at has seconds too.
SCAN_CHUNK = 1024 * 1024
WARC_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(WARC_DATE_FORMAT)


def complete_length(path: Path) -> int:
    """Bytes of `path` up to the end of its last complete gzip member (streamed, any size)."""
    offset = kept = 0
    member = zlib.decompressobj(wbits=31)
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK):
            while chunk:
                try:
                    member.decompress(chunk)
                except zlib.error:
                    return kept
                if not member.eof:
                    offset += len(chunk)
                    break
                offset += len(chunk) - len(member.unused_data)
                kept = offset
                chunk = member.unused_data
                member = zlib.decompressobj(wbits=31)
    return kept


def salvage(directory: Path) -> list[Path]:
    """Close the `.open` files a killed run left in `directory`: cut a partial last record,
    rename into place. Returns the files made."""
    made = []
    for orphan in sorted(directory.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")):
        keep = complete_length(orphan)
        with orphan.open("rb+") as handle:
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
        final = orphan.with_name(orphan.name[: -len(OPEN_SUFFIX)])
        orphan.replace(final)
        made.append(final)
        logger.warning("Salvaged the archive file of an interrupted run: %s (%d bytes)",
                       final, keep)
    return made


def http_headers(status_line: str, headers: Iterable[tuple[str, str]], *,
                 protocol: str = "HTTP/1.1", request: bool = False) -> StatusAndHeaders:
    return StatusAndHeaders(status_line, list(headers), protocol=protocol,
                            is_http_request=request)


class WarcFileSet:
    """`<prefix>-<run stamp>-<serial>.warc.gz` files in one directory, one set per run."""

    def __init__(self, directory: Path, prefix: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 started: datetime | None = None, software: str = "smmnews",
                 info: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.stamp = (started or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
        self.software = software
        self.info = dict(info or {})
        self.serial = 0
        self.handle: IO[bytes] | None = None
        self.path: Path | None = None
        self.writer: WARCWriter | None = None
        # A record is serialised here first and reaches the file in one write, so a record
        # that fails to serialise leaves no half member behind.
        self.buffer = BytesIO()
        self.written: list[Path] = []

    def _open(self) -> WARCWriter:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{self.prefix}-{self.stamp}-{self.serial:05d}{WARC_SUFFIX}"
        self.serial += 1
        self.path = self.directory / (name + OPEN_SUFFIX)
        self.handle = self.path.open("xb")
        self.writer = WARCWriter(self.buffer, gzip=True)
        info = self.writer.create_warcinfo_record(name, {"software": self.software,
                                                         "format": "WARC File Format 1.0",
                                                         **self.info})
        self._write(info)
        return self.writer

    def _serialise(self, record: object) -> bytes:
        assert self.writer is not None
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.write_record(record)
        return self.buffer.getvalue()

    def _write(self, *records: object) -> None:
        data = b"".join(self._serialise(record) for record in records)
        assert self.handle is not None
        self.handle.write(data)
        self.handle.flush()  # whole gzip members reach the OS before the next write begins

    def write_exchange(self, url: str, fetched_at: datetime,
                       request: tuple[StatusAndHeaders, bytes],
                       response: tuple[StatusAndHeaders, bytes], *,
                       extra: dict[str, str] | None = None) -> None:
        """A response record and the request record that asked for it (WARC-Concurrent-To);
        `extra`: more WARC header fields for the response record."""
        writer = self.writer or self._open()
        date = warc_date(fetched_at)
        answer = writer.create_warc_record(url, "response", payload=BytesIO(response[1]),
                                           length=len(response[1]), http_headers=response[0],
                                           warc_headers_dict={"WARC-Date": date, **(extra or {})})
        question = writer.create_warc_record(url, "request", payload=BytesIO(request[1]),
                                             length=len(request[1]), http_headers=request[0],
                                             warc_headers_dict={"WARC-Date": date})
        question.rec_headers.add_header("WARC-Concurrent-To",
                                        answer.rec_headers.get_header("WARC-Record-ID"))
        self._write(answer, question)
        assert self.handle is not None
        if self.handle.tell() >= self.max_bytes:
            self.close()

    def close(self) -> None:
        """fsync and rename the current file into place."""
        if self.handle is None or self.path is None:
            return
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        final = self.path.with_name(self.path.name[: -len(OPEN_SUFFIX)])
        self.path.replace(final)
        self.written.append(final)
        self.handle = self.writer = self.path = None

"""One archived page to one output line, as the crawl makes it (runs in the worker processes).

The page goes through what `parse_article` does with a live response (response type,
`build_record` with the fetch time as `crawled_at` and as "now", the same fault counters), then
the crawl's validation pipeline and its JSON Lines exporter. Only bytes and counters travel back
to the main process, which writes lines in page order and keeps the one rejects file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.http import TextResponse

from smmnews.archive.reader import load_response
from smmnews.extract.article import NotAnArticle
from smmnews.extract.decode import BadPage
from smmnews.feeds import RecordJsonLinesExporter
from smmnews.pipelines import ValidationPipeline
from smmnews.record import build_record
from smmnews.runtime import RunContext
from smmnews.spiders.smm_news import reason_code
from smmnews.state import SqliteStateStore

# (WARC path, record offset, fetch time ISO, "now" ISO or None for the fetch time)
Task = tuple[str, int, str, str | None]


@dataclass
class Stats:
    """The part of Scrapy's stats collector the pipelines use."""

    values: dict[str, Any] = field(default_factory=dict)

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def get_stats(self) -> dict[str, Any]:
        return self.values


@dataclass(frozen=True, slots=True)
class Outcome:
    """A page's result: an output line, or a log message, or a rejected record and why;
    with the counters it moved."""

    stats: dict[str, int]
    line: bytes | None = None
    message: str | None = None
    rejected: tuple[Any, list[str]] | None = None


class _Rejects(ValidationPipeline):
    """The crawl's validation; a rejected record goes back to the main process's rejects file."""

    def __init__(self, stats: Stats) -> None:
        super().__init__(RunContext(state=SqliteStateStore(":memory:")), stats)
        self.last: tuple[Any, list[str]] | None = None

    def reject(self, item: dict[str, Any], errors: list[str]) -> None:
        self.last = (item, errors)


class PageWorker:
    """Per process: one validation pipeline and one exporter, reused for every page."""

    def __init__(self) -> None:
        self.stats = Stats()
        self.validation = _Rejects(self.stats)
        self.buffer = BytesIO()
        self.exporter = RecordJsonLinesExporter(self.buffer)
        self.exporter.start_exporting()

    def __call__(self, task: Task) -> Outcome:
        self.stats.values = {}
        self.validation.last = None
        line, message = self.page(task)
        return Outcome(dict(self.stats.values), line, message, self.validation.last)

    def page(self, task: Task) -> tuple[bytes | None, str | None]:
        path, offset, fetched_text, now_text = task
        response = load_response(path, offset)
        if not isinstance(response, TextResponse):
            self.stats.inc_value("smmnews/bad_page/not_text")
            kind = (response.headers.get("Content-Type") or b"?").decode("latin-1")
            return None, f"Not a text page ({kind}): {response.url}"
        fetched = datetime.fromisoformat(fetched_text)
        now = datetime.fromisoformat(now_text) if now_text else fetched
        try:
            result = build_record(response.body, response.url, now,
                                  encoding=response.encoding, crawled_at=fetched)
        except BadPage as exc:
            self.stats.inc_value(f"smmnews/bad_page/{exc.reason}")
            return None, f"Bad page ({exc.reason}: {exc.detail}): {response.url}"
        if isinstance(result, NotAnArticle):
            self.stats.inc_value(f"smmnews/not_article/{reason_code(result.reason)}")
            return None, f"Not an article ({result.reason}): {response.url}"
        try:
            item = self.validation.process_item(result)
        except DropItem as exc:
            return None, f"Dropped: {exc}"
        return self.export(item), None

    def export(self, item: Any) -> bytes:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.exporter.export_item(item)
        self.stats.inc_value("item_scraped_count")
        self.stats.inc_value(f"smmnews/extraction/title/{item['extraction']['title']}")
        self.stats.inc_value(
            f"smmnews/extraction/published_at/{item['extraction']['published_at']}")
        return self.buffer.getvalue()


_WORKER: PageWorker | None = None


def extract_page(task: Task) -> Outcome:
    """Pool entry point: the process's own worker, made on first use."""
    global _WORKER
    if _WORKER is None:
        _WORKER = PageWorker()
    return _WORKER(task)


def task_for(path: str | Path, offset: int, fetched: datetime, now: datetime | None) -> Task:
    return (str(path), offset, fetched.isoformat(), now.isoformat() if now else None)

"""One archived page to one output line, as the crawl makes it (runs in the worker processes).

The page goes through what `parse_article` does with a live response (response type,
`build_record` with the fetch time as `crawled_at` and as "now", the same fault counters), then
the crawl's validation pipeline and its JSON Lines exporter. An article fetched more than once
(a refetch after a sitemap `lastmod`) gets its revision as the crawls counted it, from the
content hashes of its earlier fetches; when its latest fetch is no longer an article (a login
wall, a removed page), the record of its latest fetch that was one. Only bytes and counters
travel back to the main process, which writes lines in page order and keeps the one rejects
file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING, Any, cast

from scrapy.exceptions import DropItem
from scrapy.http import TextResponse

from smmnews import stats as keys
from smmnews.archive.reader import ArchivedPage, load_response
from smmnews.exporters import RecordJsonLinesExporter
from smmnews.extract.article import NotAnArticle
from smmnews.extract.decode import BadPage
from smmnews.items import Article
from smmnews.pipelines import ValidationPipeline
from smmnews.record import build_record
from smmnews.runtime import RunContext
from smmnews.state import SqliteStateStore

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

# A page: (WARC path, record offset, fetch time ISO)
Fetch = tuple[str, int, str]
# The latest fetch of an article, "now" (ISO, or None for each fetch time), earlier fetches
Task = tuple[Fetch, str | None, tuple[Fetch, ...]]


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


def as_collector(stats: Stats) -> StatsCollector:
    """Our stats where a pipeline expects Scrapy's collector (it uses only inc_value)."""
    return cast("StatsCollector", stats)


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
        super().__init__(RunContext(state=SqliteStateStore(":memory:")), as_collector(stats))
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
        latest, now_text, earlier = task
        result = self.record(latest, now_text)
        fault = None
        if isinstance(result, str):
            fault = result
            # The crawl that met a login wall or a removed page on a refetch had already
            # published the article from an earlier fetch: that record is the one kept.
            earlier_results = [self.uncounted(fetch, now_text) for fetch in earlier]
            kept = [n for n, found in enumerate(earlier_results) if isinstance(found, Article)]
            if not kept:
                return None, fault
            result = cast("Article", earlier_results[kept[-1]])
            hashes = [found.content_hash for found in earlier_results[:kept[-1]]
                      if isinstance(found, Article)]
        else:
            hashes = [found.content_hash for fetch in earlier
                      if isinstance(found := self.uncounted(fetch, now_text), Article)]
        if hashes:
            result.revision, result.previous_content_hash = revisions(
                [*hashes, result.content_hash])
        try:
            item = self.validation.process_item(result)
        except DropItem as exc:
            return None, f"Dropped: {exc}"
        return self.export(item), fault

    def record(self, fetch: Fetch, now_text: str | None) -> Article | str:
        """The spider's checks and `build_record`: the record, or the log line of the fault
        (counted)."""
        path, offset, fetched_text = fetch
        try:
            response = load_response(path, offset)
        except Exception as exc:  # warcio and zlib raise several kinds on a damaged record
            self.stats.inc_value(keys.ARCHIVE_UNREADABLE)
            return f"Archived response unreadable ({type(exc).__name__}) at byte {offset}: {path}"
        if not isinstance(response, TextResponse):
            self.stats.inc_value(keys.BAD_PAGE_NOT_TEXT)
            kind = (response.headers.get("Content-Type") or b"?").decode("latin-1")
            return f"Not a text page ({kind}): {response.url}"
        fetched = datetime.fromisoformat(fetched_text)
        now = datetime.fromisoformat(now_text) if now_text else fetched
        try:
            result = build_record(response.body, response.url, now,
                                  encoding=response.encoding, crawled_at=fetched)
        except BadPage as exc:
            self.stats.inc_value(keys.bad_page(exc.reason))
            return f"Bad page ({exc.reason}: {exc.detail}): {response.url}"
        if isinstance(result, NotAnArticle):
            self.stats.inc_value(keys.not_article(result.code))
            return f"Not an article ({result}): {response.url}"
        return result

    def uncounted(self, fetch: Fetch, now_text: str | None) -> Article | str:
        """An earlier fetch's record or fault (its faults were counted by the crawl that made
        it, and are not counted again)."""
        counted = dict(self.stats.values)
        result = self.record(fetch, now_text)
        self.stats.values = counted
        return result

    def export(self, item: Article) -> bytes:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.exporter.export_item(item)
        self.stats.inc_value("item_scraped_count")
        for name in ("title", "published_at"):  # as the spider counts them
            self.stats.inc_value(keys.extraction_source(name, item.extraction[name]))
        return self.buffer.getvalue()


def revisions(hashes: list[str]) -> tuple[int, str | None]:
    """Revision and previous content hash of the last of an article's fetches (oldest first),
    counted as the crawl's incremental pipeline does: a new revision when the hash changed."""
    revision, current, previous = 0, None, None
    for content_hash in hashes:
        if content_hash != current:
            revision, previous, current = revision + 1, current, content_hash
    return revision, previous


_WORKER: PageWorker | None = None


def extract_page(task: Task) -> Outcome:
    """Pool entry point: the process's own worker, made on first use."""
    global _WORKER
    if _WORKER is None:
        _WORKER = PageWorker()
    return _WORKER(task)


def fetch_of(page: ArchivedPage) -> Fetch:
    return (page.path, page.offset, page.fetched_at.isoformat())


def task_for(latest: ArchivedPage, earlier: Sequence[ArchivedPage], now: datetime | None) -> Task:
    return (fetch_of(latest), now.isoformat() if now else None, tuple(map(fetch_of, earlier)))

"""`smmnews reextract`: the spider's record path over archived article responses.

Each archived page goes through what `parse_article` does with a live response (response type,
`build_record` with the fetch time as `crawled_at` and as "now", the same fault counters), then
through the crawl's validation pipeline (rejects file) and its JSON Lines exporter; the output
is published like a feed (`.part`, fsync, rename) with a run summary beside it. One record per
article id: its latest archived fetch.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.http import TextResponse

from smmnews.archive.progress import ProgressBar
from smmnews.archive.reader import ArchivedPage, archive_files, article_responses, load_response
from smmnews.extensions import summary_path
from smmnews.extract.article import NotAnArticle
from smmnews.extract.decode import BadPage
from smmnews.feeds import RecordJsonLinesExporter, part_path, publish
from smmnews.pipelines import ValidationPipeline
from smmnews.record import build_record
from smmnews.runtime import RunContext
from smmnews.spiders.smm_news import reason_code
from smmnews.state import SqliteStateStore

logger = logging.getLogger(__name__)

# Pages per task sent to a worker: large enough to amortise the pickling, small enough that
# the progress bar moves and the workers finish together.
CHUNK = 8


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


@dataclass(frozen=True)
class Selection:
    """What to re-extract: ids (ranges) and a fetch-time bound."""

    ids: tuple[range, ...] = ()
    since: datetime | None = None

    def wants(self, page: ArchivedPage) -> bool:
        if self.since is not None and page.fetched_at < self.since:
            return False
        number = int(page.article_id)
        return not self.ids or any(number in ids for ids in self.ids)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A worker's answer for one page: a record, or the fault counter and log line."""

    record: Any = None
    stat: str | None = None
    message: str | None = None


def latest_pages(files: Sequence[Path], selection: Selection,
                 stats: Stats) -> list[ArchivedPage]:
    """The latest fetch of each wanted article id, in archive order."""
    latest: dict[str, tuple[tuple[datetime, int, int], ArchivedPage]] = {}
    for index, path in enumerate(files):
        for page in article_responses(path):
            stats.inc_value("smmnews/archive/article_responses")
            if not selection.wants(page):
                stats.inc_value("smmnews/skipped/not_selected")
                continue
            key = (page.fetched_at, index, page.offset)
            if (held := latest.get(page.article_id)) is not None:
                stats.inc_value("smmnews/skipped/older_fetch")
                if held[0] > key:
                    continue
            latest[page.article_id] = (key, page)
    return [page for _, page in sorted(latest.values(), key=lambda held: held[0][1:])]


def extract_page(task: tuple[str, int, str, str | None]) -> Outcome:
    """One archived page through the spider's checks and `build_record` (runs in a worker)."""
    path, offset, fetched_text, now_text = task
    response = load_response(path, offset)
    if not isinstance(response, TextResponse):
        content_type = (response.headers.get("Content-Type") or b"?").decode("latin-1")
        return Outcome(stat="bad_page/not_text",
                       message=f"Not a text page ({content_type}): {response.url}")
    fetched = datetime.fromisoformat(fetched_text)
    now = datetime.fromisoformat(now_text) if now_text else fetched
    try:
        result = build_record(response.body, response.url, now, encoding=response.encoding,
                              crawled_at=fetched)
    except BadPage as exc:
        return Outcome(stat=f"bad_page/{exc.reason}",
                       message=f"Bad page ({exc.reason}: {exc.detail}): {response.url}")
    if isinstance(result, NotAnArticle):
        return Outcome(stat=f"not_article/{reason_code(result.reason)}",
                       message=f"Not an article ({result.reason}): {response.url}")
    return Outcome(record=result)


def outcomes(pages: list[ArchivedPage], now: datetime | None,
             processes: int) -> Iterator[Outcome]:
    """Outcomes in page order; one process works in this one (the honest baseline)."""
    tasks = [(p.path, p.offset, p.fetched_at.isoformat(), now.isoformat() if now else None)
             for p in pages]
    if processes <= 1:
        yield from map(extract_page, tasks)
        return
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap(extract_page, tasks, chunksize=CHUNK)


def count_record(stats: Stats, record: Any) -> None:
    """The counters the spider keeps per emitted record."""
    stats.inc_value("item_scraped_count")
    stats.inc_value(f"smmnews/extraction/title/{record['extraction']['title']}")
    stats.inc_value(f"smmnews/extraction/published_at/{record['extraction']['published_at']}")


def export_all(pages: list[ArchivedPage], output: Path, stats: Stats, *,
               now: datetime | None, processes: int) -> None:
    """Records through validation (rejects file) and the feed exporter, into `output`."""
    validation = ValidationPipeline(RunContext(state=SqliteStateStore(":memory:"),
                                               outputs=[output]), stats)
    part = part_path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    bar = ProgressBar(len(pages))
    with part.open("wb") as handle:
        exporter = RecordJsonLinesExporter(handle)
        exporter.start_exporting()
        for outcome in outcomes(pages, now, processes):
            bar.advance()
            if outcome.stat is not None:
                stats.inc_value(f"smmnews/{outcome.stat}")
                logger.warning("%s", outcome.message)
                continue
            try:
                item = validation.process_item(outcome.record)
            except DropItem:
                continue
            exporter.export_item(item)
            count_record(stats, item)
        exporter.finish_exporting()
        handle.flush()
        os.fsync(handle.fileno())
    bar.close()
    validation.close_spider()
    publish(part, output)


FAULT_KINDS = ("http", "fetch_failed", "bad_page", "not_article")


def summary(stats: Stats, files: list[Path], output: Path, seconds: float,
            processes: int) -> dict[str, Any]:
    """The crawl's run summary, for a re-extraction."""
    values = stats.get_stats()

    def under(prefix: str) -> dict[str, Any]:
        return {k[len(prefix):]: v for k, v in sorted(values.items()) if k.startswith(prefix)}

    return {
        "command": "reextract",
        "finish_reason": "finished",
        "finished_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "elapsed_seconds": round(seconds, 3),
        "processes": processes,
        "items": values.get("item_scraped_count", 0),
        "pages": values.get("smmnews/archive/pages", 0),
        "dropped": under("smmnews/drop/"),
        "skipped": under("smmnews/skipped/"),
        "faults": {k: v for k, v in under("smmnews/").items()
                   if k.split("/")[0] in FAULT_KINDS},
        "extraction": under("smmnews/extraction/"),
        "archives": [str(p) for p in files],
        "outputs": [str(output)],
    }


def reextract(inputs: Sequence[Path], output: Path, *, selection: Selection | None = None,
              now: datetime | None = None, processes: int | None = None) -> dict[str, Any]:
    """Re-extract every wanted article of the archives into `output`; returns the summary
    (also written beside the output)."""
    started = time.monotonic()
    workers = processes or os.cpu_count() or 1
    stats = Stats()
    files = archive_files(inputs)
    pages = latest_pages(files, selection or Selection(), stats)
    stats.inc_value("smmnews/archive/pages", len(pages))
    export_all(pages, output, stats, now=now, processes=workers)
    result = summary(stats, files, output, time.monotonic() - started, workers)
    write_summary(result, summary_path(output))
    return result


def write_summary(result: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)

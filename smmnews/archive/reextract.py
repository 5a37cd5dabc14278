"""`smmnews reextract`: the spider's record path over archived article responses.

The archives are scanned for article responses (one per article id: its latest fetch), the
files and then the pages spread over worker processes (smmnews/archive/worker.py does what the
spider and the pipelines do with each page), and the lines are written in archive order,
published like a feed (`.part`, fsync, rename), with the rejects file and a run summary beside
the output.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any, TypeVar

from smmnews import stats as keys
from smmnews.archive.progress import ProgressBar
from smmnews.archive.reader import ArchivedPage, Damage, archive_files, article_responses
from smmnews.archive.worker import Stats, as_collector, extract_page, task_for
from smmnews.extensions import summary_path
from smmnews.feeds import part_path, publish
from smmnews.pipelines import ValidationPipeline
from smmnews.runtime import RunContext
from smmnews.state import SqliteStateStore

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Pages per task sent to a worker: large enough to amortise the pickling, small enough that
# the progress bar moves and the workers finish together.
CHUNK = 16


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


Selected = tuple[ArchivedPage, tuple[ArchivedPage, ...]]


class Workers:
    """`map` in page order, in this process or over a pool of forked ones."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.pool: Pool | None = None

    def __enter__(self) -> Workers:
        # The modules' objects stay out of the garbage collector's full passes: in one process
        # they are only time spent; after a fork, a pass would also touch (and so copy) every
        # page of memory the workers share with this process.
        gc.freeze()
        if self.processes > 1:
            self.pool = multiprocessing.get_context("fork").Pool(self.processes)
        return self

    def map(self, func: Callable[[T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        if self.pool is None:
            return map(func, items)
        return self.pool.imap(func, items, chunksize=chunksize)

    def __exit__(self, kind: object, *rest: object) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()
        gc.unfreeze()


def scan_file(path: Path) -> tuple[list[ArchivedPage], int]:
    """A file's article responses, and how many damaged stretches were skipped in it."""
    damage = Damage()
    return list(article_responses(path, damage)), damage.count


def latest_pages(scanned: Iterable[tuple[list[ArchivedPage], int]], selection: Selection,
                 stats: Stats) -> list[Selected]:
    """Each wanted article id's latest fetch (in archive order) with its earlier fetches,
    from the article responses of each file (in file order)."""
    fetches: dict[str, list[tuple[tuple[datetime, int, int], ArchivedPage]]] = {}
    for index, (pages, damaged) in enumerate(scanned):
        if damaged:
            stats.inc_value(keys.ARCHIVE_DAMAGED, damaged)
        for page in pages:
            stats.inc_value(keys.ARCHIVE_ARTICLE_RESPONSES)
            if not selection.wants(page):
                stats.inc_value(keys.SKIPPED_NOT_SELECTED)
                continue
            fetches.setdefault(page.article_id, []).append(((page.fetched_at, index,
                                                             page.offset), page))
    chosen = []
    for found in fetches.values():
        found.sort(key=lambda held: held[0])
        if len(found) > 1:
            stats.inc_value(keys.SKIPPED_OLDER_FETCH, len(found) - 1)
        chosen.append((found[-1][0][1:], found[-1][1], tuple(page for _, page in found[:-1])))
    chosen.sort(key=lambda held: held[0])
    return [(latest, earlier) for _, latest, earlier in chosen]


def export_all(pages: list[Selected], output: Path, stats: Stats, *,
               now: datetime | None, workers: Workers) -> None:
    """Lines in page order into `output` (published like a feed); rejects beside it."""
    validation = ValidationPipeline(RunContext(state=SqliteStateStore(":memory:"),
                                               outputs=[output]), as_collector(stats))
    part = part_path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    bar = ProgressBar(len(pages))
    with part.open("wb") as handle:
        # A generator: the pool takes tasks as its pipe to the workers has room.
        tasks = (task_for(latest, earlier, now) for latest, earlier in pages)
        for outcome in workers.map(extract_page, tasks, CHUNK):
            bar.advance()
            for key, count in outcome.stats.items():
                stats.inc_value(key, count)
            if outcome.rejected is not None:
                validation.reject(*outcome.rejected)
            if outcome.message is not None:
                logger.warning("%s", outcome.message)
            if outcome.line is not None:
                handle.write(outcome.line)
        handle.flush()
        os.fsync(handle.fileno())
    bar.close()
    validation.close_spider()
    publish(part, output)


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
        "pages": values.get(keys.ARCHIVE_PAGES, 0),
        "dropped": under(keys.DROP),
        "skipped": under(keys.SKIPPED),
        "faults": {k: v for k, v in under(keys.PREFIX).items()
                   if k.split("/")[0] in keys.FAULT_KINDS},
        # Damaged stretches skipped by the scan; responses found but unreadable afterwards.
        "archive": {"damaged": values.get(keys.ARCHIVE_DAMAGED, 0),
                    "unreadable": values.get(keys.ARCHIVE_UNREADABLE, 0)},
        "extraction": under(keys.EXTRACTION),
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
    # The scan is spread over the workers too: an archive of scheduled runs is many files.
    with Workers(workers) as pool:
        pages = latest_pages(pool.map(scan_file, files), selection or Selection(), stats)
        stats.inc_value(keys.ARCHIVE_PAGES, len(pages))
        export_all(pages, output, stats, now=now, workers=pool)
    result = summary(stats, files, output, time.monotonic() - started, workers)
    result["cpu_seconds"] = cpu_seconds()
    write_summary(result, summary_path(output))
    return result


def cpu_seconds() -> dict[str, float]:
    """CPU time of this process (scan, writing) and of its finished workers (extraction)."""
    own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return {"main": round(own.ru_utime + own.ru_stime, 2),
            "workers": round(workers.ru_utime + workers.ru_stime, 2)}


def write_summary(result: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)

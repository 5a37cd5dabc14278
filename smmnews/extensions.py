"""Crawl-level extensions: crash recovery at start, progress lines, the run summary file."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from twisted.internet import task

from smmnews import locks
from smmnews import stats as keys
from smmnews.crashpoints import crash_point
from smmnews.feeds import companion, os_cause, reconcile
from smmnews.formats import FormatError
from smmnews.runtime import FAILED_REASON, RunContext, context_for, failures_of
from smmnews.state import StateError

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


logger = logging.getLogger(__name__)


# queuelib's disk queues begin with a 4-byte size header, written on creation but only
# flushed later: a SIGKILL can leave an empty queue file, which the resumed run cannot open,
# and every request of that priority (retries, at -1) is then lost with a traceback.
QUEUE_HEADER_BYTES = 4


def drop_unreadable_queues(jobdir: str | None) -> list[Path]:
    """Remove disk-queue files of a killed run too short to hold their header (no request
    is lost: they hold none)."""
    if not jobdir:
        return []
    queues = Path(jobdir) / "requests.queue"
    broken = [p for p in queues.rglob("*") if p.is_file() and p.suffix != ".json"
              and p.stat().st_size < QUEUE_HEADER_BYTES] if queues.is_dir() else []
    for path in broken:
        path.unlink()
        logger.warning("Removed an empty request queue file a killed run left: %s", path)
    return broken


class RecoveryExtension:
    """Before the first request: settle what an interrupted run left (see smmnews/feeds.py)."""

    def __init__(self, context: RunContext, salvage_orphans: bool = True) -> None:
        self.context = context
        self.salvage_orphans = salvage_orphans
        self.stats: Any = None
        self.exits_after = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecoveryExtension:
        extension = cls(context_for(crawler),
                        crawler.settings.getbool("SMMNEWS_SALVAGE_ORPHANS", True))
        # Now, before the scheduler opens its disk queues.
        drop_unreadable_queues(crawler.settings.get("JOBDIR"))
        # Connected after the feed exporter's handler, which registers this run's outputs.
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        extension.stats = crawler.stats
        # Our `scrapy crawl` decides the exit status after the engine stops, and marks the
        # outputs done only then (commands/crawl.py); other runners get them marked here.
        extension.exits_after = crawler.settings.getbool("SMMNEWS_CRAWL_JOB")
        return extension

    def engine_stopped(self) -> None:
        """The last thing a run does: say it ended healthy, so the next run on the same output
        starts afresh (`-O` replaces it) instead of continuing it."""
        stats = self.stats.get_stats() if self.stats is not None else {}
        if failures_of(stats) or stats.get("finish_reason") in (FAILED_REASON, "shutdown"):
            return
        if self.exits_after:
            locks.done_at_exit(list(self.context.outputs))  # `scrapy crawl` marks them
            return
        for output in self.context.outputs:
            locks.mark(output, locks.DONE)

    def spider_opened(self) -> None:
        try:
            reconcile(self.context.state, self.context.outputs,
                      salvage_orphans=self.salvage_orphans, kinds=self.context.formats)
        except StateError as exc:
            self.context.fail("state", str(exc))
        except OSError as exc:
            self.context.fail("output", f"cannot recover {exc.filename}: {os_cause(exc)}")
        except FormatError as exc:
            self.context.fail("output", f"cannot read back {exc.path}, an output of an "
                                        f"interrupted run: {exc}; move it away and run again")
        if self.context.failures:
            # Refused at start (state store or output unusable, or in use by another crawl):
            # nothing is fetched, nothing written.
            raise CloseSpider(FAILED_REASON)


class FailureWatch:
    """Errors that Scrapy only logs become crawl failures (exit 1, counted in the summary):
    an exception in a spider callback or an item pipeline, a feed that could not be stored,
    and a crawl stopped by a signal before it finished."""

    def __init__(self, crawler: Any, context: RunContext) -> None:
        self.crawler = crawler
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Any) -> FailureWatch:
        watch = cls(crawler, context_for(crawler))
        crawler.signals.connect(watch.spider_error, signal=signals.spider_error)
        crawler.signals.connect(watch.item_error, signal=signals.item_error)
        crawler.signals.connect(watch.spider_closed, signal=signals.spider_closed)
        return watch

    def spider_error(self, failure: Any, response: Any) -> None:
        url = getattr(response, "url", "?")
        self.context.fail("callback", f"{type(failure.value).__name__} in a spider callback "
                                      f"({failure.getErrorMessage()}): {url} gave no record "
                                      "(see the traceback above)")

    def item_error(self, item: Any, response: Any, failure: Any) -> None:
        article = getattr(item, "article_id", None)
        self.context.fail("pipeline", f"{type(failure.value).__name__} in an item pipeline "
                                      f"for article {article}: {failure.getErrorMessage()}")

    def spider_closed(self, reason: str) -> None:
        crash_point("during_close")
        stats = self.crawler.stats.get_stats()
        outputs = ", ".join(str(p) for p in self.context.outputs) or "no output"
        for key, count in stats.items():
            if key.startswith("feedexport/failed_count/") and count:
                self.context.fail("feed_storage", f"{count} feed(s) could not be stored "
                                                  f"({outputs}): see the error above")
        if reason == "shutdown":
            self.context.fail("interrupted", f"stopped by a signal before the crawl finished: "
                                             f"{outputs} holds only part of it; run the same "
                                             "command again to complete it")


class ProgressLog:
    """One progress line every SMMNEWS_PROGRESS_INTERVAL seconds; percent and ETA for sweeps."""

    def __init__(self, stats: StatsCollector, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self.started = time.monotonic()
        self.spider: Spider | None = None
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        extension = cls(crawler.stats, crawler.settings.getfloat("SMMNEWS_PROGRESS_INTERVAL"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.log)
            self.loop.start(self.interval, now=False)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = self.stats.get_value("response_received_count", 0)
        items = self.stats.get_value("item_scraped_count", 0)
        text = f"Progress: {pages} pages, {items} items, {pages / elapsed:.1f} pages/s"
        total = getattr(self.spider, "progress_total", 0)
        if total:
            done = self.stats.get_value(keys.SWEEP_DONE, 0)
            rate = done / elapsed
            eta = (total - done) / rate if rate else float("inf")
            text += f", ids {done}/{total} ({100 * done / total:.1f}%), ETA {_duration(eta)}"
        return text

    def log(self) -> None:
        logger.info(self.line())

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        # A last line, so even a run shorter than the interval reports its totals.
        logger.info(self.line().replace("Progress:", "Progress (final):", 1))


def _duration(seconds: float) -> str:
    if seconds == float("inf"):
        return "unknown"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def summary_path(output: Path) -> Path:
    return companion(output, ".stats.json")


class RunSummary:
    """`<output>.stats.json` beside the feed: items, drops by reason, coverage, fallbacks,
    monitor results and finish reason, for the scheduler and the people reading it."""

    def __init__(self, crawler: Crawler, context: RunContext) -> None:
        self.crawler = crawler
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        if not crawler.settings.getbool("SMMNEWS_CRAWL_JOB"):
            # Describes `scrapy crawl` jobs only; silent (a message would log a warning).
            raise NotConfigured
        extension = cls(crawler, context_for(crawler))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def summary(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        monitors = self.context.monitor_report

        def under(prefix: str) -> dict[str, Any]:
            return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}

        return {
            "spider": self.crawler.spider.name if self.crawler.spider else None,
            "finish_reason": stats.get("finish_reason", reason),
            "finished_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "elapsed_seconds": stats.get("elapsed_time_seconds"),
            "items": stats.get("item_scraped_count", 0),
            "pages": stats.get("response_received_count", 0),
            "dropped": under(keys.DROP),
            "skipped": under(keys.SKIPPED),
            "errors": stats.get(keys.ERRORS, 0) + sum(failures_of(stats).values()),
            "failures": failures_of(stats),
            "failure_messages": list(self.context.failures),
            "complete": not failures_of(stats),
            "faults": {k: v for k, v in under(keys.PREFIX).items()
                       if k.split("/")[0] in keys.FAULT_KINDS},
            "coverage": monitors.get("coverage", {}),
            "extraction": under(keys.EXTRACTION),
            "monitors": monitors.get("results", []),
            "monitors_failed": monitors.get("failed", 0),
            "outputs": [str(p) for p in self.context.outputs],
        }

    def spider_closed(self, reason: str) -> None:
        summary = self.summary(reason)
        for output in self.context.outputs or [Path("smmnews")]:
            path = summary_path(output)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + ".part")
                tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str)
                               + "\n", encoding="utf-8")
                tmp.replace(path)
            except OSError as exc:
                logger.error("Run summary not written: %s: %s", path, os_cause(exc))
                with contextlib.suppress(OSError):
                    path.with_name(path.name + ".part").unlink(missing_ok=True)
        logger.info("Run summary: %d items, %d pages, dropped %s, finish reason %s",
                    summary["items"], summary["pages"], summary["dropped"] or "none",
                    summary["finish_reason"])

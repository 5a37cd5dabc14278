"""Per-crawl shared objects: the state store, the outputs this run writes, and its failures.

Components read settings once in from_crawler (Scrapy's habit); the objects they share live
here, keyed by crawler, so the spider, pipelines, feed storage and extensions agree on one store.

A *failure* is anything that may leave the output incomplete or the state store out of step with
it (a write error, a broken state store, an exception in a callback or pipeline). It is logged
once as one ERROR line naming the cause and the file, counted under `smmnews/failed/<kind>`, and
makes `scrapy crawl` exit 1 (smmnews/commands/crawl.py). Failures that make going on pointless
(the output or the state cannot be written) also close the spider.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object

from smmnews.state import StateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
FAILED_PREFIX = "smmnews/failed/"
# The finish reason of a spider closed by a failure.
FAILED_REASON = "failed"


@dataclass
class RunContext:
    state: StateStore
    outputs: list[Path] = field(default_factory=list)
    # The feed format of each output (smmnews.feeds: JSON Lines or written from a journal).
    formats: dict[Path, str] = field(default_factory=dict)
    # The feed storages of this run's file outputs (smmnews.feeds: published together).
    feeds: list[Any] = field(default_factory=list)
    # Filled by smmnews.monitors at the end of the run, read by the run summary.
    monitor_report: dict[str, Any] = field(default_factory=dict)
    # Distributed crawls: what all workers found together (smmnews.distributed.presence), so
    # the monitors judge the crawl, not one worker of it.
    crawl_found: Callable[[], int] | None = None
    # One line per failure kind and file, in the order they happened.
    failures: list[str] = field(default_factory=list)
    crawler: Any = None

    def add_output(self, path: Path, feed_format: str = "jsonlines") -> None:
        if path not in self.outputs:
            self.outputs.append(path)
        self.formats[path] = feed_format

    def fail(self, kind: str, message: str, *, stop: bool = False) -> None:
        """Record a failure (see the module docstring); `stop` closes the spider."""
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.inc_value(FAILED_PREFIX + kind)
        if message not in self.failures:
            self.failures.append(message)
            logger.error("Crawl failure (%s): %s", kind, message)
        if stop:
            self.stop()

    def stop(self) -> None:
        try:
            engine = getattr(self.crawler, "engine", None)
        except RuntimeError:  # Scrapy 2.19: not set before the crawl starts; nothing to stop
            return
        if engine is None or getattr(engine, "spider", None) is None:
            return
        slot = getattr(engine, "_slot", None)
        if slot is not None and slot.closing is not None:
            return
        closing = deferred_from_coro(engine.close_spider_async(reason=FAILED_REASON))
        closing.addErrback(lambda _: None)  # already closing: nothing to do


_CONTEXTS: WeakKeyDictionary[Any, RunContext] = WeakKeyDictionary()


def open_state(settings: BaseSettings) -> StateStore:
    factory = load_object(settings.get("SMMNEWS_STATE_FACTORY"))
    store: StateStore = factory(settings)
    return store


def context_for(crawler: Crawler) -> RunContext:
    context = _CONTEXTS.get(crawler)
    if context is None:
        context = RunContext(state=open_state(crawler.settings), crawler=crawler)
        _CONTEXTS[crawler] = context
        crawler.signals.connect(_close, signal=signals.engine_stopped)
    return context


def _close() -> None:
    for context in list(_CONTEXTS.values()):
        context.state.close()
    _CONTEXTS.clear()


def failures_of(stats: dict[str, Any]) -> dict[str, int]:
    return {k[len(FAILED_PREFIX):]: v for k, v in sorted(stats.items())
            if k.startswith(FAILED_PREFIX)}

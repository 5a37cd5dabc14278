"""Per-crawl shared objects: the state store and the outputs this run writes.

Components read settings once in from_crawler (Scrapy's habit); the objects they share live
here, keyed by crawler, so the spider, pipelines, feed storage and extensions agree on one store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.utils.misc import load_object

from smmnews.state import StateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings



@dataclass
class RunContext:
    state: StateStore
    outputs: list[Path] = field(default_factory=list)
    # Filled by smmnews.monitors at the end of the run, read by the run summary.
    monitor_report: dict[str, Any] = field(default_factory=dict)
    # Distributed crawls: what all workers found together (smmnews.distributed.presence), so
    # the monitors judge the crawl, not one worker of it.
    crawl_found: Callable[[], int] | None = None


_CONTEXTS: WeakKeyDictionary[Any, RunContext] = WeakKeyDictionary()


def open_state(settings: BaseSettings) -> StateStore:
    factory = load_object(settings.get("SMMNEWS_STATE_FACTORY"))
    store: StateStore = factory(settings)
    return store


def context_for(crawler: Crawler) -> RunContext:
    context = _CONTEXTS.get(crawler)
    if context is None:
        context = RunContext(state=open_state(crawler.settings))
        _CONTEXTS[crawler] = context
        crawler.signals.connect(_close, signal=signals.engine_stopped)
    return context


def _close() -> None:
    for context in list(_CONTEXTS.values()):
        context.state.close()
    _CONTEXTS.clear()

"""Job health at the end of each run: fail loudly when the site changed under the crawler.

Spidermon would bring its own action/report framework and Jinja templates for five checks; these
are Scrapy signals and stats, with thresholds as settings. A failed monitor logs one ERROR line,
lands in the run summary, and makes `scrapy crawl` exit with status 3 (smmnews/commands/crawl.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from smmnews import stats as keys
from smmnews.items import Article
from smmnews.record import is_text_fallback
from smmnews.runtime import RunContext, context_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


logger = logging.getLogger(__name__)
# The fields whose share of items the summary reports (and monitors may require).
COVERAGE_FIELDS = ("title", "published_at", "body", "summary", "dateline", "source",
                   "disclaimer")


@dataclass(frozen=True, slots=True)
class Thresholds:
    min_items: int
    min_coverage: dict[str, float]
    max_text_fallback: float
    max_error_rate: float
    max_drop_rate: float
    min_pages: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Thresholds:
        """The SMMNEWS_MONITOR_* settings (the crawl's monitors and the probe's verdict)."""
        return cls(
            min_items=settings.getint("SMMNEWS_MONITOR_MIN_ITEMS"),
            min_coverage={k: float(v) for k, v in
                          settings.getdict("SMMNEWS_MONITOR_MIN_COVERAGE").items()},
            max_text_fallback=settings.getfloat("SMMNEWS_MONITOR_MAX_TEXT_FALLBACK"),
            max_error_rate=settings.getfloat("SMMNEWS_MONITOR_MAX_ERROR_RATE"),
            max_drop_rate=settings.getfloat("SMMNEWS_MONITOR_MAX_DROP_RATE"),
            min_pages=settings.getint("SMMNEWS_MONITOR_MIN_PAGES"),
        )


@dataclass(frozen=True, slots=True)
class MonitorResult:
    name: str
    ok: bool
    message: str


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def articles_found(stats: dict[str, Any]) -> int:
    """Articles a run came across: new or changed (items) and known ones (skipped, unchanged)."""
    return (stats.get("item_scraped_count", 0) + stats.get(keys.SKIPPED_KNOWN, 0)
            + stats.get(keys.DROP_UNCHANGED, 0))


def evaluate(stats: dict[str, Any], coverage: dict[str, float], fallbacks: int,
             limits: Thresholds, crawl_found: int | None = None) -> list[MonitorResult]:
    """The checks, as a pure function of the run's numbers. `crawl_found`: what every worker
    of a distributed crawl found together (one worker may find nothing on its own)."""
    items = stats.get("item_scraped_count", 0)
    known = stats.get(keys.SKIPPED_KNOWN, 0) + stats.get(keys.DROP_UNCHANGED, 0)
    found = items + known
    errors = stats.get(keys.ERRORS, 0)
    # Repeats and unchanged articles are deduplication at work, not lost records.
    dropped = sum(v for k, v in stats.items()
                  if k.startswith(keys.DROP) and k not in keys.DEDUP_DROPS)
    not_articles = sum(v for k, v in stats.items()
                       if k.startswith((keys.NOT_ARTICLE, keys.BAD_PAGE)))
    # Rates are shares of every article the run came across, known ones included: an hourly
    # run that only re-tries a few broken pages is healthy, not "100 % errors".
    pages = found + errors + dropped + not_articles
    results = [MonitorResult(
        "articles_found", found >= limits.min_items,
        f"{found} articles found ({items} new or changed); at least {limits.min_items} expected")]
    if crawl_found is not None:
        results[0] = MonitorResult(
            "articles_found", crawl_found >= limits.min_items,
            f"{crawl_found} articles found by the crawl's workers ({found} by this one, {items} "
            f"new or changed); at least {limits.min_items} expected")
    for name, minimum in limits.min_coverage.items():
        share = coverage.get(name, 1.0 if not items else 0.0)
        results.append(MonitorResult(f"coverage/{name}", share >= minimum,
                                     f"{name} present in {share:.0%} of items (minimum "
                                     f"{minimum:.0%})"))
    judged = pages >= limits.min_pages
    # A share of items needs enough items: one re-fetched page is not "100 % of the site".
    if items >= limits.min_pages:
        share = fallbacks / items
        results.append(MonitorResult(
            "text_fallback", share <= limits.max_text_fallback,
            f"{share:.0%} of items had no page metadata for title and date (maximum "
            f"{limits.max_text_fallback:.0%}): the markup may have changed"))
    if judged:
        error_rate = errors / pages
        results.append(MonitorResult("error_rate", error_rate <= limits.max_error_rate,
                                     f"{error_rate:.0%} of article fetches failed (maximum "
                                     f"{limits.max_error_rate:.0%})"))
        drop_rate = (dropped + not_articles) / pages
        results.append(MonitorResult("drop_rate", drop_rate <= limits.max_drop_rate,
                                     f"{drop_rate:.0%} of article pages gave no record (maximum "
                                     f"{limits.max_drop_rate:.0%})"))
    return results


class JobMonitors:
    def __init__(self, crawler: Crawler, context: RunContext, limits: Thresholds) -> None:
        self.crawler = crawler
        self.context = context
        self.limits = limits
        self.filled: Counter[str] = Counter()
        self.items = 0
        self.fallbacks = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobMonitors:
        settings = crawler.settings
        if not settings.getbool("SMMNEWS_CRAWL_JOB"):
            # Judges `scrapy crawl` jobs only; silent (a message would log a warning).
            raise NotConfigured
        limits = Thresholds.from_settings(settings)
        monitors = cls(crawler, context_for(crawler), limits)
        crawler.signals.connect(monitors.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(monitors.spider_closed, signal=signals.spider_closed)
        return monitors

    def item_scraped(self, item: Article) -> None:
        self.items += 1
        self.filled.update(name for name in COVERAGE_FIELDS if _filled(getattr(item, name)))
        self.fallbacks += is_text_fallback(item)

    def coverage(self) -> dict[str, float]:
        if not self.items:
            return {}
        return {name: round(self.filled[name] / self.items, 4) for name in COVERAGE_FIELDS}

    def spider_closed(self, reason: str) -> None:
        stats = self.crawler.stats
        crawl_found = self.context.crawl_found() if self.context.crawl_found else None
        results = evaluate(stats.get_stats(), self.coverage(), self.fallbacks, self.limits,
                           crawl_found)
        failed = [r for r in results if not r.ok]
        for result in failed:
            logger.error("Monitor failed: %s: %s", result.name, result.message)
        stats.set_value(keys.MONITORS_FAILED, len(failed))
        self.context.monitor_report = {
            "coverage": self.coverage(), "failed": len(failed),
            "results": [asdict(r) for r in results],
        }
        if not failed:
            logger.info("All %d job-health monitors passed", len(results))

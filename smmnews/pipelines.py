"""What is kept and how: one record per article id, revisions across runs, schema-valid only."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from smmnews import stats as keys
from smmnews.feeds import companion
from smmnews.items import Article
from smmnews.runtime import RunContext, context_for
from smmnews.schema import schema_errors
from smmnews.serialize import record_dict
from smmnews.state import StateError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


logger = logging.getLogger(__name__)


class IncrementalPipeline:
    """Drops repeats within a run and unchanged articles across runs; numbers revisions."""

    def __init__(self, context: RunContext, stats: StatsCollector) -> None:
        self.context = context
        self.stats = stats
        self.emitted: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalPipeline:
        return cls(context_for(crawler), crawler.stats)

    def process_item(self, item: Article) -> Article:
        article_id = item.article_id
        if article_id in self.emitted:
            self.stats.inc_value(keys.DROP_DUPLICATE)
            raise DropItem(f"article {article_id} already emitted in this run")
        try:
            known = self.context.state.get(article_id)
        except StateError as exc:
            raise self.state_failed(exc, article_id) from None
        if known is not None and known.content_hash == item.content_hash:
            self.stats.inc_value(keys.DROP_UNCHANGED)
            raise DropItem(f"article {article_id} unchanged since {known.seen_at:%Y-%m-%d}")
        if known is not None:
            item.revision = known.revision + 1
            item.previous_content_hash = known.content_hash
            self.stats.inc_value(keys.REVISED)
        self.emitted.add(article_id)
        output = str(self.context.outputs[0]) if self.context.outputs else None
        # Recorded as pending before the feed writes it; feeds.reconcile settles crashes.
        try:
            self.context.state.put(article_id, item.content_hash, item.revision, output)
        except StateError as exc:
            # Not recorded, so not written either: a later run fetches it again.
            self.emitted.discard(article_id)
            raise self.state_failed(exc, article_id) from None
        return item

    def state_failed(self, exc: StateError, article_id: str) -> DropItem:
        self.stats.inc_value(keys.DROP + "state_failed")
        self.context.fail("state", str(exc), stop=True)
        return DropItem(f"article {article_id} not written: the state store failed")


class ValidationPipeline:
    """Every record is checked against the shipped JSON Schema; failures go to a rejects file
    with the reason and the URL, never silently lost."""

    def __init__(self, context: RunContext, stats: StatsCollector) -> None:
        self.context = context
        self.stats = stats
        self.rejects: list[IO[str]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(context_for(crawler), crawler.stats)

    def rejects_paths(self) -> list[Path]:
        """One rejects file beside each output (`-o a.jsonl -o a.csv`: two)."""
        return [companion(output, ".rejects.jsonl")
                for output in self.context.outputs or [Path("smmnews.jsonl")]]

    def process_item(self, item: Article) -> Article:
        record = record_dict(item)
        errors = schema_errors(record)
        if not errors:
            return item
        self.stats.inc_value(keys.DROP_INVALID)
        self.reject(record, errors)
        # Worth a warning: the extractor or the site changed (the record is in the rejects file).
        raise DropItem(f"invalid record {item.article_id}: {errors[0]}", log_level="WARNING")

    def reject(self, item: dict[str, Any], errors: list[str]) -> None:
        line = {"url": item.get("url"), "article_id": item.get("article_id"),
                "reasons": errors, "rejected_at": datetime.now(UTC).isoformat(),
                "record": item}
        try:
            if not self.rejects:
                for path in self.rejects_paths():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    self.rejects.append(path.open("a", encoding="utf-8"))
            for rejects in self.rejects:
                rejects.write(json.dumps(line, ensure_ascii=False) + "\n")
                rejects.flush()
        except OSError as exc:
            where = exc.filename or "the rejects file"
            self.context.fail("rejects_write", f"cannot write {where}: {exc.strerror or exc}; "
                                               "rejected records were not kept")

    def close_spider(self) -> None:
        for rejects in self.rejects:
            rejects.close()

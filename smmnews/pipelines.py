"""What is kept and how: one record per article id, revisions across runs, schema-valid only."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from scrapy.exceptions import DropItem

from smmnews.feeds import companion
from smmnews.runtime import RunContext, context_for
from smmnews.schema import schema_errors
from smmnews.state import StateError

logger = logging.getLogger(__name__)


class IncrementalPipeline:
    """Drops repeats within a run and unchanged articles across runs; numbers revisions."""

    def __init__(self, context: RunContext, stats: Any) -> None:
        self.context = context
        self.stats = stats
        self.emitted: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> IncrementalPipeline:
        return cls(context_for(crawler), crawler.stats)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        article_id = item["article_id"]
        if article_id in self.emitted:
            self.stats.inc_value("smmnews/drop/duplicate_in_run")
            raise DropItem(f"article {article_id} already emitted in this run")
        try:
            known = self.context.state.get(article_id)
        except StateError as exc:
            raise self.state_failed(exc, article_id) from None
        if known is not None and known.content_hash == item["content_hash"]:
            self.stats.inc_value("smmnews/drop/unchanged")
            raise DropItem(f"article {article_id} unchanged since {known.seen_at:%Y-%m-%d}")
        if known is not None:
            item["revision"] = known.revision + 1
            item["previous_content_hash"] = known.content_hash
            self.stats.inc_value("smmnews/revised")
        self.emitted.add(article_id)
        output = str(self.context.outputs[0]) if self.context.outputs else None
        # Recorded as pending before the feed writes it; feeds.reconcile settles crashes.
        try:
            self.context.state.put(article_id, item["content_hash"], item["revision"], output)
        except StateError as exc:
            # Not recorded, so not written either: a later run fetches it again.
            self.emitted.discard(article_id)
            raise self.state_failed(exc, article_id) from None
        return item

    def state_failed(self, exc: StateError, article_id: str) -> DropItem:
        self.stats.inc_value("smmnews/drop/state_failed")
        self.context.fail("state", str(exc), stop=True)
        return DropItem(f"article {article_id} not written: the state store failed")


class ValidationPipeline:
    """Every record is checked against the shipped JSON Schema; failures go to a rejects file
    with the reason and the URL, never silently lost."""

    def __init__(self, context: RunContext, stats: Any) -> None:
        self.context = context
        self.stats = stats
        self.rejects: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidationPipeline:
        return cls(context_for(crawler), crawler.stats)

    def rejects_path(self) -> Path:
        base = self.context.outputs[0] if self.context.outputs else Path("smmnews")
        return companion(base, ".rejects.jsonl")

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        errors = schema_errors(dict(item))
        if not errors:
            return item
        self.stats.inc_value("smmnews/drop/invalid")
        self.reject(dict(item), errors)
        raise DropItem(f"invalid record {item.get('article_id')}: {errors[0]}")

    def reject(self, item: dict[str, Any], errors: list[str]) -> None:
        line = {"url": item.get("url"), "article_id": item.get("article_id"),
                "reasons": errors, "rejected_at": datetime.now(UTC).isoformat(),
                "record": item}
        path = self.rejects_path()
        try:
            if self.rejects is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.rejects = path.open("a", encoding="utf-8")
            self.rejects.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
            self.rejects.flush()
        except OSError as exc:
            self.context.fail("rejects_write", f"cannot write {path}: {exc.strerror or exc}; "
                                               "rejected records were not kept")

    def close_spider(self) -> None:
        if self.rejects is not None:
            self.rejects.close()

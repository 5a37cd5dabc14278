"""Pipelines and monitors with their real collaborators (SQLite state, files), no crawler."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from smmnews import stats as keys
from smmnews.items import Article
from smmnews.monitors import Thresholds, evaluate
from smmnews.pipelines import IncrementalPipeline, ValidationPipeline
from smmnews.runtime import RunContext
from smmnews.state import SqliteStateStore
from tests.conftest import fixture_record
from tests.fixtures import ARTICLES


class Stats(MemoryStatsCollector):
    """Scrapy's own stats collector, with its counters at hand for assertions."""

    def __init__(self) -> None:
        super().__init__(get_crawler())

    @property
    def values(self) -> dict[str, Any]:
        return self.get_stats()


@pytest.fixture
def context(tmp_path: Path) -> RunContext:
    return RunContext(state=SqliteStateStore(tmp_path / "state.sqlite"),
                      outputs=[tmp_path / "articles.jsonl"])


def record(case: str = "l2-html5-example-asi-visit") -> Article:
    result = fixture_record(ARTICLES, case)
    assert isinstance(result, Article)
    return result


def test_invalid_record_goes_to_the_rejects_file_with_reason_and_url(context: RunContext,
                                                                     tmp_path: Path) -> None:
    stats = Stats()
    pipeline = ValidationPipeline(context, stats)
    bad = replace(record(), published_at=None, body="", language="english")
    with pytest.raises(DropItem):
        pipeline.process_item(bad)
    pipeline.close_spider()
    rejects = [json.loads(line) for line in
               (tmp_path / "articles.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [r["url"] for r in rejects] == [bad.url]
    assert {reason.split(":")[0] for reason in rejects[0]["reasons"]} == {"language", "body"}
    assert rejects[0]["record"]["published_at"] is None
    assert stats.values[keys.DROP_INVALID] == 1
    assert context.state.get(bad.article_id) is None


def test_valid_record_passes_unchanged(context: RunContext) -> None:
    item = record()
    assert ValidationPipeline(context, Stats()).process_item(item) is item
    assert item == record()


def test_revision_and_previous_hash_across_runs(context: RunContext) -> None:
    first = IncrementalPipeline(context, Stats()).process_item(record())
    context.state.commit(str(context.outputs[0]))
    unchanged, stats = record(), Stats()
    with pytest.raises(DropItem):
        IncrementalPipeline(context, stats).process_item(unchanged)
    assert stats.values[keys.DROP_UNCHANGED] == 1
    edited = replace(record(), content_hash="sha256:" + "0" * 64)
    revised = IncrementalPipeline(context, Stats()).process_item(edited)
    assert (revised.revision, revised.previous_content_hash) == (2, first.content_hash)


def test_repeat_within_a_run_is_dropped(context: RunContext) -> None:
    stats = Stats()
    pipeline = IncrementalPipeline(context, stats)
    pipeline.process_item(record())
    with pytest.raises(DropItem):
        pipeline.process_item(record())
    assert stats.values[keys.DROP_DUPLICATE] == 1


def test_rolled_back_revision_restores_the_committed_one(context: RunContext) -> None:
    output = str(context.outputs[0])
    context.state.put("1234567", "sha256:" + "a" * 64, 1, output)
    context.state.commit(output)
    context.state.put("1234567", "sha256:" + "b" * 64, 2, output)  # crashed before written
    context.state.forget_pending(output, keep=set())
    known = context.state.get("1234567")
    assert known is not None
    assert (known.content_hash, known.revision, known.status) == ("sha256:" + "a" * 64, 1,
                                                                 "committed")


LIMITS = Thresholds(min_items=1, min_coverage={"title": 1.0, "published_at": 0.9},
                    max_text_fallback=0.5, max_error_rate=0.2, max_drop_rate=0.2, min_pages=10)


@pytest.mark.parametrize(
    ("stats", "coverage", "fallbacks", "failing"),
    [
        ({"item_scraped_count": 50}, {"title": 1.0, "published_at": 1.0}, 0, []),
        ({}, {}, 0, ["articles_found"]),
        ({"smmnews/skipped/known": 40}, {}, 0, []),  # an unchanged site is healthy
        ({"item_scraped_count": 50}, {"title": 1.0, "published_at": 0.5}, 0,
         ["coverage/published_at"]),
        ({"item_scraped_count": 50}, {"title": 1.0, "published_at": 1.0}, 40, ["text_fallback"]),
        ({"item_scraped_count": 1, "smmnews/skipped/known": 40},
         {"title": 1.0, "published_at": 1.0}, 1, []),  # one re-fetched page is no trend
        ({"item_scraped_count": 50, "smmnews/errors": 30}, {"title": 1.0, "published_at": 1.0},
         0, ["error_rate"]),
        ({"item_scraped_count": 20, "smmnews/not_article/listing_page": 20},
         {"title": 1.0, "published_at": 1.0}, 0, ["drop_rate"]),
        ({"item_scraped_count": 3, "smmnews/errors": 3}, {"title": 1.0, "published_at": 1.0},
         0, []),  # too few pages to judge rates
    ],
)
def test_monitor_thresholds(stats: dict[str, int], coverage: dict[str, float], fallbacks: int,
                            failing: list[str]) -> None:
    results = evaluate(stats, coverage, fallbacks, LIMITS)
    assert [r.name for r in results if not r.ok] == failing

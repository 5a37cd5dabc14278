"""The one record type: schema and README generated from it, values typed until serialised."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from smmnews.extract.article import NotAnArticle, NotArticle
from smmnews.items import RECORD_FIELDS, Article, Related
from smmnews.record import build_record
from smmnews.schema import schema_errors
from smmnews.schema.__main__ import README, SCHEMA_FILE, main
from smmnews.schema.generate import (
    README_END,
    README_START,
    article_schema,
    readme_tables,
    with_tables,
)
from smmnews.serialize import record_dict, record_json
from tests.conftest import fixture_record
from tests.fixtures import ARTICLES, NON_ARTICLES, case_names, meta, now_of, page_bytes

CASE = "l2-html5-example-asi-visit"


def article(case: str = CASE) -> Article:
    result = fixture_record(ARTICLES, case)
    assert isinstance(result, Article)
    return result


def test_shipped_schema_and_readme_tables_are_generated_from_the_record() -> None:
    assert main(["--check"]) == 0
    assert json.loads(SCHEMA_FILE.read_text("utf-8")) == article_schema()
    assert readme_tables() in README.read_text("utf-8")


def test_stale_readme_table_is_replaced_between_its_markers() -> None:
    readme = f"intro\n{README_START}\n| old | table |\n{README_END}\noutro\n"
    fresh = with_tables(readme)
    assert fresh.startswith("intro\n") and fresh.endswith("\noutro\n")
    assert "| old | table |" not in fresh
    for name in RECORD_FIELDS:
        assert f"| `{name}` |" in fresh


def test_every_field_is_documented_and_required_in_output_order() -> None:
    schema = article_schema()
    assert schema["required"] == list(RECORD_FIELDS) == list(schema["properties"])
    for item in fields(Article):
        assert item.metadata["doc"], item.name
    assert schema["$defs"]["Related"]["required"] == [f.name for f in fields(Related)]


def test_datetimes_stay_datetimes_until_serialised() -> None:
    record = article()
    assert isinstance(record.published_at, datetime)
    assert all(isinstance(r.published_at, datetime | None) for r in record.related)
    as_json = record_dict(record)
    assert as_json["published_at"] == record.published_at.isoformat()
    assert as_json["published_at"].endswith("+08:00")
    assert list(as_json) == list(RECORD_FIELDS)
    assert schema_errors(as_json) == []


def test_crawled_at_is_the_fetch_time_in_utc_and_nothing_else_changes() -> None:
    fetched = datetime(2026, 3, 21, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    at_fetch = build_record(page_bytes(ARTICLES, CASE), meta(ARTICLES, CASE)["url"],
                            now_of(ARTICLES, CASE), crawled_at=fetched)
    assert isinstance(at_fetch, Article)
    line = json.loads(record_json(at_fetch))
    assert line["crawled_at"] == "2026-03-21T01:30:15+00:00"
    assert line == {**record_dict(article()), "crawled_at": line["crawled_at"]}


def test_a_record_that_breaks_the_schema_is_caught() -> None:
    broken = replace(article(), published_at=datetime(2026, 1, 1), article_id="12")
    errors = schema_errors(record_dict(broken))
    assert {e.split(":")[0] for e in errors} == {"published_at", "article_id"}


@pytest.mark.parametrize("case", case_names(NON_ARTICLES))
def test_not_an_article_has_a_stable_code_and_a_detail(case: str) -> None:
    result = fixture_record(NON_ARTICLES, case)
    assert isinstance(result, NotAnArticle)
    assert result.code in set(NotArticle)
    assert str(result) == result.detail and result.detail


def test_crawl_time_is_utc_whatever_zone_it_arrives_in() -> None:
    now = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
    record = build_record(page_bytes(ARTICLES, CASE), meta(ARTICLES, CASE)["url"], now)
    assert isinstance(record, Article)
    assert record.crawled_at == now and record_dict(record)["crawled_at"].endswith("+00:00")

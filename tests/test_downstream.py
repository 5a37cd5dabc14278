"""Downstream contract: files of different runs read into one table with the same column types,
with the README's DuckDB and pandas snippets run as written."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest

from smmnews.exporters import RecordJsonLinesExporter
from smmnews.items import RECORD_FIELDS, Article
from smmnews.schema.columns import duckdb_columns, duckdb_read_json, pandas_dates
from tests.conftest import fixture_record
from tests.fixtures import ARTICLES, case_names

README = Path(__file__).resolve().parent.parent / "README.md"
SNIPPET_RE = re.compile(r"^## Reading the output downstream\n(.*?)^## ", re.S | re.M)


def articles() -> list[Article]:
    found = [fixture_record(ARTICLES, case) for case in case_names(ARTICLES)]
    return [a for a in found if isinstance(a, Article)]


def write(path: Path, records: list[Article]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        exporter = RecordJsonLinesExporter(file)
        for record in records:
            exporter.export_item(record)
    return path


@pytest.fixture
def two_runs(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A first run (no revisions, no images) and a later one (revisions, images, tables)."""
    records = articles()
    plain = [replace(a, images=[], tables=[]) for a in records[:8]]
    revised = [replace(a, revision=2, previous_content_hash="sha256:" + "0" * 64)
               for a in records[8:] if a.images or a.tables]
    assert revised, "the fixtures have articles with images or tables"
    first = write(tmp_path / "out" / "2026-03-19" / "smm_news-1.jsonl", plain)
    second = write(tmp_path / "out" / "2026-03-20" / "smm_news-2.jsonl", revised)
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield first, second
    finally:
        os.chdir(cwd)


def readme_snippets() -> list[str]:
    match = SNIPPET_RE.search(README.read_text("utf-8"))
    assert match, "README has a 'Reading the output downstream' section"
    return re.findall(r"```python\n(.*?)```", match.group(1), re.S)


def run_snippet(code: str) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), scope)  # the README's code, as a user runs it
    return scope


def query(sql: str) -> duckdb.DuckDBPyRelation:
    relation = duckdb.sql(sql)
    assert relation is not None
    return relation


def column_types(relation: duckdb.DuckDBPyRelation) -> dict[str, str]:
    return {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True)}


def test_each_file_alone_reads_with_the_same_types(two_runs: tuple[Path, Path]) -> None:
    first, second = (column_types(query(f"SELECT * FROM {duckdb_read_json(str(p))}"))
                     for p in two_runs)
    assert first == second
    assert list(first) == list(RECORD_FIELDS) == list(duckdb_columns())
    assert first["images"].startswith("STRUCT") and first["previous_content_hash"] == "VARCHAR"


def test_readme_duckdb_snippet_reads_both_runs_into_one_table(
        two_runs: tuple[Path, Path]) -> None:
    scope = run_snippet(readme_snippets()[0])
    table = scope["articles"]
    types = column_types(table)
    assert types["article_id"] == "VARCHAR" and types["revision"] == "BIGINT"
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    rows = table.aggregate("revision, count(*)").fetchall()
    expected = {1: len(query(f"SELECT * FROM read_json('{two_runs[0]}')").fetchall()),
                2: len(query(f"SELECT * FROM read_json('{two_runs[1]}')").fetchall())}
    assert dict(rows) == expected
    links = scope["links"].fetchall()
    assert links and all(re.fullmatch(r"\d{5,}", str(r[1])) for r in links if r[1] is not None)


def test_readme_pandas_snippet_keeps_ids_as_text_and_times_aware(
        two_runs: tuple[Path, Path]) -> None:
    df = run_snippet(readme_snippets()[1])["df"]
    assert str(df["article_id"].dtype).startswith("str")
    assert all(isinstance(v, str) and v.isdigit() for v in df["article_id"])
    assert str(df["schema_version"].dtype).startswith("str")
    assert str(df["revision"].dtype) == "Int64"
    for column in pandas_dates():
        assert str(df[column].dtype).endswith("UTC]"), column
    assert set(df["revision"]) == {1, 2}


def test_related_items_join_to_the_articles_they_point_to() -> None:
    for article in articles():
        for item in article.related:
            if item.url and item.article_id:
                assert item.canonical_url == f"https://news.metal.com/newscontent/{item.article_id}"
                assert item.article_id in item.url
            else:
                assert item.canonical_url is None

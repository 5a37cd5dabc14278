"""The JSONL file as downstream pipelines see it: types, order, crash safety, partitions."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from smmnews.items import RECORD_FIELDS
from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.static import StaticSite
from tests.conftest import SAMPLE_SITE, wait_for_lines
from tests.crawling import (
    REPO,
    CrawlResult,
    crawl_command,
    env,
    read_jsonl,
    run_crawl,
    start_crawl,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def small() -> Iterator[tuple[GeneratedSite, str]]:
    site = GeneratedSite(80, seed=11)
    with MirrorServer(site) as server:
        yield site, server.url


@pytest.fixture(scope="module")
def crawled(small: tuple[GeneratedSite, str],
            tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(small[1], tmp_path_factory.mktemp("out"))


# Column types a DuckDB user gets from read_json, as documented in the README.
DUCKDB_TYPES = {
    "article_id": "VARCHAR",
    "published_at": "TIMESTAMP WITH TIME ZONE",
    "crawled_at": "TIMESTAMP WITH TIME ZONE",
    "dateline_date": "DATE",
    "is_partial": "BOOLEAN",
    "revision": "BIGINT",
    "title_tags": "VARCHAR[]",
    "metals": "VARCHAR[]",
    "contacts": 'STRUCT("name" VARCHAR, email VARCHAR)[]',
    "related": "STRUCT(title VARCHAR, url VARCHAR, article_id VARCHAR, canonical_url VARCHAR, "
               "summary VARCHAR, "
               "published_at TIMESTAMP WITH TIME ZONE)[]",
}


def test_duckdb_reads_the_documented_column_types(crawled: CrawlResult) -> None:
    relation = duckdb.sql(f"SELECT * FROM read_json('{crawled.output}')")
    assert relation is not None
    types = {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True)}
    assert {name: types[name] for name in DUCKDB_TYPES} == DUCKDB_TYPES
    assert relation.columns == list(RECORD_FIELDS)
    instants = duckdb.sql(f"SELECT article_id, published_at FROM read_json('{crawled.output}')")
    assert instants is not None
    rows = dict(instants.fetchall())
    # The same instants as the ISO strings with +08:00: no zone was lost on the way.
    assert rows == {r["article_id"]: datetime.fromisoformat(r["published_at"])
                    for r in crawled.records}


def test_lines_are_utf8_in_fixed_key_order(crawled: CrawlResult) -> None:
    raw = crawled.output.read_bytes()
    assert raw.endswith(b"\n")
    assert b"\\u" not in raw
    for line in raw.decode("utf-8").splitlines():
        assert list(json.loads(line)) == list(RECORD_FIELDS)


def test_summary_file_has_items_drops_coverage_and_finish_reason(crawled: CrawlResult) -> None:
    summary = crawled.summary
    assert summary["items"] == len(crawled.records) > 0
    assert summary["finish_reason"] == "finished"
    assert set(summary["coverage"]) >= {"title", "published_at", "body"}
    assert sum(v for k, v in summary["extraction"].items() if k.startswith("title/")) == len(
        crawled.records)
    assert summary["monitors_failed"] == 0


def test_default_output_is_one_file_per_run_in_a_dated_folder(
        small: tuple[GeneratedSite, str], tmp_path: Path) -> None:
    pattern = str(tmp_path / "out" / "%(date)s" / "%(name)s-%(time)s.jsonl")
    first = run_crawl(small[1], tmp_path, "-s", f"SMMNEWS_DEFAULT_FEED={pattern}",
                      output="unused.jsonl", overwrite=True)
    assert first.returncode == 0
    # -O given: the default partitioned feed is not used alongside it.
    assert not (tmp_path / "out").exists()
    command_without_output = run_crawl_default(small[1], tmp_path, pattern)
    files = sorted((tmp_path / "out").rglob("*.jsonl"))
    assert command_without_output == 0
    assert len(files) == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", files[0].parent.name)
    assert files[0].name.startswith("smm_news-")
    assert files[0].with_name(files[0].name.split(".")[0] + ".stats.json").exists()
    # Scheduled runs keep every page: the default archive is on, and its files are closed.
    assert [p.name.endswith(".warc.gz") for p in (tmp_path / "out" / "archive").iterdir()] == [True]


def run_crawl_default(base_url: str, workdir: Path, pattern: str) -> int:
    command = crawl_command(base_url, None, workdir / "fresh-state.sqlite", now=None,
                            settings={"SMMNEWS_DEFAULT_FEED": pattern,
                                      "SMMNEWS_DEFAULT_ARCHIVE": str(workdir / "out" / "archive")})
    return subprocess.run(command, cwd=REPO, capture_output=True, timeout=300, env=env(),
                          check=False).returncode


def test_sigkill_mid_write_never_harms_the_previous_file(tmp_path: Path) -> None:
    with MirrorServer(GeneratedSite(40, seed=1)) as first_site:
        first = run_crawl(first_site.url, tmp_path)
    before = first.output.read_bytes()
    big = GeneratedSite(600, seed=2, start_id=103900000)
    with MirrorServer(big) as server:
        crawl = start_crawl(server.url, tmp_path)
        wait_for_lines(tmp_path / "articles.jsonl.part", 60)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=60)
        assert first.output.read_bytes() == before  # -O never emptied it
        part_lines = (tmp_path / "articles.jsonl.part").read_bytes().split(b"\n")
        for line in part_lines[:-1]:
            json.loads(line)  # every complete line is a whole record
        resumed = run_crawl(server.url, tmp_path)
    assert resumed.returncode == 0
    ids = [r["article_id"] for r in read_jsonl(resumed.output)]
    assert sorted(ids) == sorted(str(i) for i in big.article_ids())
    assert not (tmp_path / "articles.jsonl.part").exists()


def test_append_keeps_the_previous_records(tmp_path: Path) -> None:
    with MirrorServer(GeneratedSite(30, seed=4)) as one:
        first = run_crawl(one.url, tmp_path)
    with MirrorServer(GeneratedSite(30, seed=5, start_id=103950000)) as two:
        second = run_crawl(two.url, tmp_path, overwrite=False)
    ids = [r["article_id"] for r in read_jsonl(second.output)]
    assert ids[: len(first.records)] == first.ids
    assert len(ids) == len(set(ids)) == len(first.records) + second.summary["items"]


def break_dates(site: Path) -> None:
    """A redesign: dates in a format the extractor does not know, metadata gone."""
    for page in (site / "newscontent").glob("*.html"):
        html = page.read_text("utf-8")
        html = re.sub(r'<meta[^>]+published_time[^>]*>', "", html)
        html = re.sub(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}", "20·03·2026", html)
        page.write_text(html, encoding="utf-8")


def test_monitor_fails_the_job_when_the_markup_changes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SAMPLE_SITE, site)
    break_dates(site)
    with MirrorServer(StaticSite(site)) as server:
        result = run_crawl(server.url, tmp_path)
    assert result.returncode == 3
    failed = [m["name"] for m in result.summary["monitors"] if not m["ok"]]
    assert "coverage/published_at" in failed
    assert result.summary["monitors_failed"] == len(failed)
    monitor_lines = [line for line in result.log.splitlines() if "Monitor failed:" in line]
    assert len(monitor_lines) == len(failed)

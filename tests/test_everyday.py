"""Everyday use as a Scrapy user meets it: parse/check/shell, every feed format, honest
arguments, exact max_items, a demo that says what it counts."""

from __future__ import annotations

import csv
import json
import marshal
import pickle
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smmnews import settings as project_settings
from smmnews.extensions import summary_path
from smmnews.extract.decode import MAX_PAGE_BYTES
from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.static import StaticSite
from smmnews.options import OptionError, parse_options
from tests.conftest import SAMPLE_SITE
from tests.crawling import REPO, SITE_NOW, TEST_SETTINGS, env, read_jsonl, run_crawl

pytestmark = pytest.mark.e2e
GOOD_IDS: list[str] = json.loads((SAMPLE_SITE / "expected.json").read_text("utf-8"))["good_ids"]
ARTICLE = "newscontent/103800001"


@pytest.fixture(scope="module")
def sample() -> Iterator[MirrorServer]:
    with MirrorServer(StaticSite(SAMPLE_SITE)) as server:
        yield server


def scrapy(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A `scrapy` command in a folder outside the checkout, on the project's settings."""
    settings = [item for name, value in TEST_SETTINGS.items() for item in ("-s", f"{name}={value}")]
    return subprocess.run([sys.executable, "-m", "scrapy", *args, *settings], cwd=cwd,
                          env={**env(), "SCRAPY_SETTINGS_MODULE": "smmnews.settings"},
                          capture_output=True, text=True, timeout=timeout, check=False)


def leftovers(folder: Path) -> list[str]:
    """What a command left in its working folder, besides the state store."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and ".smmnews" not in p.parts)


def test_scrapy_check_runs_every_contract_against_the_mirror(sample: MirrorServer,
                                                             tmp_path: Path) -> None:
    done = scrapy("check", "smm_news", "-s", f"SMMNEWS_BASE_URL={sample.url}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    ran = re.search(r"Ran (\d+) contracts", done.stderr)
    assert ran and int(ran[1]) >= 9
    assert leftovers(tmp_path) == []


def test_scrapy_check_fails_where_the_callbacks_break(tmp_path: Path) -> None:
    # A site without the sample's article id: the article contract must fail, loudly.
    with MirrorServer(GeneratedSite(20, seed=2, start_id=104000000)) as other:
        done = scrapy("check", "smm_news", "-s", f"SMMNEWS_BASE_URL={other.url}", cwd=tmp_path)
    assert done.returncode != 0
    assert "FAILED" in done.stderr


@pytest.mark.parametrize(("path", "expect"), [
    (ARTICLE, "# Scraped Items  -+\n\\[\\{"),
    ("robots.txt", "# Requests  -+\n\\[<GET [^>]*sitemap"),
    ("en/copper", "# Requests  -+\n\\[<GET [^>]*newscontent"),
], ids=["article", "robots", "listing"])
def test_scrapy_parse_routes_by_url_and_writes_nothing(sample: MirrorServer, tmp_path: Path,
                                                       path: str, expect: str) -> None:
    done = scrapy("parse", "--spider", "smm_news", "-a", f"base_url={sample.url}",
                  "-a", f"now={SITE_NOW}", f"{sample.url}{path}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(expect, done.stdout), done.stdout[-2000:]
    assert "Traceback" not in done.stderr and "Monitor failed" not in done.stderr
    assert leftovers(tmp_path) == []


def test_scrapy_shell_fetches_a_page_the_extractor_reads(sample: MirrorServer,
                                                         tmp_path: Path) -> None:
    code = ("__import__('smmnews.record').record.build_record(response.body, response.url, "
            "__import__('datetime').datetime.now(__import__('datetime').UTC)).article_id")
    done = scrapy("shell", "--nolog", f"{sample.url}{ARTICLE}", "-c", code, cwd=tmp_path)
    assert done.stdout.strip() == "103800001", done.stderr[-2000:]


FORMATS = ("jsonl", "csv", "json", "xml", "pickle", "marshal")


def read_feed(path: Path) -> list[dict[str, Any]]:
    kind = path.suffix.lstrip(".")
    if kind == "jsonl":
        return read_jsonl(path)
    if kind == "json":
        data: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
        return data
    if kind == "csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    if kind == "xml":
        return [{child.tag: child for child in item} for item in ET.parse(path).getroot()]
    loads = pickle.load if kind == "pickle" else marshal.load
    found = []
    with path.open("rb") as handle:
        while True:
            try:
                found.append(loads(handle))
            except EOFError:
                return found


def test_every_feed_format_carries_the_record(sample: MirrorServer, tmp_path: Path) -> None:
    feeds = [item for kind in FORMATS for item in ("-O", str(tmp_path / f"articles.{kind}"))]
    result = run_crawl(sample.url, tmp_path, *feeds[2:], output="articles.jsonl")
    assert result.returncode == 0, result.log[-3000:]
    lines = {r["article_id"]: r for r in result.records}
    assert sorted(lines) == sorted(GOOD_IDS)
    for kind in FORMATS:
        path = tmp_path / f"articles.{kind}"
        rows = read_feed(path)
        assert len(rows) == len(lines), kind
        assert summary_path(path).is_file(), kind  # one summary per feed, none shared
        if kind == "xml":
            assert {r["article_id"].text for r in rows} == set(lines)
            continue
        for row in rows:
            want = lines[row["article_id"]]
            if kind == "csv":  # nested values are JSON text, scalars their text form
                assert json.loads(row["related"]) == want["related"]
                assert json.loads(row["contacts"]) == want["contacts"]
                assert row["published_at"] == (want["published_at"] or "")
            else:
                assert row == want, kind
    assert len({summary_path(tmp_path / f"articles.{k}") for k in FORMATS}) == len(FORMATS)


@pytest.mark.parametrize("limit", [5, 27])
def test_max_items_writes_exactly_that_many(sample: MirrorServer, tmp_path: Path,
                                            limit: int) -> None:
    # The sample site's faults sit among its articles, so a cap on requests writes fewer.
    result = run_crawl(sample.url, tmp_path, "-a", f"max_items={limit}")
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.ids) == limit == len(set(result.ids))


def test_unused_explicit_urls_are_logged_and_counted(sample: MirrorServer,
                                                     tmp_path: Path) -> None:
    urls = [f"{sample.url}{ARTICLE}", f"{sample.url}{ARTICLE}/Another-Slug",
            f"{sample.url}en/copper", "https://example.org/newscontent/103800002"]
    result = run_crawl(sample.url, tmp_path, "-a", "urls=" + ",".join(urls))
    assert result.ids == ["103800001"]
    assert result.summary["skipped"] == {"not_article_url": 1, "offsite": 1, "repeat": 1}
    for message in ("Not an article URL (skipped)", "Not on the site (skipped",
                    "Same article as an earlier URL (skipped)"):
        assert message in result.log


@pytest.mark.parametrize(("args", "message"), [
    ({"refresh": "ture"}, "refresh must be one of"),
    ({"max_items": "five"}, "max_items must be a whole number"),
    ({"max_items": "0"}, "max_items must be at least 1"),
    ({"since": "last week"}, "since must be a date"),
    ({"now": "noon"}, "now must be an ISO 8601 time"),
    ({"ids": "1038-x"}, "ids must be numbers"),
    ({"urls": "news.metal.com/newscontent/103800001"}, "urls must be absolute"),
    ({"max_item": "5"}, "unknown spider argument(s): max_item"),
])
def test_every_argument_is_validated(args: dict[str, str], message: str) -> None:
    with pytest.raises(OptionError, match=re.escape(message)):
        parse_options(args, "https://news.metal.com/", [])


@pytest.mark.parametrize(("value", "flag"), [("1", True), ("yes", True), ("false", False),
                                             ("0", False), ("", False)])
def test_boolean_arguments(value: str, flag: bool) -> None:
    assert parse_options({"refresh": value}, "https://news.metal.com/", []).refresh is flag


def test_documented_size_limit_is_the_setting() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    stated = re.search(r"`DOWNLOAD_MAXSIZE` (\d+) MB", readme)
    assert stated is not None
    assert int(stated[1]) * 1024 * 1024 == project_settings.DOWNLOAD_MAXSIZE == MAX_PAGE_BYTES


def test_demo_counts_what_it_says_and_leaves_nothing_behind(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "smmnews.cli", "demo", "--output",
                           str(tmp_path / "articles.jsonl"), "--state",
                           str(tmp_path / "state.sqlite")], cwd=tmp_path, env=env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert f"{len(GOOD_IDS)} articles written" in out
    assert "broken on purpose" in out
    assert "known" not in out  # a fresh state knows nothing: repeats are not "known"
    summary = json.loads(summary_path(tmp_path / "articles.jsonl").read_text("utf-8"))
    found = next(m for m in summary["monitors"] if m["name"] == "articles_found")
    assert found["message"].startswith(f"{len(GOOD_IDS)} articles found")
    assert leftovers(tmp_path) == ["articles.jsonl", "articles.stats.json", "state.sqlite"]


@pytest.mark.e2e
def test_a_dropped_record_is_one_log_line_naming_the_article_not_the_record(
        sample: MirrorServer, tmp_path: Path) -> None:
    first = run_crawl(sample.url, tmp_path, output="first.jsonl")
    assert first.returncode == 0, first.log[-3000:]
    # Known articles fetched again and unchanged: a routine drop for each of them.
    again = run_crawl(sample.url, tmp_path, "-a", "refresh=1", output="again.jsonl")
    assert again.returncode == 0, again.log[-3000:]
    assert again.records == []
    drops = [line for line in again.log.splitlines() if "Dropped: " in line]
    assert len(drops) == len(GOOD_IDS)
    for line in drops:
        article_id = re.search(r"Dropped: article (\d+) unchanged since", line)
        assert article_id is not None and " INFO: " in line, line
        page = line.rsplit(": ", 1)[1]  # the article's page, not the record
        assert page.startswith(sample.url) and article_id[1] in page, line
    # Scrapy's own formatter appended the whole record (its repr) to every such line.
    assert "Article(" not in again.log and "schema_version=" not in again.log

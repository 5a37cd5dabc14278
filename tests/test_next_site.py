"""End to end on the second mirror site (fixtures/site_next/): listings beyond their first
page, a JSON listing endpoint, and an article page that only JavaScript fills.

Without rendering the shell is counted, never lost silently; with SMMNEWS_RENDER=auto Chromium
renders it and the record equals the one of the same page rendered on the server.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from smmnews.items import Article
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.static import StaticSite
from smmnews.record import build_record
from smmnews.serialize import record_dict
from tests.crawling import REPO, SITE_NOW, CrawlResult, env, run_crawl

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site_next"
SHELL_ID = "103900002"
LISTED = ["103900001", SHELL_ID, "103900003", "103900004"]  # home page, page 2, page 3
FROM_ENDPOINT = ["103900005", "103900006"]
ENDPOINTS = json.dumps([{"url": "/listapi/latest/{page}", "items": "data.list",
                         "id": "newsId", "date": "publishTime"}])
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def server() -> Iterator[MirrorServer]:
    with MirrorServer(StaticSite(SITE)) as mirror:
        yield mirror


def crawl(server: MirrorServer, workdir: Path, *args: str, output: str = "articles.jsonl",
          **settings: str) -> CrawlResult:
    return run_crawl(server.url, workdir, "-a", "listings=/", *args, output=output,
                     settings={"SMMNEWS_LISTING_ENDPOINTS": ENDPOINTS, **settings})


def test_pages_and_endpoint_are_followed_and_the_shell_is_counted(
        server: MirrorServer, tmp_path: Path) -> None:
    first = crawl(server, tmp_path)
    assert first.returncode == 0, first.log[-3000:]
    assert sorted(first.ids) == sorted(set(LISTED + FROM_ENDPOINT) - {SHELL_ID})
    assert first.summary["faults"].get("bad_page/needs_javascript") == 1
    line = next(x for x in first.log.splitlines() if "needs_javascript" in x)
    assert "SMMNEWS_RENDER=auto" in line and f"newscontent/{SHELL_ID}" in line
    # Pages 2 and 3 once each; the endpoint until its first empty page, not beyond.
    assert [server.hits[p] for p in ("/news/page/2", "/news/page/3")] == [1, 1]
    assert [server.hits[f"/listapi/latest/{n}"] for n in (1, 2, 3, 4)] == [1, 1, 1, 0]
    # A second run stops at the first page that brings nothing new: the home page still has
    # the shell (never emitted, so tried again), page 2 only a known article.
    second = crawl(server, tmp_path, output="second.jsonl")
    assert second.returncode == 0, second.log[-3000:]
    assert second.records == []
    assert [server.hits[p] for p in ("/news/page/2", "/news/page/3")] == [2, 1]
    assert [server.hits[f"/listapi/latest/{n}"] for n in (1, 2)] == [2, 1]


def test_listing_pages_stop_at_the_page_limit(server: MirrorServer, tmp_path: Path) -> None:
    result = crawl(server, tmp_path, SMMNEWS_LISTING_MAX_PAGES="2",
                   SMMNEWS_LISTING_ENDPOINTS="[]")
    assert sorted(result.ids) == ["103900001", "103900003"]
    assert server.hits["/news/page/3"] == 0 and server.hits["/listapi/latest/1"] == 0


def test_a_bad_endpoint_setting_is_one_usage_line(server: MirrorServer, tmp_path: Path) -> None:
    result = crawl(server, tmp_path, SMMNEWS_LISTING_ENDPOINTS='[{"url": "/api"}]')
    assert result.returncode == 2
    assert "{page}" in result.log and "Traceback" not in result.log


@pytest.mark.e2e
def test_chromium_renders_the_shell_into_the_server_rendered_record(
        server: MirrorServer, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), "Chromium is missing: apt-get install chromium (./dev test does)"
    result = crawl(server, tmp_path, SMMNEWS_RENDER="auto")
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.ids) == sorted(LISTED + FROM_ENDPOINT)
    assert "bad_page/needs_javascript" not in result.summary["faults"]
    rendered = next(r for r in result.records if r["article_id"] == SHELL_ID)
    crawled_at = datetime.fromisoformat(rendered["crawled_at"])
    served = build_record((SITE / "newscontent" / f"{SHELL_ID}.ssr.html").read_bytes(),
                          rendered["url"], datetime.fromisoformat(SITE_NOW),
                          crawled_at=crawled_at)
    assert isinstance(served, Article)
    assert rendered == record_dict(served)
    # Only the shell went through the browser: fetched twice (plain, then rendered), its data
    # once (by the page's script); every other article once.
    assert server.hits[f"/newscontent/{SHELL_ID}"] == 2
    assert server.hits[f"/data/article/{SHELL_ID}.json"] == 1
    assert {server.hits[f"/newscontent/{i}"] for i in LISTED + FROM_ENDPOINT
            if i != SHELL_ID} == {1}
    # scrapy-playwright on Scrapy 2.19: no Python warning, no warning log line, no traceback.
    assert re.search(r"\w+Warning: ", result.log) is None
    assert " WARNING: " not in result.log and "Traceback" not in result.log


@pytest.mark.e2e
def test_a_rendered_page_is_archived_as_read_and_reextracts_to_the_crawl_record(
        server: MirrorServer, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    result = crawl(server, tmp_path, SMMNEWS_RENDER="auto", SMMNEWS_ARCHIVE=str(archive))
    assert result.returncode == 0, result.log[-3000:]
    files = sorted(archive.glob("*.warc.gz"))
    # Both fetches of the shell are kept: the server's shell, then the page Chromium rendered,
    # marked as rendered and with a Content-Length that is its own.
    shell = []
    for path in files:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if (record.rec_type == "response" and record.rec_headers.get_header(
                        "WARC-Target-URI").endswith(f"/newscontent/{SHELL_ID}")):
                    body = record.content_stream().read()
                    shell.append((record.rec_headers.get_header("WARC-JSON-Metadata"),
                                  record.http_headers.get_header("Content-Length"), body))
    assert [meta is not None for meta, _, _ in shell] == [False, True]
    rendered_meta, length, body = shell[1]
    assert json.loads(rendered_meta) == {"smmnews": {"rendered": "chromium"}}
    assert length == str(len(body)) and len(body) > len(shell[0][2])
    warcio = Path(sys.executable).with_name("warcio")
    for command in ("index", "check"):
        done = subprocess.run([str(warcio), command, *map(str, files)], capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    # Re-extraction needs no browser: the rendered page is in the archive.
    output = tmp_path / "reextracted.jsonl"
    done = subprocess.run([sys.executable, "-m", "smmnews.cli", "reextract", str(archive),
                           "-O", str(output), "--now", SITE_NOW], cwd=REPO, env=env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    crawled = sorted(result.output.read_text("utf-8").splitlines())
    assert len(crawled) == len(LISTED + FROM_ENDPOINT)
    assert sorted(output.read_text("utf-8").splitlines()) == crawled


@pytest.mark.e2e
def test_render_always_renders_every_article(server: MirrorServer, tmp_path: Path) -> None:
    urls = f"{server.url}newscontent/{SHELL_ID},{server.url}newscontent/103900001"
    result = crawl(server, tmp_path, "-a", f"urls={urls}", SMMNEWS_RENDER="always")
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.ids) == ["103900001", SHELL_ID]
    # Rendered at once: no plain fetch of the shell before the browser's.
    assert server.hits[f"/newscontent/{SHELL_ID}"] == 1
    assert server.hits[f"/data/article/{SHELL_ID}.json"] == 1
    assert "Rendering in Chromium" not in result.log


def test_a_render_setting_that_cannot_work_is_one_usage_line(server: MirrorServer,
                                                              tmp_path: Path) -> None:
    result = crawl(server, tmp_path, SMMNEWS_RENDER="sometimes")
    assert result.returncode == 2
    assert "SMMNEWS_RENDER must be one of never, auto, always" in result.log
    missing = crawl(server, tmp_path, SMMNEWS_RENDER="auto",
                    SMMNEWS_CHROMIUM_PATH=str(tmp_path / "no-chromium"))
    assert missing.returncode == 2 and "apt-get install chromium" in missing.log
    assert "Traceback" not in result.log + missing.log



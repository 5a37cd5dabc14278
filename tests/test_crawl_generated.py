"""End to end on generated sites: scale, kill-and-resume, id sweeps, explicit URLs, bounds."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from tests.conftest import wait_for_lines
from tests.crawling import read_jsonl, run_crawl, start_crawl

pytestmark = pytest.mark.e2e


@pytest.fixture
def small_site() -> Iterator[tuple[GeneratedSite, str]]:
    site = GeneratedSite(600, seed=3)
    with MirrorServer(site) as server:
        yield site, server.url


def expected_ids(site: GeneratedSite) -> list[str]:
    return sorted(str(i) for i in site.article_ids())


def duplicates(ids: list[str]) -> list[str]:
    return [i for i, n in Counter(ids).items() if n > 1]


def test_two_thousand_articles_crawl_to_completion_once_each(
        big_site: tuple[GeneratedSite, MirrorServer], tmp_path: Path) -> None:
    site, server = big_site
    result = run_crawl(server.url, tmp_path, timeout=600)
    assert result.returncode == 0, result.log[-3000:]
    assert duplicates(result.ids) == []
    assert sorted(result.ids) == expected_ids(site)
    assert "Progress:" in result.log


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_crawl_resumed_with_jobdir_ends_with_every_article_once(
        small_site: tuple[GeneratedSite, str], tmp_path: Path, how: signal.Signals) -> None:
    site, url = small_site
    jobdir = ["-s", f"JOBDIR={tmp_path / 'job'}"]
    crawl = start_crawl(url, tmp_path, *jobdir)
    wait_for_lines(tmp_path / "articles.jsonl.part", 150)
    crawl.send_signal(how)
    crawl.wait(timeout=120)
    assert not (tmp_path / "articles.jsonl").exists()  # nothing half-done was published
    resumed = run_crawl(url, tmp_path, *jobdir, timeout=600)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert duplicates(resumed.ids) == []
    assert sorted(resumed.ids) == expected_ids(site)
    assert not (tmp_path / "articles.jsonl.part").exists()


def test_id_sweep_emits_every_existing_id_and_counts_gaps(
        small_site: tuple[GeneratedSite, str], tmp_path: Path) -> None:
    site, url = small_site
    first, last = site.article_ids()[100], site.article_ids()[299]
    result = run_crawl(url, tmp_path, "-a", f"ids={first}-{last}")
    in_range = [str(i) for i in site.article_ids() if first <= i <= last]
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.ids) == in_range
    gaps = (last - first + 1) - len(in_range)
    assert result.summary["faults"].get("sweep/missing", 0) == gaps
    assert result.summary["errors"] == 0  # a 404 in a sweep is normal, not an error
    assert "ETA" in result.log


def test_explicit_urls_in_real_forms_on_the_mirror(
        small_site: tuple[GeneratedSite, str], tmp_path: Path) -> None:
    site, url = small_site
    chosen = site.article_ids()[:3]
    base = url.rstrip("/")
    forms = [f"{base}/newscontent/{chosen[0]}/Some-Old-Slug-[SMM-Analysis]",
             f"{base}/en/newscontent/{chosen[1]}-another-slug",
             f"{base}/newscontent/{chosen[2]}",
             f"{base}/newscontent/{chosen[2]}/same-article-other-slug"]
    url_file = tmp_path / "urls.txt"
    url_file.write_text("# backfill list\n" + "\n".join(forms) + "\n", encoding="utf-8")
    result = run_crawl(url, tmp_path, "-a", f"urls={url_file}")
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.ids) == sorted(str(i) for i in chosen)


def test_max_items_and_since_bound_the_crawl(small_site: tuple[GeneratedSite, str],
                                             tmp_path: Path) -> None:
    site, url = small_site
    limited = run_crawl(url, tmp_path, "-a", "max_items=25", output="limited.jsonl")
    assert limited.returncode == 0
    assert len(limited.ids) == 25
    newest = max(site.article(i).published for i in site.article_ids())
    since = newest.date().isoformat()
    (tmp_path / "recent").mkdir()
    recent = run_crawl(url, tmp_path / "recent", "-a", f"since={since}")
    published_today = {str(i) for i in site.article_ids()
                       if site.article(i).published.date() >= newest.date()}
    assert published_today <= set(recent.ids)
    # "13 hours ago" on a listing is rounded by the site: allow that much slack, no more.
    bound = datetime.combine(newest.date(), datetime.min.time(), newest.tzinfo)
    assert all(site.article(int(i)).published >= bound - timedelta(hours=1) for i in recent.ids)


def test_bad_spider_argument_is_one_usage_line(tmp_path: Path) -> None:
    result = run_crawl("http://127.0.0.1:9/", tmp_path, "-a", "ids=103815400-103815000")
    assert result.returncode == 2
    assert "runs backwards" in result.log
    assert "Traceback" not in result.log
    assert read_jsonl(result.output) == []

"""Feed formats beyond JSON Lines as data teams use them: `-o out.csv` (or .json, .xml) run after
run gives one file a real reader accepts, holding every article once; a file `-o` cannot add to
and a compressed feed are refused with one line; several outputs of one run where one fails
end, after the rerun, with every article in each. The kill-and-resume property over every format
is in tests/test_fault_matrix.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.state import COMMITTED
from tests.crawling import REPO, SITE_NOW, env
from tests.test_fault_matrix import (
    FAST,
    Mode,
    assert_one_clear_line,
    error_lines,
    ids_of,
    records_of,
    remount,
    state_entries,
    tmpfs,
)

pytestmark = pytest.mark.e2e


def crawl(base_url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl smm_news <args>` in `workdir`, state store `workdir/state.sqlite`."""
    command = [sys.executable, "-m", "scrapy", "crawl", "smm_news", "-a", f"base_url={base_url}",
               "-a", f"now={SITE_NOW}", "-s", f"SMMNEWS_STATE_PATH={workdir / 'state.sqlite'}"]
    for name, value in FAST.items():
        command += ["-s", f"{name}={value}"]
    run_env = {**env(), "SCRAPY_SETTINGS_MODULE": "smmnews.settings", "PYTHONPATH": str(REPO)}
    return subprocess.run([*command, *args], cwd=workdir, capture_output=True, text=True,
                          timeout=300, env=run_env, check=False)


@pytest.mark.parametrize("kind", ["csv", "json", "xml"])
def test_o_run_after_run_gives_one_readable_file_with_every_article_once(
        kind: str, tmp_path: Path) -> None:
    site = GeneratedSite(30, seed=23)
    output = tmp_path / f"articles.{kind}"
    with MirrorServer(site) as server:
        first = crawl(server.url, tmp_path, "-o", str(output), "-a", "max_items=12")
        assert first.returncode == 0, first.stderr[-3000:]
        assert len(ids_of(output, kind)) == 12
        second = crawl(server.url, tmp_path, "-o", str(output))
        assert second.returncode == 0, second.stderr[-3000:]
    records = records_of(output, kind)  # pandas / ElementTree: raises if the file is broken
    ids = [str(r["article_id"]) for r in records]
    assert sorted(ids) == sorted(str(i) for i in site.article_ids())
    if kind == "csv":
        assert output.read_text("utf-8").count("schema_version,article_id,") == 1
    entries = state_entries(Mode("o", tmp_path))
    assert set(entries) == set(ids) and {s for s, _ in entries.values()} == {COMMITTED}


@pytest.mark.parametrize(("name", "content", "cause"), [
    ("articles.json", '{"article_id": "1"}\n', "not a JSON array"),
    ("articles.json", '[{"article_id": "1"}]\n[{"article_id": "2"}]\n', "not a valid json"),
    ("articles.csv", "id,title\n1,x\n", "no header line naming article_id"),
    ("articles.csv", "article_id,title\n1,x\n", "header line is not the columns"),
    ("articles.xml", "<items><item>", "not a valid xml"),
])
def test_o_on_a_file_it_cannot_add_to_is_refused_with_one_line(
        name: str, content: str, cause: str, tmp_path: Path) -> None:
    output = tmp_path / name
    output.write_text(content, "utf-8")
    refused = crawl("http://127.0.0.1:9/", tmp_path, "-o", str(output))
    assert_one_clear_line(refused, "Crawl refused: cannot append to", str(output), cause)
    assert len(error_lines(refused)) == 1
    assert output.read_text("utf-8") == content


def test_a_compressed_feed_is_refused_as_a_usage_error(tmp_path: Path) -> None:
    feeds = ('{"articles.jsonl.gz": {"format": "jsonlines", "postprocessing": '
             '["scrapy.extensions.postprocessing.GzipPlugin"]}}')
    refused = crawl("http://127.0.0.1:9/", tmp_path, "-s", f"FEEDS={feeds}")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert "postprocessing (compression) is not supported" in refused.stderr
    assert not list(tmp_path.glob("articles.jsonl.gz*"))


def test_several_outputs_where_one_fails_each_end_with_every_article(tmp_path: Path) -> None:
    """A full disk under the second output: nothing is published (the first output would
    otherwise hand over records the second lacks, recorded as written); the rerun completes
    both."""
    site = GeneratedSite(60, seed=23)
    first, second = tmp_path / "a.jsonl", tmp_path / "disk" / "b.csv"
    with MirrorServer(site) as server, tmpfs(tmp_path / "disk", "96k") as disk:
        failed = crawl(server.url, tmp_path, "-o", str(first), "-o", str(second))
        assert_one_clear_line(failed, "disk full", str(second) + ".part")
        assert not first.exists() and not second.exists()
        remount(disk, "size=16m")
        again = crawl(server.url, tmp_path, "-o", str(first), "-o", str(second))
        assert again.returncode == 0, again.stderr[-3000:]
        expected = sorted(str(i) for i in site.article_ids())
        assert sorted(ids_of(first)) == expected
        assert sorted(ids_of(second, "csv")) == expected

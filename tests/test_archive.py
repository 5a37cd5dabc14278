"""The archive end to end: a crawl killed and resumed keeps every page as WARC, and
`reextract` of it gives the crawl's records byte for byte; `fixture add` and the WARC files."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from smmnews.archive.files import complete_length
from smmnews.extract.urls import article_id_from_url
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.static import StaticSite
from tests.conftest import wait_for_lines
from tests.crawling import REPO, SITE_NOW, CrawlResult, env, run_crawl, start_crawl

pytestmark = pytest.mark.e2e
SITE = REPO / "fixtures" / "site"
EXPECTED = json.loads((SITE / "expected.json").read_text("utf-8"))
# Two at a time, so the crawl is still going when it is killed a few records in.
SLOW = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
KILL_AFTER = 5


@dataclass
class Archived:
    workdir: Path
    archive: Path
    killed_part: list[bytes]
    killed_records: list[tuple[str, str]]
    crawl: CrawlResult


def smmnews(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smmnews.cli", *args], cwd=REPO, env=env(),
                          capture_output=True, text=True, timeout=300, check=False)


def readable_records(path: Path) -> list[tuple[str, str]]:
    """(WARC-Type, target URI) of every record; raises if any record is unreadable."""
    with path.open("rb") as handle:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "")
                for r in ArchiveIterator(handle)]


def complete_prefix(orphan: Path, into: Path) -> Path:
    """What a reader gets from a killed run's file: its complete gzip members."""
    data = orphan.read_bytes()
    into.write_bytes(data[: complete_length(orphan)])
    return into


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archived]:
    workdir = tmp_path_factory.mktemp("archived")
    archive = workdir / "archive"
    settings = {**SLOW, "SMMNEWS_ARCHIVE": str(archive)}
    jobdir = ("-s", f"JOBDIR={workdir / 'job'}")
    with MirrorServer(StaticSite(SITE)) as mirror:
        crawl = start_crawl(mirror.url, workdir, *jobdir, settings=settings)
        wait_for_lines(workdir / "articles.jsonl.part", KILL_AFTER)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=60)
        part = (workdir / "articles.jsonl.part").read_bytes().split(b"\n")[:-1]
        orphans = list(archive.glob("*.warc.gz.open"))
        assert len(orphans) == 1, list(archive.iterdir())
        killed = readable_records(complete_prefix(orphans[0], workdir / "killed.warc.gz"))
        resumed = run_crawl(mirror.url, workdir, *jobdir, settings=settings)
    yield Archived(workdir, archive, part, killed, resumed)


def test_the_kill_came_mid_crawl_and_every_complete_record_was_readable(
        archived: Archived) -> None:
    assert KILL_AFTER <= len(archived.killed_part) < len(EXPECTED["good_ids"])
    answered = {article_id_from_url(uri) for kind, uri in archived.killed_records
                if kind == "response"}
    # Every record the killed run emitted has its page in the archive it left.
    assert {json.loads(line)["article_id"] for line in archived.killed_part} <= answered


def test_resumed_crawl_emits_every_article_once(archived: Archived) -> None:
    assert archived.crawl.returncode == 0, archived.crawl.log[-3000:]
    assert sorted(archived.crawl.ids) == sorted(EXPECTED["good_ids"])
    assert not list(archived.archive.glob("*.open"))  # the orphan was salvaged, the rest closed


def test_every_archive_file_passes_warcio_index_and_check(archived: Archived) -> None:
    files = sorted(archived.archive.glob("*.warc.gz"))
    assert len(files) == 2  # one set per run: the killed run's (salvaged) and the resumed one
    warcio = Path(sys.executable).with_name("warcio")
    for command in ("index", "check"):
        done = subprocess.run([str(warcio), command, *map(str, files)], capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    kinds = Counter(kind for path in files for kind, _ in readable_records(path))
    assert kinds["response"] == kinds["request"] > 0
    uris = {uri for path in files for kind, uri in readable_records(path) if kind == "response"}
    # Robots.txt, sitemaps, listings, articles, and the failures in between.
    assert any(u.endswith("/robots.txt") for u in uris)
    assert any(u.endswith(".xml") for u in uris)
    assert any(article_id_from_url(u) is None and not u.endswith((".txt", ".xml")) for u in uris)


def test_reextract_gives_the_crawl_records_byte_for_byte(archived: Archived) -> None:
    output = archived.workdir / "reextracted.jsonl"
    # No --now: the crawl's `-a now` is in its archive files' warcinfo records.
    done = smmnews("reextract", str(archived.archive), "-O", str(output), "--processes", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    crawled = archived.crawl.output.read_bytes().splitlines()
    again = output.read_bytes().splitlines()
    assert sorted(again) == sorted(crawled)
    assert len({json.loads(line)["article_id"] for line in again}) == len(again)
    summary = json.loads(output.with_name("reextracted.stats.json").read_text("utf-8"))
    assert summary["items"] == len(crawled)
    assert summary["faults"]["bad_page/not_text"] == 1  # the binary page, as in the crawl
    assert "pages/s" in done.stderr  # the progress bar


def test_reextract_filters_by_id(archived: Archived) -> None:
    output = archived.workdir / "some.jsonl"
    wanted = sorted(EXPECTED["good_ids"])[:2]
    done = smmnews("reextract", str(archived.archive), "-O", str(output), "--now", SITE_NOW,
                   "--processes", "1", "--ids", ",".join(wanted))
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(json.loads(line)["article_id"] for line in output.read_text().splitlines()) \
        == wanted


def test_fixture_add_from_the_archive(archived: Archived, tmp_path: Path) -> None:
    record = archived.crawl.records[0]
    done = smmnews("fixture", "add", "l0-test-from-archive", "--archive", str(archived.archive),
                   "--id", record["article_id"], "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    case = tmp_path / "l0-test-from-archive"
    meta = json.loads((case / "meta.json").read_text("utf-8"))
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    assert meta["url"] == record["url"]
    assert meta["now"] == SITE_NOW
    # The draft is what the crawl emitted, cut to the keys the quality test compares.
    assert expected == {key: record[key] for key in expected}
    assert "body" in expected and "crawled_at" not in expected
    assert b"<html" in (case / "page.html").read_bytes().lower()
    again = smmnews("fixture", "add", "l0-test-from-archive", "--archive",
                    str(archived.archive), "--id", record["article_id"], "--dir", str(tmp_path))
    assert again.returncode == 2 and "exists" in again.stderr


def test_fixture_add_from_a_saved_page(tmp_path: Path) -> None:
    source = REPO / "fixtures" / "articles" / "l2-modern-nickel-flash-2026"
    meta = json.loads((source / "meta.json").read_text("utf-8"))
    page = tmp_path / "saved.html"
    shutil.copyfile(source / "page.html", page)
    done = smmnews("fixture", "add", "l2-modern-copy", "--page", str(page), "--url",
                   meta["url"], "--now", meta["now"], "--layout", "L2", "--family", "modern",
                   "--dir", str(tmp_path / "articles"))
    assert done.returncode == 0, done.stderr
    case = tmp_path / "articles" / "l2-modern-copy"
    assert (case / "page.html").read_bytes() == (source / "page.html").read_bytes()
    reviewed = json.loads((source / "expected.json").read_text("utf-8"))
    draft = json.loads((case / "expected.json").read_text("utf-8"))
    assert draft.keys() == reviewed.keys()
    for key in ("article_id", "title", "published_at", "disclaimer"):
        assert draft[key] == reviewed[key], key
    assert json.loads((case / "meta.json").read_text("utf-8"))["layout"] == "L2"

"""WARC files without a crawl: rotation, salvage of a killed run's file, foreign WARCs."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from smmnews.archive.files import WarcFileSet, http_headers, salvage
from smmnews.archive.middleware import FETCHED_AT, ArchiveMiddleware
from smmnews.archive.reextract import reextract
from smmnews.archive.worker import Stats, revisions
from smmnews.extract.dates import parse_iso
from smmnews.items import Article
from smmnews.record import build_record
from smmnews.serialize import record_dict
from tests.fixtures import ARTICLES, NON_ARTICLES, case_names, meta, page_bytes

CASE = "l2-modern-nickel-flash-2026"
FETCHED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def exchange(files: WarcFileSet, url: str, body: bytes) -> None:
    files.write_exchange(url, FETCHED,
                         (http_headers("GET /x", [("Host", "h")], request=True), b""),
                         (http_headers("200 OK", [("Content-Type", "text/html")]), body))


def records(path: Path) -> list[tuple[str, str | None]]:
    with path.open("rb") as handle:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                for r in ArchiveIterator(handle)]


def test_files_rotate_by_size_and_each_is_whole(tmp_path: Path) -> None:
    files = WarcFileSet(tmp_path, "run", max_bytes=2000)
    for number in range(6):
        exchange(files, f"http://h/newscontent/{number}", bytes(range(256)) * 8)
    files.close()
    written = sorted(tmp_path.iterdir())
    assert len(written) >= 3 and written == sorted(files.written)
    kinds = [kind for path in written for kind, _ in records(path)]
    assert kinds.count("response") == kinds.count("request") == 6
    assert kinds.count("warcinfo") == len(written)


def test_salvage_keeps_every_complete_record_of_a_killed_run(tmp_path: Path) -> None:
    files = WarcFileSet(tmp_path, "run")
    for number in range(3):
        exchange(files, f"http://h/newscontent/{number}", b"<html>%d</html>" % number)
    assert files.path is not None and files.handle is not None
    orphan = files.path
    files.handle.close()  # as a SIGKILL leaves it: never renamed
    data = orphan.read_bytes()
    orphan.write_bytes(data[:-7])  # killed in the middle of the last gzip member
    made = salvage(tmp_path)
    assert made == [orphan.with_name(orphan.name.removesuffix(".open"))]
    kept = records(made[0])
    # The last request record was cut: everything before it is there and readable.
    assert [kind for kind, _ in kept] == ["warcinfo"] + ["response", "request"] * 2 + ["response"]
    assert not list(tmp_path.glob("*.open"))


def foreign_warc(path: Path, url: str, page: bytes) -> None:
    """A WARC 1.1 as other crawlers write it: uncompressed file, gzip content, chunked."""
    compressed = gzip.compress(page)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(compressed), compressed)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=False, warc_version="WARC/1.1")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Encoding", "gzip"),
                                              ("Transfer-Encoding", "chunked")],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=BytesIO(chunked), length=len(chunked),
            http_headers=headers, warc_headers_dict={"WARC-Date": "2026-03-01T08:30:00.123Z"}))


def test_reextract_reads_a_foreign_warc(tmp_path: Path) -> None:
    url = meta(ARTICLES, CASE)["url"]
    page = page_bytes(ARTICLES, CASE)
    foreign_warc(tmp_path / "other.warc", url, page)
    output = tmp_path / "out.jsonl"
    now = parse_iso(meta(ARTICLES, CASE)["now"])
    assert now is not None
    result = reextract([tmp_path], output, now=now, processes=1)
    lines = output.read_text("utf-8").splitlines()
    assert result["items"] == len(lines) == 1
    record = json.loads(lines[0])
    direct = build_record(page, url, now, crawled_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC))
    assert isinstance(direct, Article)
    assert record == record_dict(direct)
    assert record["crawled_at"] == "2026-03-01T08:30:00+00:00"


@pytest.mark.parametrize(("hashes", "expected"), [
    (["a"], (1, None)),
    (["a", "a"], (1, None)),            # refetched, unchanged: no new revision
    (["a", "b"], (2, "a")),
    (["a", "b", "b"], (2, "a")),
    (["a", "b", "a"], (3, "b")),        # changed back is a change too
])
def test_revisions_count_changes_as_the_crawl_does(hashes: list[str],
                                                   expected: tuple[int, str | None]) -> None:
    assert revisions(hashes) == expected


def archive_fetches(directory: Path, url: str, pages: list[bytes]) -> None:
    """The same URL fetched once an hour, one page after the other."""
    files = WarcFileSet(directory, "run")
    for hours, page in enumerate(pages):
        files.write_exchange(url, FETCHED + timedelta(hours=hours),
                             (http_headers("GET /x", [("Host", "h")], request=True), b""),
                             (http_headers("200 OK", [("Content-Type", "text/html")]), page))
    files.close()


def test_a_refetched_article_keeps_its_revision(tmp_path: Path) -> None:
    url = meta(ARTICLES, CASE)["url"]
    first = page_bytes(ARTICLES, CASE)
    edited = first.replace(b"</p>", b" Updated figures were released later.</p>", 1)
    archive_fetches(tmp_path, url, [first, first, edited])
    output = tmp_path / "out.jsonl"
    summary = reextract([tmp_path], output, now=FETCHED, processes=1)
    [record] = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    before = build_record(first, url, FETCHED)
    assert isinstance(before, Article)
    assert (record["revision"], record["previous_content_hash"]) == (2, before.content_hash)
    assert "Updated figures" in record["body"]
    assert record["crawled_at"] == (FETCHED + timedelta(hours=2)).isoformat()
    assert summary["skipped"] == {"older_fetch": 2}


def test_a_refetch_that_is_no_longer_an_article_keeps_the_published_record(
        tmp_path: Path) -> None:
    # The crawl published the article (twice: edited in between), then met a login wall at
    # the same URL: its outputs hold the edited record, and so does the re-extraction.
    url = meta(ARTICLES, CASE)["url"]
    first = page_bytes(ARTICLES, CASE)
    edited = first.replace(b"</p>", b" Updated figures were released later.</p>", 1)
    wall = page_bytes(NON_ARTICLES, "login-page")
    archive_fetches(tmp_path, url, [first, wall, edited, wall])
    output = tmp_path / "out.jsonl"
    summary = reextract([tmp_path], output, now=FETCHED, processes=1)
    [record] = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    direct = build_record(edited, url, FETCHED, crawled_at=FETCHED + timedelta(hours=2))
    before = build_record(first, url, FETCHED)
    assert isinstance(direct, Article) and isinstance(before, Article)
    direct.revision, direct.previous_content_hash = 2, before.content_hash
    assert record == record_dict(direct)
    # The last fetch's fault is counted once, as its crawl counted it; the earlier wall not.
    assert sum(summary["faults"].values()) == 1
    assert summary["items"] == 1


def test_an_article_only_ever_seen_behind_a_wall_gives_no_record(tmp_path: Path) -> None:
    url = meta(ARTICLES, CASE)["url"]
    archive_fetches(tmp_path, url, [page_bytes(NON_ARTICLES, "login-page")] * 2)
    output = tmp_path / "out.jsonl"
    summary = reextract([tmp_path], output, now=FETCHED, processes=1)
    assert output.read_text("utf-8") == ""
    assert summary["items"] == 0 and sum(summary["faults"].values()) == 1


def test_the_middleware_archives_the_exchange_as_received(tmp_path: Path) -> None:
    files = WarcFileSet(tmp_path, "run")
    stats = Stats()
    archive = ArchiveMiddleware(files, stats)
    request = Request("http://h/newscontent/1/【SMM】-x", headers={"User-Agent": "smmnews"})
    request.meta[FETCHED_AT] = "2026-03-01T08:30:00+00:00"
    body = gzip.compress(b"<html>page</html>")
    response = HtmlResponse(request.url, status=200, body=body, request=request,
                            protocol="HTTP/1.1",
                            headers={"Content-Encoding": "gzip", "Transfer-Encoding": "chunked",
                                     "Content-Type": "text/html"})
    assert archive.process_response(request, response) is response
    archive.spider_closed()
    [path] = files.written
    with path.open("rb") as handle:
        found = {r.rec_type: (r.rec_headers, r.http_headers, r.content_stream().read())
                 for r in ArchiveIterator(handle)}
    warc, http, content = found["response"]
    assert warc.get_header("WARC-Date") == "2026-03-01T08:30:00Z"
    assert http.get_statuscode() == "200" and http.get_header("Transfer-Encoding") is None
    assert content == b"<html>page</html>"  # stored content-encoded, as it came off the wire
    request_line = found["request"][1].protocol + " " + found["request"][1].statusline
    assert "%E3%80%90SMM%E3%80%91" in request_line and found["request"][1].get_header(
        "User-Agent") == "smmnews"
    assert stats.values == {"smmnews/archive/responses": 1}


def test_an_archive_that_cannot_be_written_does_not_stop_the_crawl(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the directory should be")
    stats = Stats()
    archive = ArchiveMiddleware(WarcFileSet(tmp_path / "taken", "run"), stats)
    request = Request("http://h/newscontent/1")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    for _ in range(2):
        assert archive.process_response(request, response) is response
    assert stats.values == {"smmnews/archive/write_failed": 1}  # one log line, then quiet


def several_articles(directory: Path, gzip_per_record: bool) -> tuple[Path, list[int]]:
    """One WARC file holding every fixture article (gzip per record, or a plain WARC);
    returns it and where each response record starts."""
    path = directory / ("several.warc.gz" if gzip_per_record else "several.warc")
    starts = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip_per_record)
        for case in case_names(ARTICLES):
            page = page_bytes(ARTICLES, case)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            starts.append(handle.tell())
            writer.write_record(writer.create_warc_record(
                meta(ARTICLES, case)["url"], "response", payload=BytesIO(page),
                length=len(page), http_headers=headers,
                warc_headers_dict={"WARC-Date": "2026-03-01T08:30:00Z"}))
    return path, starts


@pytest.mark.parametrize("gzip_per_record", [True, False])
def test_a_damaged_record_in_the_middle_costs_that_record_only(tmp_path: Path,
                                                               gzip_per_record: bool) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    path, starts = several_articles(archive, gzip_per_record)
    clean = reextract([archive], tmp_path / "clean.jsonl", now=FETCHED, processes=1)
    # Bytes flipped inside the third record (its first line for a plain WARC, its compressed
    # data for gzip), as a bad disk sector or a botched copy leaves them.
    data = bytearray(path.read_bytes())
    hit = starts[2] + ((starts[3] - starts[2]) // 2 if gzip_per_record else 0)
    for index in range(hit, hit + 64):
        data[index] ^= 0xA5
    path.write_bytes(bytes(data))
    damaged = reextract([archive], tmp_path / "damaged.jsonl", now=FETCHED, processes=2)
    before = {json.loads(x)["article_id"]: x for x in
              (tmp_path / "clean.jsonl").read_text("utf-8").splitlines()}
    after = {json.loads(x)["article_id"]: x for x in
             (tmp_path / "damaged.jsonl").read_text("utf-8").splitlines()}
    lost = sorted(set(before) - set(after))
    assert len(lost) == 1 and clean["items"] == len(before)
    assert all(after[i] == before[i] for i in after)  # the others exactly as before
    assert damaged["archive"]["damaged"] >= 1


def test_a_file_that_is_not_a_warc_is_one_line_and_no_records(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "noise.warc.gz").write_bytes(bytes(range(256)) * 40)
    result = reextract([tmp_path], tmp_path / "out.jsonl", now=FETCHED, processes=1)
    assert result["items"] == 0 and result["archive"]["damaged"] == 1
    lines = [r.getMessage() for r in caplog.records if "noise.warc.gz" in r.getMessage()]
    assert len(lines) == 1 and "damaged record" in lines[0]

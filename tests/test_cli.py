"""`smmnews extract` runs the spider's code path and answers bad input with one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import ARTICLES, expected, meta

CASE = "l2-html5-example-asi-visit"
URL = meta(ARTICLES, CASE)["url"]
NOW = meta(ARTICLES, CASE)["now"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "smmnews.cli", *args], input=stdin,
                          capture_output=True, timeout=60, check=False)


def test_extract_prints_one_json_line_per_page() -> None:
    page = str(ARTICLES / CASE / "page.html")
    other = "l1-modern-nickel-weekly-analysis"
    result = run("extract", page, str(ARTICLES / other / "page.html"), "--url", URL,
                 "--url", meta(ARTICLES, other)["url"], "--now", NOW)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert [json.loads(line)["title"] for line in lines] == [expected(CASE)["title"],
                                                              expected(other)["title"]]
    assert "\\u" not in lines[0]  # UTF-8, not escapes


def test_extract_reads_stdin_and_falls_back_to_meta_json_for_the_url() -> None:
    page = (ARTICLES / CASE / "page.html").read_bytes()
    from_stdin = run("extract", "-", "--url", URL, "--now", NOW, stdin=page)
    from_meta = run("extract", str(ARTICLES / CASE / "page.html"), "--now", NOW)
    assert from_stdin.returncode == from_meta.returncode == 0
    record = json.loads(from_stdin.stdout)
    assert record["body"] == json.loads(from_meta.stdout)["body"] == expected(CASE)["body"]


BAD_INPUT = [
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    ("empty", b"", "empty"),
    ("blank", b"  \n\t ", "empty"),
    ("truncated", (ARTICLES / CASE / "page.html").read_bytes()[:3000], "truncated"),
    ("undecodable", b"<html><body>" + bytes(range(128, 256)) * 200 + b"</body></html>",
     "undecodable"),
    ("plain text", b"just some words, no markup at all\n", "not_html"),
    ("listing", (ARTICLES.parent / "non_articles" / "listing-home-2026" / "page.html")
     .read_bytes(), "not an article"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_gives_one_line_and_a_nonzero_exit(name: str, data: bytes, reason: str,
                                                     tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(data)
    result = run("extract", str(page), "--url", URL, "--now", NOW)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert result.stdout == b""
    assert len(err.strip().splitlines()) == 1
    assert reason in err and "Traceback" not in err


def test_missing_file_and_bad_now_are_reported_cleanly(tmp_path: Path) -> None:
    missing = run("extract", str(tmp_path / "nope.html"), "--url", URL, "--now", NOW)
    bad_now = run("extract", str(ARTICLES / CASE / "page.html"), "--now", "yesterday-ish")
    assert (missing.returncode, bad_now.returncode) == (1, 2)
    assert b"Traceback" not in missing.stderr + bad_now.stderr


def test_extract_path_imports_no_scrapy_or_twisted() -> None:
    # Start-up is the cost of one-page extractions (bench/startup.py times it); Scrapy and
    # Twisted are a crawler's imports, not an extractor's.
    code = ("import sys; from smmnews.cli import _import_extraction; _import_extraction(); "
            "import smmnews.serialize, smmnews.extract.listing; "
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')); "
            "print(heavy); import scrapy; print(scrapy.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "scrapy"]

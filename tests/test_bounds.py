"""Bounds against hostile servers: sitemap depth and count, schemes, ports, pathological pages,
wrong charsets, gzip bombs and redirect loops each end as a counted fault, never a stall."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smmnews.extract.decode import (
    MAX_ATTRIBUTES,
    MAX_NESTING,
    BadPage,
    charset_mismatch,
    decode_page,
    pathological,
)
from smmnews.mirror import sitemaps
from smmnews.mirror.faults import reply_for
from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.site import XML, Fault, Page
from smmnews.slowdown import retry_after_seconds
from tests.crawling import REPO, read_jsonl, run_crawl
from tests.fixtures import ARTICLES, case_names, page_bytes
from tests.hostile import HostileSite


def attributes_page(count: int) -> bytes:
    names = " ".join(f'data-a{i}="x"' for i in range(count))
    return f"<html><head><title>t</title></head><body><div {names}>x</div></body></html>".encode()


def test_an_element_with_too_many_attributes_is_refused_before_parsing() -> None:
    with pytest.raises(BadPage) as refused:
        decode_page(attributes_page(MAX_ATTRIBUTES * 40))
    assert refused.value.reason == "pathological"
    assert pathological(attributes_page(MAX_ATTRIBUTES // 2)) is None


def test_nesting_beyond_the_bound_is_refused_and_real_pages_pass() -> None:
    deep = b"<html><body>" + b"<div>" * (MAX_NESTING + 10) + b"</div>" * (MAX_NESTING + 10)
    assert "nested" in (pathological(deep + b"</body></html>") or "")
    for case in case_names(ARTICLES):
        assert pathological(page_bytes(ARTICLES, case)) is None, case


def test_a_wrong_legacy_charset_header_over_utf8_bytes_is_detected_and_decoded() -> None:
    body = "<html><body><p>Copper’s price — 5 % up</p></body></html>".encode()
    assert charset_mismatch(body, "iso-8859-1")
    assert not charset_mismatch(body, "utf-8")
    assert not charset_mismatch(b"<html>plain ascii</html>", "iso-8859-1")
    assert "Copper’s price — 5 %" in decode_page(body, "iso-8859-1")


def test_smmnews_extract_refuses_a_pathological_page(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(attributes_page(100_000))
    done = subprocess.run([sys.executable, "-m", "smmnews.cli", "extract", str(page), "--url",
                           "https://news.metal.com/newscontent/103800001"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "pathological" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.e2e
def test_hostile_pages_end_as_counted_faults(tmp_path: Path) -> None:
    site = GeneratedSite(40, seed=31)
    ids = site.article_ids()
    utf8 = [i for i in ids if not site.article_page(i).isascii()][-1]
    faulty: dict[int, Fault] = {ids[0]: {"kind": "attributes", "count": 40_000},
              ids[1]: {"kind": "gzip_bomb", "mb": 64},
              ids[2]: {"kind": "redirect", "to": f"/newscontent/{ids[2]}"},
              utf8: {"kind": "wrong_charset", "charset": "iso-8859-1"}}
    site = GeneratedSite(40, seed=31,
                         faults={f"/newscontent/{i}": f for i, f in faulty.items()})
    hostile = HostileSite(site)
    hostile.robots(["/search"], ["/endless/index-1.xml", "/odd.xml"])
    with MirrorServer(hostile) as server:
        base = server.url.rstrip("/")
        other_port = base.rsplit(":", 1)[0] + ":9"
        hostile.pages["/odd.xml"] = Page(body=sitemaps.urlset(
            [("ftp://127.0.0.1/newscontent/103899999", None),  # ids the site never links
             (f"{other_port}/newscontent/103899998", None)]), content_type=XML)
        result = run_crawl(server.url, tmp_path)
        endless = sum(n for path, n in server.hits.items() if path.startswith("/endless/"))
    assert result.returncode == 0, result.log[-3000:]
    faults = result.summary["faults"]
    assert faults.get("sitemap_limit/depth") == 1
    assert endless == 4  # index-1 (named by robots.txt) is depth 0, then 1, 2, 3: the bound
    assert faults.get("scheme/ftp") == 1
    assert faults.get("offsite/port") == 1
    assert faults.get("bad_page/pathological") == 1
    assert faults.get("fetch_failed/decompression_bomb") == 1
    assert faults.get("redirect_loop") == 1
    assert faults.get("charset/mismatch") == 1
    records = {r["article_id"]: r for r in read_jsonl(result.output)}
    clean = json.loads(json.dumps(records[str(utf8)]))
    assert "â€" not in clean["body"] and "Ã" not in clean["body"]
    assert {str(i) for i in (ids[0], ids[1], ids[2])}.isdisjoint(records)


@pytest.mark.e2e
def test_the_number_of_sitemaps_per_run_is_bounded(tmp_path: Path) -> None:
    hostile = HostileSite(GeneratedSite(20, seed=32))
    hostile.robots(["/search"], ["/endless/index-1.xml"])
    with MirrorServer(hostile) as server:
        result = run_crawl(server.url, tmp_path, "-s", "SMMNEWS_SITEMAP_MAX_DEPTH=100",
                           "-s", "SMMNEWS_SITEMAP_MAX_COUNT=6")
        fetched = sum(n for path, n in server.hits.items() if path.endswith(".xml"))
    assert result.returncode == 0, result.log[-3000:]
    assert fetched <= 6
    # Every sitemap refused past the bound is counted (how many arrive after it depends on
    # the order responses come back in); the log says so once.
    assert result.summary["faults"].get("sitemap_limit/count", 0) >= 1
    assert sum("sitemaps in this run: the rest are skipped" in line
               for line in result.log.splitlines()) == 1


def test_the_mirror_serves_the_hostile_kinds() -> None:
    page = Page(body=b"<html><body>\xe2\x80\x99</body></html>", fault={"kind": "wrong_charset"})
    assert "iso-8859-1" in reply_for(page, "k", 1, "http://x").content_type


@pytest.mark.parametrize(("value", "expected"), [
    ("7", 7.0), (b" 120 ", 120.0),
    ("Wed, 02 Dec 2026 08:00:30 GMT", 30.0),  # an HTTP date: the time until then
    ("Wed, 02 Dec 2026 07:59:00 GMT", 0.0),   # already past
    ("soon", None), ("", None), (None, None), ("-5", None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(value: str | bytes | None,
                                                        expected: float | None) -> None:
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now) == expected


@pytest.mark.e2e
def test_a_rate_limited_page_is_fetched_again_only_after_the_wait_the_site_asked(
        tmp_path: Path) -> None:
    plain = GeneratedSite(20, seed=5)
    limited, unavailable = plain.article_ids()[:2]
    faults: dict[str, Fault] = {
        f"/newscontent/{limited}": {"kind": "flaky", "status": 429, "times": 1,
                                    "retry_after": 3},
        f"/newscontent/{unavailable}": {"kind": "flaky", "status": 503, "times": 1,
                                        "retry_after": 2}}
    site = GeneratedSite(20, seed=5, faults=faults)
    with MirrorServer(site) as server:
        result = run_crawl(server.url, tmp_path)
        # Every URL of the article (the site links it with and without a slug).
        times = {i: sorted(t for path, seen in server.times.items() if f"/{i}" in path
                           for t in seen) for i in (limited, unavailable)}
    assert result.returncode == 0, result.log[-3000:]
    assert {str(limited), str(unavailable)} <= {r["article_id"] for r in result.records}
    # Refused once, then fetched again no sooner than the site asked (the test settings'
    # retries are otherwise immediate).
    assert [len(t) for t in times.values()] == [2, 2]
    assert times[limited][1] - times[limited][0] >= 3.0
    assert times[unavailable][1] - times[unavailable][0] >= 2.0
    warned = [line for line in result.log.splitlines() if " with Retry-After " in line]
    assert warned and all(" WARNING: " in line for line in warned)

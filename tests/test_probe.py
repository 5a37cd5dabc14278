"""`smmnews probe` against the mirror: every discovery path and, per article, every field's
source; fixture drafts; the shipped list of real article URLs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from smmnews import settings as project
from smmnews.extract.urls import article_id_from_url
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.static import StaticSite
from smmnews.probe.drafts import EXPECTED_KEYS
from smmnews.probe.fields import REPORTED
from smmnews.probe.known import known_article_urls, rebase
from tests.crawling import REPO, SITE_NOW, env

SITE = REPO / "fixtures" / "site"
NEXT_SITE = REPO / "fixtures" / "site_next"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=2"]


@dataclass
class Probe:
    code: int
    out: str
    err: str

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out)
        return data


def probe(*args: str) -> Probe:
    done = subprocess.run([sys.executable, "-m", "smmnews.cli", "probe", "--now", SITE_NOW,
                           *FAST, *args], capture_output=True, text=True, env=env(),
                          timeout=120, check=False, cwd=REPO)
    return Probe(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def sample_site() -> Iterator[MirrorServer]:
    with MirrorServer(StaticSite(SITE)) as mirror:
        yield mirror


@pytest.fixture
def next_site() -> Iterator[MirrorServer]:
    with MirrorServer(StaticSite(NEXT_SITE)) as mirror:
        yield mirror


def by_url(entries: list[dict[str, Any]], url: str) -> dict[str, Any]:
    return next(e for e in entries if e["url"] == url)


def test_probe_json_reports_discovery_fields_and_drafts(sample_site: MirrorServer,
                                                        tmp_path: Path) -> None:
    base = sample_site.url
    good, l1, price, missing = (f"{base}newscontent/{i}" for i in (
        "103800002", "103800000", "103800998", "103800013"))
    forbidden = f"{base}newscontent/103800999/Nickel-Futures-Plummet"
    urls = tmp_path / "urls.txt"
    urls.write_text("# probe these\n" + "\n".join([good, l1, price, missing, forbidden]) + "\n")
    drafts = tmp_path / "drafts"
    state = tmp_path / "state.sqlite"
    result = probe("--base-url", base, "--urls", str(urls), "--json",
                   "--save-fixtures", str(drafts), "-s", f"SMMNEWS_STATE_PATH={state}")
    assert result.code == 0, result.err
    assert not state.exists()  # a probe is no crawl: nothing it sees counts as known
    report = result.report
    discovery = report["discovery"]
    # Every discovery path the crawl would use, each with its status.
    wanted = [base + "robots.txt"] + [base + p.lstrip("/") for p in
                                      project.SMMNEWS_SITEMAPS + project.SMMNEWS_LISTINGS]
    assert set(wanted) <= {e["url"] for e in discovery}
    assert by_url(discovery, base + "robots.txt")["yielded"]["sitemaps_named"] == 1
    assert by_url(discovery, base + "en/nickel")["status"] == 404
    home = by_url(discovery, base)
    linked = set(re.findall(r"newscontent/(\d{5,})", (SITE / "pages" / "home.html").read_text()))
    assert (home["status"], home["yielded"]["article_links"]) == (200, len(linked))
    assert by_url(discovery, base + "list/industry/aluminium")["yielded"][
        "load_more_button"] == "yes"
    assert home["yielded"]["load_more_button"] == "no"
    news = by_url(discovery, base + "sitemap/sitemap-news-1.xml")  # a child of the index
    assert news["yielded"]["article_urls"] == (SITE / "sitemap" / "sitemap-news-1.xml"
                                               ).read_text().count("<loc>")
    articles = report["articles"]
    assert [a["url"] for a in articles][:5] == [good, l1, price, missing, forbidden]
    assert all(a["found_on"] for a in articles[5:])  # the few that discovery found
    first = by_url(articles, good)
    assert (first["outcome"], first["valid"], first["needs_javascript"]) == ("article", True,
                                                                           False)
    assert set(first["fields"]) == set(REPORTED)
    # The L2 page carries og:title and article:published_time; the L1 page only its text.
    assert first["fields"]["title"] == first["fields"]["published_at"] == "metadata"
    assert by_url(articles, l1)["fields"]["published_at"] == "text"
    assert first["fields"]["body"] == "text" and first["fields"]["images"] is None
    assert by_url(articles, price)["outcome"] == "not_article"
    assert (by_url(articles, missing)["status"], by_url(articles, missing)["outcome"]) == (
        404, "failed")
    assert by_url(articles, forbidden)["outcome"] == "robots_forbidden"
    assert not [p for p in sample_site.hits if "103800999" in p]
    assert {r["name"] for r in report["monitors"]["results"]} >= {"articles_found"}
    # Drafts in the fixture contract: the page as served, its URL, the reviewed keys.
    draft = drafts / "articles" / "live-103800002"
    assert (draft / "page.html").read_bytes() == (SITE / "newscontent" / "103800002.html"
                                                  ).read_bytes()
    assert json.loads((draft / "meta.json").read_text())["url"] == good
    assert list(json.loads((draft / "expected.json").read_text())) == list(EXPECTED_KEYS)
    assert (drafts / "non_articles" / "live-103800998" / "page.html").is_file()


def test_probe_text_shows_shells_pages_and_endpoints(next_site: MirrorServer,
                                                     tmp_path: Path) -> None:
    base = next_site.url
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{base}newscontent/103900002\n{base}newscontent/103900001\n")
    endpoint = json.dumps([{"url": "/listapi/latest/{page}", "items": "data.list",
                            "id": "newsId"}])
    result = probe("--base-url", base, "--urls", str(urls), "-s",
                   f"SMMNEWS_LISTING_ENDPOINTS={endpoint}", "-s", "SMMNEWS_LISTINGS=/",
                   "--discovered", "0")
    assert result.code == 0, result.err
    text = result.out
    assert f"next page {base}news/page/2" in text
    assert re.search(r"endpoint\s+200\s+\S+/listapi/latest/1\n\s+items 1", text)
    shell = text[text.index(f"{base}newscontent/103900002"):]
    assert "bad_page: app shell" in shell.split("\n  200")[0]
    assert "needs JavaScript: YES" in shell.split("\n  200")[0]
    assert "Totals:" in text and "needs javascript 1" in text


def test_known_urls_are_real_article_urls_probed_on_the_base(next_site: MirrorServer) -> None:
    known = known_article_urls()
    assert len(known) >= 20 and all(article_id_from_url(u) for u in known)
    assert rebase(known[0], "https://news.metal.com/") == known[0]
    result = probe("--base-url", next_site.url, "--json", "--discovered", "0")
    report = result.report
    paths = [urlsplit(a["url"]).path for a in report["articles"]]
    assert paths == [urlsplit(rebase(u, next_site.url)).path for u in known]
    # None of them is on the mirror: every one a 404, and the monitors say the crawl would fail.
    assert {a["status"] for a in report["articles"]} == {404}
    assert result.code == 3 and report["monitors"]["ok"] is False


def test_bad_arguments_are_one_usage_line(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("https://news.metal.com/newscontent/103491388\nnews.metal.com/x\n")
    for args, message in ((["--urls", str(urls)], "not an absolute http(s) URL"),
                          (["--base-url", "ftp://x"], "base_url must be an http(s) URL"),
                          (["-s", "SMMNEWS_LISTING_ENDPOINTS=[{"], "not valid JSON")):
        result = probe(*args)
        assert result.code == 2 and message in result.err, (args, result.err)
        assert "Traceback" not in result.err and result.out == ""

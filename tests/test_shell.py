"""App shells (pages that need JavaScript), listing pagers and JSON listing endpoints: the pure
functions, on the pages of the second mirror site (fixtures/site_next/) and the fixtures."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from smmnews.extract.decode import BadPage
from smmnews.extract.endpoint import (
    EndpointError,
    ListingEndpoint,
    endpoint_items,
    parse_endpoints,
)
from smmnews.extract.pager import has_load_more, next_page_url, page_number
from smmnews.extract.shell import NEEDS_JAVASCRIPT, app_shell
from smmnews.items import Article
from smmnews.record import build_record
from tests.fixtures import ARTICLES, NON_ARTICLES, case_names, page_bytes

NEXT_SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site_next"
SHELL = (NEXT_SITE / "newscontent" / "103900002.html").read_text("utf-8")
SERVER_RENDERED = (NEXT_SITE / "newscontent" / "103900002.ssr.html").read_text("utf-8")
NOW = datetime.fromisoformat("2026-03-20T12:00:00+08:00")
URL = "https://news.metal.com/newscontent/103900002"


def test_the_shell_page_is_an_app_shell() -> None:
    shell = app_shell(SHELL)
    assert shell is not None
    assert (shell.app_root, shell.visible_words, shell.scripts) == ("#root", 0, 1)
    assert shell.noscript_hint


def test_a_shell_is_a_bad_page_that_needs_javascript_not_a_non_article() -> None:
    with pytest.raises(BadPage) as raised:
        build_record(SHELL.encode(), URL, NOW)
    assert raised.value.reason == NEEDS_JAVASCRIPT
    assert "empty app root #root" in raised.value.detail


def test_the_same_page_rendered_on_the_server_is_an_article() -> None:
    assert app_shell(SERVER_RENDERED) is None
    record = build_record(SERVER_RENDERED.encode(), URL, NOW)
    assert isinstance(record, Article) and record.title and record.body


@pytest.mark.parametrize(("folder", "case"), [(ARTICLES, c) for c in case_names(ARTICLES)]
                         + [(NON_ARTICLES, c) for c in case_names(NON_ARTICLES)])
def test_no_fixture_page_is_taken_for_a_shell(folder: Path, case: str) -> None:
    # The login page is an umi app with a #root too: its form is rendered into the root.
    assert app_shell(page_bytes(folder, case).decode("utf-8", "replace")) is None


@pytest.mark.parametrize(("html", "is_shell"), [
    ('<html><body><div id="__next"></div><script src="/a.js"></script></body></html>', True),
    ('<html><body><div id="app">Loading…</div><script>boot()</script></body></html>', True),
    ("<html><body><noscript>Please enable JavaScript to view this page.</noscript>"
     '<div class="x"></div><script src="/a.js"></script></body></html>', True),
    # no script: an empty page, not a client-rendered one
    ('<html><body><div id="root"></div></body></html>', False),
    # scripts, but no mount point and no notice
    ('<html><body><p>Short.</p><script src="/a.js"></script></body></html>', False),
    # a mount point full of text: rendered on the server
    ('<html><body><div id="root"><p>' + "word " * 80 + '</p></div><script src="/a.js">'
     "</script></body></html>", False),
])
def test_shell_table(html: str, is_shell: bool) -> None:
    assert (app_shell(html) is not None) == is_shell


# --- pagers -------------------------------------------------------------------------------------

def _page(name: str) -> str:
    return (NEXT_SITE / "pages" / name).read_text("utf-8")


@pytest.mark.parametrize(("name", "url", "expected"), [
    ("home.html", "http://h/", "http://h/news/page/2"),            # rel=next
    ("page-2.html", "http://h/news/page/2", "http://h/news/page/3"),  # the link to page N+1
    ("page-3.html", "http://h/news/page/3", None),                  # last page
])
def test_next_page_of_the_site_listings(name: str, url: str, expected: str | None) -> None:
    assert next_page_url(_page(name), url) == expected


@pytest.mark.parametrize(("links", "url", "expected"), [
    ('<a href="?page=3">Next ›</a>', "http://h/list?page=2", "http://h/list?page=3"),
    ('<a href="/l/94/pages/2">»</a>', "http://h/l/94/pages/1", "http://h/l/94/pages/2"),
    ('<a href="/x?p=1">1</a><a href="/x?p=2">2</a>', "http://h/x", "http://h/x?p=2"),
    ('<a href="/x?p=1">1</a><a href="/x?p=2">2</a>', "http://h/x?p=2", None),
    ('<a href="javascript:void(0)">Load More</a>', "http://h/", None),
])
def test_pager_table(links: str, url: str, expected: str | None) -> None:
    assert next_page_url(f"<html><body>{links}</body></html>", url) == expected


@pytest.mark.parametrize(("html", "expected"), [
    ('<div class="footer___PvIjk"><span>More News</span></div>', True),
    ('<button type="button">Load more</button>', True),
    ('<a href="javascript:void(0)">View More</a>', True),
    ('<a href="/news/page/2">More News</a>', False),  # a link: followed as a next page
    ('<div><a href="/newscontent/103900001">Read More</a></div>', False),
])
def test_load_more_controls(html: str, expected: bool) -> None:
    assert has_load_more(f"<html><body>{html}</body></html>") is expected


def test_the_2024_list_page_has_a_load_more_button() -> None:
    assert has_load_more(page_bytes(NON_ARTICLES, "listing-aluminium-2024").decode())


def test_page_number() -> None:
    assert [page_number(u) for u in ("/a?page=12", "/l/94/pages/3", "/a", "/pagexyz/4")] == [
        12, 3, None, None]


# --- JSON listing endpoints -----------------------------------------------------------------------

ENDPOINT = {"url": "/listapi/latest/{page}", "items": "data.list", "id": "newsId",
            "date": "publishTime"}


def _ids_of(page: int, spec: ListingEndpoint) -> list[str]:
    body = (NEXT_SITE / "listapi" / f"latest-{page}.json").read_bytes()
    items = endpoint_items(body, spec, "http://h/listapi/latest/1", NOW,
                           lambda i: f"http://h/newscontent/{i}")
    assert items is not None
    return [i.url.rsplit("/", 1)[1] for i in items]


def test_endpoint_pages_give_article_urls_until_an_empty_page() -> None:
    (spec,) = parse_endpoints(json.dumps([ENDPOINT]))
    assert spec.page_url("http://h/", 2) == "http://h/listapi/latest/2"
    assert [_ids_of(p, spec) for p in (1, 2, 3)] == [["103900005"], ["103900006"], []]


def test_endpoint_items_by_link_key_and_dates() -> None:
    (spec,) = parse_endpoints({"url": "/api?page={page}", "items": "", "link": "a.href",
                               "date": "t"})
    body = json.dumps([{"a": {"href": "/newscontent/103900007"}, "t": 1773979200},
                       {"a": {}}, "junk", {"a": {"href": "/newscontent/103900008"},
                                           "t": "2 hours ago"}]).encode()
    items = endpoint_items(body, spec, "http://h/api?page=1", NOW, str)
    assert items is not None
    assert [i.url for i in items] == ["http://h/newscontent/103900007",
                                      "http://h/newscontent/103900008"]
    assert [i.published.isoformat() if i.published else None for i in items] == [
        "2026-03-20T12:00:00+08:00", "2026-03-20T10:00:00+08:00"]


def test_endpoint_that_is_not_the_json_described_gives_none() -> None:
    (spec,) = parse_endpoints([ENDPOINT])
    assert endpoint_items(b"<html></html>", spec, "http://h/", NOW, str) is None
    assert endpoint_items(b'{"data": {"rows": []}}', spec, "http://h/", NOW, str) is None


@pytest.mark.parametrize(("value", "message"), [
    ("[{", "not valid JSON"),
    ([{"url": "/api", "id": "id"}], "{page}"),
    ([{"url": "/api/{page}"}], "'link'"),
    ([{"url": "/api/{page}", "id": "id", "pages": 3}], "unknown key"),
    ([{"url": "/api/{page}", "id": "id", "max_pages": 0}], "at least 1"),
    (["/api/{page}"], "must be an object"),
])
def test_bad_endpoint_settings_say_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(EndpointError, match=message):
        parse_endpoints(value)


def test_no_endpoints_by_default() -> None:
    assert parse_endpoints([]) == [] and parse_endpoints("") == []

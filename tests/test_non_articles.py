"""Listing, price, login, search and flash pages give "not an article", never a half record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smmnews.extract.article import NotAnArticle
from smmnews.extract.listing import extract_listing_links
from smmnews.serialize import to_json
from tests.conftest import fixture_record
from tests.fixtures import NON_ARTICLES, case_names, meta, now_of, page_bytes

CASES = case_names(NON_ARTICLES)
LISTINGS = [c for c in CASES if (NON_ARTICLES / c / "expected_links.json").is_file()]


@pytest.mark.parametrize("case", CASES)
def test_page_is_not_an_article_at_its_own_url(case: str) -> None:
    result = fixture_record(NON_ARTICLES, case)
    assert isinstance(result, NotAnArticle)


@pytest.mark.parametrize("case", CASES)
def test_page_is_not_an_article_even_under_an_article_url(case: str) -> None:
    # A redirect or a broken route can serve these pages at an article address.
    result = fixture_record(NON_ARTICLES, case, "https://news.metal.com/newscontent/103800998")
    assert isinstance(result, NotAnArticle), result


def expected_links(case: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (NON_ARTICLES / case / "expected_links.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize("case", LISTINGS)
def test_listing_links(case: str) -> None:
    links = extract_listing_links(page_bytes(NON_ARTICLES, case).decode(),
                                  meta(NON_ARTICLES, case)["url"], now_of(NON_ARTICLES, case))
    keys = ("url", "title", "summary", "published_at")
    assert [{key: to_json(getattr(link, key)) for key in keys} for link in links] == [
        {key: item[key] for key in keys} for item in expected_links(case)
    ]

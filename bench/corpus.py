"""The fixture pages as every benchmark reads them: bytes as served, decoded text, URL, now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from smmnews.extract.decode import decode_page
from tests.fixtures import ARTICLES, case_names, expected, meta, now_of, page_bytes


@dataclass(frozen=True)
class FixturePage:
    case: str
    url: str
    now: datetime
    body: bytes
    # Decoded once, the way our extractor decodes, so every contender reads the same text.
    html: str
    expected: dict[str, Any]


@cache
def fixture_pages() -> tuple[FixturePage, ...]:
    pages = []
    for case in case_names(ARTICLES):
        body = page_bytes(ARTICLES, case)
        info = meta(ARTICLES, case)
        pages.append(FixturePage(case, info["url"], now_of(ARTICLES, case), body,
                                 decode_page(body, info.get("encoding")), expected(case)))
    return tuple(pages)

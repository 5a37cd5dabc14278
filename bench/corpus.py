"""The fixture pages as every benchmark reads them: bytes as served, decoded text, URL, now."""

from __future__ import annotations

import re
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
    encoding: str | None = None  # the charset a Content-Type header names


@cache
def fixture_pages() -> tuple[FixturePage, ...]:
    pages = []
    for case in case_names(ARTICLES):
        body = page_bytes(ARTICLES, case)
        info = meta(ARTICLES, case)
        pages.append(FixturePage(case, info["url"], now_of(ARTICLES, case), body,
                                 decode_page(body, info.get("encoding")), expected(case),
                                 info.get("encoding")))
    return tuple(pages)


# Renderings scored by bench/quality.py: contents alternate between invented articles and the
# fixture cases' reviewed records; seeds are fixed so runs compare.
RENDERINGS = 500
_XML_DECLARATION = re.compile(r"^[\ufeff\s]*<\?xml\b[^>]*\?>")
_RENDER_SEED_BASE = 9_000_000


@cache
def rendered_pages(count: int = RENDERINGS) -> tuple[FixturePage, ...]:
    """`count` pages from smmnews/mirror/render.py, each with the record its content must give."""
    from smmnews.mirror.article_content import expected_record, from_expected, generate
    from smmnews.mirror.render import render

    cases = case_names(ARTICLES)
    pages = []
    for index in range(count):
        seed = _RENDER_SEED_BASE + index
        if index % 2:
            case = cases[index // 2 % len(cases)]
            content = from_expected(expected(case), meta(ARTICLES, case))
        else:
            content = generate(seed)
        rendering = render(content, seed)
        # Every contender reads the text our extractor decodes, without an XHTML page's XML
        # declaration (lxml refuses a str that names an encoding; parse_html strips it too).
        html = _XML_DECLARATION.sub("", decode_page(rendering.body, rendering.header_encoding))
        pages.append(FixturePage(f"render-{seed}", content.url, content.now, rendering.body,
                                 html, expected_record(content), rendering.header_encoding))
    return tuple(pages)

"""Mutated fixture pages: the extractor returns a valid record or "not an article", never raises.

The one-second budget per page is measured by bench/robustness.py, not asserted here (timed
assertions are noise on shared machines); pytest-timeout guards against a hang.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmnews.extract.article import NotAnArticle, extract_article
from smmnews.schema import schema_errors
from smmnews.serialize import record_dict
from tests.fixtures import ARTICLES, case_names, meta, now_of, page_bytes

CASES = case_names(ARTICLES)
TAG_RE = re.compile(r"<[^<>]{1,200}>")
BLOCK_RE = re.compile(r"(?=<(?:p|div|li|tr|h\d)\b)", re.I)
NOW = datetime(2026, 3, 20, tzinfo=UTC)


def truncate(html: str, rnd: random.Random) -> str:
    return html[: rnd.randrange(len(html) + 1)]


def delete_tags(html: str, rnd: random.Random) -> str:
    tags = list(TAG_RE.finditer(html))
    for match in sorted(rnd.sample(tags, min(len(tags), 20)), key=lambda m: -m.start()):
        html = html[: match.start()] + html[match.end():]
    return html


def duplicate_tags(html: str, rnd: random.Random) -> str:
    tags = list(TAG_RE.finditer(html))
    for match in sorted(rnd.sample(tags, min(len(tags), 20)), key=lambda m: -m.start()):
        html = html[: match.end()] + match.group() + html[match.end():]
    return html


def shuffle_blocks(html: str, rnd: random.Random) -> str:
    pieces = BLOCK_RE.split(html)
    head, rest = pieces[:1], pieces[1:]
    rnd.shuffle(rest)
    return "".join(head + rest)


def junk_bytes(html: str, rnd: random.Random) -> str:
    for _ in range(10):
        at = rnd.randrange(len(html) + 1)
        junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 40)))
        html = html[:at] + junk.decode("latin-1") + html[at:]
    return html


def deep_nesting(html: str, rnd: random.Random) -> str:
    depth = 10_000
    at = html.lower().find("<body")
    at = html.find(">", at) + 1 if at >= 0 else 0
    return html[:at] + "<div>" * depth + html[at:] + "</div>" * depth


MUTATIONS = [truncate, delete_tags, duplicate_tags, shuffle_blocks, junk_bytes, deep_nesting]


def check(html: str, case: str) -> None:
    result = extract_article(html, meta(ARTICLES, case)["url"], now_of(ARTICLES, case))
    if isinstance(result, NotAnArticle):
        assert result.code and result.detail
        return
    assert schema_errors(record_dict(result)) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES),
       mutations=st.lists(st.sampled_from(MUTATIONS[:-1]), min_size=1, max_size=3),
       seed=st.integers(0, 2**32 - 1))
def test_mutated_pages_give_a_record_or_not_an_article(case, mutations, seed) -> None:
    rnd = random.Random(seed)
    html = page_bytes(ARTICLES, case).decode("utf-8")
    for mutate in mutations:
        html = mutate(html, rnd)
    check(html, case)


@pytest.mark.parametrize("case", CASES[::5])
def test_ten_thousand_deep_nesting(case: str) -> None:
    html = deep_nesting(page_bytes(ARTICLES, case).decode("utf-8"), random.Random(0))
    result = extract_article(html, meta(ARTICLES, case)["url"], now_of(ARTICLES, case))
    # libxml2 stops at its depth limit; what it parsed must still be a clean outcome.
    assert isinstance(result, NotAnArticle) or schema_errors(record_dict(result)) == []


@pytest.mark.parametrize("case", CASES[::5])
def test_unmutated_deep_nesting_keeps_the_article(case: str) -> None:
    # Wrapping content in many (under the parser limit) divs changes nothing a reader sees.
    html = page_bytes(ARTICLES, case).decode("utf-8")
    at = html.find(">", html.lower().find("<body")) + 1
    nested = html[:at] + "<div>" * 200 + html[at:].replace("</body>", "</div>" * 200 + "</body>")
    plain = extract_article(html, meta(ARTICLES, case)["url"], now_of(ARTICLES, case))
    wrapped = extract_article(nested, meta(ARTICLES, case)["url"], now_of(ARTICLES, case))
    assert not isinstance(plain, NotAnArticle) and not isinstance(wrapped, NotAnArticle)
    assert wrapped.body == plain.body

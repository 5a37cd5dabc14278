"""Any markup, the same record: one article's content rendered many ways extracts identically.

Each rendering draws every axis of smmnews/mirror/render.py (class names, paragraph elements,
whitespace, DOM order, related-news layouts, date forms and places, chrome, boilerplate
splitting, AMP/mobile/print, state blobs, client-rendered shells) from its seed; the record must
equal the one derived from the content, field by field (body after whitespace normalisation).
Contents: every fixture case's reviewed expected record, and invented articles.

A failure prints the seed, the wrong fields and the page shrunk to the fewest non-plain axes.
Replay one seed: `SMMNEWS_RENDER_SEED=1234 .venv/bin/python -m pytest tests/test_renderings.py`
(add `-k <case>` for a fixture content). More seeds: `SMMNEWS_RENDER_COUNT=20000`; other
seeds: `SMMNEWS_RENDER_BASE=<n>`.
Fixed regressions are pages saved under fixtures/renderings/ (test_saved_regression).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from smmnews.extract.article import NotAnArticle
from smmnews.extract.dates import parse_iso
from smmnews.mirror.article_content import ArticleContent, from_expected, generate
from smmnews.mirror.render_check import check, normalise, report
from smmnews.record import build_record
from smmnews.serialize import record_dict
from tests.fixtures import ARTICLES, ROOT, case_names, expected, meta

CASES = case_names(ARTICLES)
# Renderings per CI run: fixture contents x seeds + generated contents (>= 2,000 in all).
COUNT = int(os.environ.get("SMMNEWS_RENDER_COUNT", "4000"))
ONLY_SEED = os.environ.get("SMMNEWS_RENDER_SEED")
# Shifts every seed: explore renderings CI does not run (`SMMNEWS_RENDER_BASE=7`).
BASE = int(os.environ.get("SMMNEWS_RENDER_BASE", "0")) * 10_000_000
PER_CASE = max(1, COUNT // 2 // len(CASES))
GENERATED = COUNT - PER_CASE * len(CASES)
CHUNKS = 10
REGRESSIONS = ROOT / "renderings"


def seeds(start: int, count: int) -> list[int]:
    if ONLY_SEED is not None:
        return [int(ONLY_SEED)]
    return list(range(BASE + start, BASE + start + count))


def first_failure(contents: list[tuple[ArticleContent, int]]) -> str | None:
    for content, seed in contents:
        if check(content, seed).wrong:
            return report(content, seed)
    return None


def test_enough_renderings_per_run() -> None:
    assert ONLY_SEED is not None or PER_CASE * len(CASES) + GENERATED >= 2000


@pytest.mark.parametrize("case", CASES)
def test_every_rendering_of_a_fixture_gives_its_record(case: str) -> None:
    content = from_expected(expected(case), meta(ARTICLES, case))
    index = CASES.index(case)
    failure = first_failure([(content, seed)
                             for seed in seeds(index * 100_000, PER_CASE)])
    assert failure is None, failure


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_rendering_of_generated_content_gives_its_record(chunk: int) -> None:
    size = -(-GENERATED // CHUNKS)
    if ONLY_SEED is not None and chunk:
        pytest.skip("one seed replays in chunk 0")
    failure = first_failure([(generate(seed), seed)
                             for seed in seeds(5_000_000 + chunk * size, size)])
    assert failure is None, failure


def test_renderings_differ() -> None:
    """The axes really change the markup (a renderer that ignored them would pass vacuously)."""
    content = from_expected(expected(CASES[0]), meta(ARTICLES, CASES[0]))
    pages = {check(content, seed).rendering.html for seed in range(40)}
    assert len(pages) == 40


def regression_cases() -> list[str]:
    return sorted(p.name for p in REGRESSIONS.iterdir() if (p / "page.html").is_file())


@pytest.mark.parametrize("name", regression_cases())
def test_saved_regression(name: str) -> None:
    folder = REGRESSIONS / name
    info: dict[str, Any] = json.loads((folder / "meta.json").read_text("utf-8"))
    want: dict[str, Any] = json.loads((folder / "expected.json").read_text("utf-8"))
    now = parse_iso(info["now"])
    assert now is not None
    result = build_record((folder / "page.html").read_bytes(), info["url"], now,
                          encoding=info.get("encoding"))
    assert not isinstance(result, NotAnArticle), result
    record = record_dict(result)
    got = {key: normalise(record[key]) for key in want}
    assert got == {key: normalise(value) for key, value in want.items()}


def test_regressions_are_saved() -> None:
    assert len(regression_cases()) >= 8

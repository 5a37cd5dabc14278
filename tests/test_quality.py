"""The quality gate over every fixture case: one test per field, then corpus-wide scores."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

import pytest

from smmnews.schema import schema_errors
from tests.conftest import fixture_json
from tests.fixtures import ARTICLES, case_names, expected, meta

CASES = case_names(ARTICLES)
# Compared exactly; `body` exactly after whitespace normalisation (test_body_is_exact).
EXACT_FIELDS = ("article_id", "canonical_url", "title", "title_tags", "published_at", "source",
                "dateline", "summary", "is_partial", "disclaimer", "contacts", "related",
                "breadcrumbs", "tables")
MIN_OVERALL_F1 = 0.99
# Strings that must never reach a body (docs/site.md, "Boilerplate"), checked verbatim.
BOILERPLATE = (
    "Data Source Statement", "For queries, please contact", "For any inquiries",
    "please contact:service.en@smm.cn", "please email service.en@smm.cn", "》",
    "For more content", "Related News", "Related news", "More popular news", "Related Price",
    "Read More", "Shanghai Metals Market (SMM)", "The local prices are expected to be released",
    "Live chat via WhatsApp", "Help us know your opinions", "Feedback E-mail",
    "Feedback Telephone", "Data Source: SMM", "[email protected]",
)
TOKEN_RE = re.compile(r"\w+")


@cache
def record(case: str) -> dict[str, Any]:
    return fixture_json(case)


def tokens(text: str | None) -> Counter[str]:
    return Counter(TOKEN_RE.findall((text or "").lower()))


def f1_counts(got: str, want: str) -> tuple[int, int, int]:
    """(overlap, predicted, reference) token counts, as the article-extraction benchmark."""
    got_tokens, want_tokens = tokens(got), tokens(want)
    return sum((got_tokens & want_tokens).values()), sum(got_tokens.values()), sum(
        want_tokens.values())


def f1(overlap: int, predicted: int, reference: int) -> float:
    if not predicted or not reference:
        return float(predicted == reference)
    precision, recall = overlap / predicted, overlap / reference
    return 0.0 if not overlap else 2 * precision * recall / (precision + recall)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25
    layouts = Counter(meta(ARTICLES, c)["layout"] for c in CASES)
    assert set(layouts) == {f"L{i}" for i in range(1, 8)}


FIELD_CASES = [(case, name) for case in CASES for name in EXACT_FIELDS if name in expected(case)]


@pytest.mark.parametrize(("case", "field"), FIELD_CASES, ids=[f"{c}-{f}" for c, f in FIELD_CASES])
def test_field(case: str, field: str) -> None:
    got, want = record(case)[field], expected(case)[field]
    if field == "related":
        # A related item's article_id and canonical_url follow from its url (checked in
        # tests/test_downstream.py); the reviewed files hold what the page shows.
        got = [{key: item[key] for key in wanted} for item, wanted in zip(got, want, strict=False)]
        assert len(record(case)[field]) == len(want)
    assert got == want


@pytest.mark.parametrize("case", CASES)
def test_record_is_valid_against_the_schema(case: str) -> None:
    assert schema_errors(record(case)) == []


@pytest.mark.parametrize("case", CASES)
def test_body_has_no_boilerplate_or_related_titles(case: str) -> None:
    body = record(case)["body"]
    leaks = [s for s in BOILERPLATE if s in body]
    leaks += [item["title"] for item in expected(case).get("related", []) if item["title"] in body]
    assert leaks == []


@pytest.mark.parametrize("case", CASES)
def test_body_is_exact(case: str) -> None:
    """Word overlap cannot see layout (a table read as one block per cell scores 1.0): the
    text must be the reviewed text, only runs of whitespace may differ."""
    assert " ".join(record(case)["body"].split()) == " ".join(expected(case)["body"].split())


def test_every_case_states_its_tables_and_related_items() -> None:
    assert [c for c in CASES if not {"tables", "related", "body"} <= set(expected(c))] == []


def test_overall_body_f1() -> None:
    totals = [f1_counts(record(c)["body"], expected(c)["body"]) for c in CASES]
    overlap, predicted, reference = (sum(t[i] for t in totals) for i in range(3))
    assert f1(overlap, predicted, reference) >= MIN_OVERALL_F1

"""Worst-case time per page over mutated fixture pages, against the one-second budget.

The mutations are those of tests/test_robustness.py (truncation, deleted and duplicated tags,
shuffled blocks, junk bytes, 10,000-deep nesting), applied alone and in random combinations.
Each mutated page is timed as the test checks it: `extract_article` on the text, which returns
the complete record. (`build_record` from bytes would refuse most truncated pages before
extracting, as "truncated", which would time the refusal instead of the extractor.)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import FixturePage, fixture_pages
from smmnews.extract.article import NotAnArticle, extract_article
from smmnews.extract.dates import parse_fuzzy
from tests.test_robustness import MUTATIONS, deep_nesting

BUDGET_SECONDS = 1.0
SEEDS_PER_MUTATION = 4
COMBINATIONS_PER_PAGE = 8
SHALLOW = [m for m in MUTATIONS if m is not deep_nesting]
OK_OUTCOMES = ("record", "not an article")


@dataclass(frozen=True)
class Timed:
    case: str
    mutation: str
    seconds: float
    outcome: str  # "record", "not an article", or the exception a page raised


def mutated_pages(page: FixturePage, rnd: random.Random) -> list[tuple[str, str]]:
    """(mutation names, mutated html) for one fixture page."""
    out = [(m.__name__, m(page.html, random.Random(rnd.random()))) for m in SHALLOW
           for _ in range(SEEDS_PER_MUTATION)]
    for _ in range(COMBINATIONS_PER_PAGE):
        chain = rnd.sample(SHALLOW, rnd.randint(2, 3))
        html = page.html
        for mutate in chain:
            html = mutate(html, rnd)
        out.append(("+".join(m.__name__ for m in chain), html))
    out.append(("deep_nesting", deep_nesting(page.html, rnd)))
    return out


def time_one(page: FixturePage, mutation: str, html: str) -> Timed:
    start = time.perf_counter()
    try:
        result = extract_article(html, page.url, page.now)
        outcome = "not an article" if isinstance(result, NotAnArticle) else "record"
    except Exception as error:  # the tests say this never happens: report it, keep timing
        outcome = type(error).__name__
    return Timed(page.case, mutation, time.perf_counter() - start, outcome)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarise(timed: list[Timed]) -> dict[str, Any]:
    seconds = [t.seconds for t in timed]
    slowest = sorted(timed, key=lambda t: -t.seconds)[:3]
    worst = slowest[0]
    deep = [t.seconds for t in timed if t.mutation == "deep_nesting"]
    outcomes: dict[str, int] = {}
    for t in timed:
        outcomes[t.outcome] = outcomes.get(t.outcome, 0) + 1
    return {"pages": len(timed), "max_s": round(worst.seconds, 4),
            "p99_s": round(percentile(seconds, 0.99), 4),
            "median_s": round(statistics.median(seconds), 4),
            "deep_nesting_max_s": round(max(deep), 4),
            "worst": {"case": worst.case, "mutation": worst.mutation},
            "slowest": [asdict(t) for t in slowest],
            "raised": [asdict(t) for t in timed if t.outcome not in OK_OUTCOMES],
            "over_budget": sum(s > BUDGET_SECONDS for s in seconds), "outcomes": outcomes,
            "within_budget": worst.seconds <= BUDGET_SECONDS}


def print_summary(figures: dict[str, Any]) -> None:
    print(f"robustness: {figures['pages']} mutated pages, budget {BUDGET_SECONDS:g} s per page")
    print(f"  max {figures['max_s'] * 1e3:8.1f} ms  ({figures['worst']['mutation']} of "
          f"{figures['worst']['case']})")
    print(f"  p99 {figures['p99_s'] * 1e3:8.1f} ms")
    print(f"  median {figures['median_s'] * 1e3:5.1f} ms")
    print(f"  10,000-deep nesting, max {figures['deep_nesting_max_s'] * 1e3:.1f} ms")
    print(f"  outcomes: {figures['outcomes']}")
    for t in figures["raised"]:
        print(f"  RAISED {t['outcome']}: {t['mutation']} of {t['case']}")
    verdict = "yes" if figures["within_budget"] else f"no ({figures['over_budget']} over)"
    print(f"  every page within budget: {verdict}")


def dateparser_load_seconds() -> float:
    """Load dateparser before timing: its first call (languages, regexes) costs a few hundred
    ms once per process, which would otherwise land on whichever page first needs it."""
    start = time.perf_counter()
    parse_fuzzy("3 March 2025 10:00")
    return time.perf_counter() - start


def main() -> dict[str, Any]:
    load = dateparser_load_seconds()
    rnd = random.Random(20260320)  # fixed, so two runs time the same pages
    timed = [time_one(page, name, html) for page in fixture_pages()
             for name, html in mutated_pages(page, rnd)]
    figures = {**summarise(timed), "dateparser_first_call_s": round(load, 4)}
    print_summary(figures)
    print(f"  (dateparser's first call in a process, paid once and not counted above: "
          f"{load * 1e3:.0f} ms)")
    return figures


if __name__ == "__main__":
    main()

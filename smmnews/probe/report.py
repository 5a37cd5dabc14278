"""The probe report's verdict: what the job-health monitors say about the probed articles."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from smmnews.monitors import Thresholds, evaluate

COVERAGE_FIELDS = ("title", "published_at", "body", "summary", "dateline", "source",
                   "disclaimer")


def _stats(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """The probed articles as the crawl's stats counters, for the crawl's own monitors."""
    stats: Counter[str] = Counter()
    for article in articles:
        outcome = article["outcome"]
        if outcome == "article" and article["valid"]:
            stats["item_scraped_count"] += 1
        elif outcome == "article":
            stats["smmnews/drop/invalid"] += 1
        elif outcome in ("not_article", "bad_page"):
            stats[f"smmnews/{outcome}/{article['reason']}"] += 1
        elif outcome == "failed":
            stats["smmnews/errors"] += 1
    return dict(stats)


def monitor_verdict(articles: list[dict[str, Any]], records: list[dict[str, Any]],
                    fallbacks: int, limits: Thresholds) -> dict[str, Any]:
    """What the job-health monitors would say about a crawl that met these pages (`records`
    as written, `fallbacks` of them without metadata for title and date)."""
    count = len(records)
    coverage = {name: round(sum(1 for r in records if r.get(name) not in (None, "", []))
                            / count, 4) for name in COVERAGE_FIELDS} if count else {}
    results = evaluate(_stats(articles), coverage, fallbacks, limits)
    return {"ok": all(r.ok for r in results), "coverage": coverage,
            "results": [asdict(r) for r in results]}

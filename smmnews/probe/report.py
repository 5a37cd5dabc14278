"""The probe report: the monitors' verdict over the probed articles, and its text form."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from smmnews.monitors import Thresholds, evaluate
from smmnews.record import is_text_fallback

KIND_ORDER = ("metadata", "state_blob", "structure", "text", "url", "derived", "default",
              "empty")
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
                    limits: Thresholds) -> dict[str, Any]:
    """What the job-health monitors would say about a crawl that met these pages."""
    count = len(records)
    coverage = {name: round(sum(1 for r in records if r.get(name) not in (None, "", []))
                            / count, 4) for name in COVERAGE_FIELDS} if count else {}
    fallbacks = sum(1 for r in records if is_text_fallback(r))
    results = evaluate(_stats(articles), coverage, fallbacks, limits)
    return {"ok": all(r.ok for r in results), "coverage": coverage,
            "results": [asdict(r) for r in results]}


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(map(str, value[:5])) + (", …" if len(value) > 5 else "") + ")"
    return str(value)


def _discovery_line(entry: dict[str, Any]) -> str:
    status = entry["status"] if entry["status"] is not None else "---"
    found = ", ".join(f"{k.replace('_', ' ')} {_shown(v)}" for k, v in entry["yielded"].items())
    note = f" ({entry['note']})" if entry.get("note") else ""
    return f"  {entry['kind']:<9} {status!s:<4} {entry['url']}\n            {found or '-'}{note}"


def _article_lines(article: dict[str, Any]) -> list[str]:
    status = article["status"] if article["status"] is not None else "---"
    head = f"  {status!s:<4} {article['url']}"
    if article["outcome"] != "article":
        why = article.get("detail") or article.get("reason") or ""
        lines = [head, f"       {article['outcome']}: {why}"]
    else:
        valid = "valid" if article["valid"] else "INVALID: " + "; ".join(article["errors"][:2])
        lines = [head, f"       {valid}; title {article['title']!r}"]
        by_kind: dict[str, list[str]] = {}
        for name, kind in article["fields"].items():
            detail = article["field_details"].get(name)
            label = name if not detail or detail == kind else f"{name} ({detail})"
            by_kind.setdefault(kind or "empty", []).append(label)
        lines += [f"       {kind}: {', '.join(by_kind[kind])}" for kind in KIND_ORDER
                  if kind in by_kind]
    if article["needs_javascript"]:
        lines.append("       needs JavaScript: YES (crawl with -s SMMNEWS_RENDER=auto; README "
                     "'Pages that need JavaScript')")
    elif article["status"] == 200:
        lines.append("       needs JavaScript: no")
    return lines


def render_text(report: dict[str, Any]) -> str:
    lines = [f"smmnews probe of {report['base_url']} at {report['probed_at']}",
             f"  User-Agent {report['user_agent']!r}, robots.txt obeyed", "", "Discovery"]
    lines += [_discovery_line(e) for e in report["discovery"]]
    lines += ["", "Articles"]
    for article in report["articles"]:
        lines += _article_lines(article)
    totals = report["totals"]
    lines += ["", "Totals: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in totals.items())]
    verdict = report["monitors"]
    failed = [r for r in verdict["results"] if not r["ok"]]
    lines.append("Monitors: " + ("all passed" if not failed else
                                 "; ".join(f"{r['name']} FAILED: {r['message']}"
                                           for r in failed)))
    if report.get("fixtures"):
        lines.append(f"Fixture drafts: {report['fixtures']} (review before use)")
    return "\n".join(lines) + "\n"

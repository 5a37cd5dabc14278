"""The probe report as text for a person (the command's default; `--json` prints the data).

Imports nothing from Scrapy: `smmnews` builds its parser from every command, and `smmnews
extract` stays light."""

from __future__ import annotations

from typing import Any

KIND_ORDER = ("metadata", "state_blob", "structure", "text", "url", "derived", "default",
              "empty")


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

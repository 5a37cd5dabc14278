"""Fixture drafts from probed pages, in the fixture contract (fixtures/README.md).

A draft is the page exactly as served, its meta.json and the record as extracted today: a
starting point that a person reviews field by field before it joins fixtures/articles/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# The keys fixtures/README.md compares (expected.json).
EXPECTED_KEYS = ("article_id", "canonical_url", "title", "title_tags", "published_at", "source",
                 "dateline", "summary", "body", "is_partial", "disclaimer", "contacts",
                 "related", "breadcrumbs")
DRAFT_NOTE = ("draft written by smmnews probe: review every field of expected.json against "
              "page.html before moving it to fixtures/articles/")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_draft(root: Path, body: bytes, url: str, now: str, article_id: str,
                record: dict[str, Any] | None, why_not: str | None) -> Path:
    """`root/articles/live-<id>/` for an article, `root/non_articles/live-<id>/` otherwise."""
    folder = root / ("articles" if record is not None else "non_articles") / f"live-{article_id}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(body)
    meta = {"url": url, "now": now, "layout": "unknown", "family": "live",
            "page_type": "article" if record is not None else "not_article",
            "note": DRAFT_NOTE if record is not None else f"probe: {why_not}"}
    _write_json(folder / "meta.json", meta)
    if record is not None:
        _write_json(folder / "expected.json", {k: record.get(k) for k in EXPECTED_KEYS})
    return folder

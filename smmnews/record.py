"""The one code path from page bytes to a record, shared by the spider and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smmnews.extract.article import ArticleParts, NotAnArticle, extract_article
from smmnews.extract.clean import content_hash, metals_in, title_tags
from smmnews.extract.decode import BadPage, decode_page
from smmnews.extract.markers import PARTIAL_MAX_RATIO, PARTIAL_MAX_WORDS
from smmnews.extract.shell import NEEDS_JAVASCRIPT, app_shell
from smmnews.items import RECORD_DEFAULTS, ArticleLoader, Sourced

# Metadata sources count as first-choice; "text" and "title_tag" mean the page gave none.
TEXT_FALLBACKS = frozenset({"text", "title_tag", "shown"})


def _split(value: Sourced | None) -> tuple[str | None, Any]:
    return (value.source, value.value) if value else (None, None)


PASS_THROUGH = ("article_id", "url", "canonical_url", "dateline", "dateline_date", "source",
                "disclaimer", "language", "contacts", "related", "images", "tables")


def is_partial(body: str, summary: str, parts: ArticleParts) -> bool:
    """Members-only pages carry only the summary (notes §7): no explicit marker is known."""
    if summary and len(body) <= len(summary) * PARTIAL_MAX_RATIO:
        return True
    return (parts.paywall_hint and len(parts.body_blocks) == 1
            and len(body.split()) <= PARTIAL_MAX_WORDS)


def load_record(parts: ArticleParts, crawled_at: datetime) -> dict[str, Any]:
    """Run the parts through the item loader and complete the derived fields."""
    loader = ArticleLoader()
    loader.add_value("title", parts.titles)
    loader.add_value("summary", parts.summaries)
    loader.add_value("published_at", [(source, value) for source, value, _ in parts.published])
    loader.add_value("body", parts.body_blocks)
    loader.add_value("breadcrumbs", parts.breadcrumbs)
    item = loader.load_item()
    record: dict[str, Any] = {**RECORD_DEFAULTS, **dict(item)}
    # Already clean from the extractor: set directly, the loader's processors would only copy.
    for name in PASS_THROUGH:
        value = getattr(parts, name)
        record[name] = value if value not in ("", None) else RECORD_DEFAULTS[name]
    title_source, record["title"] = _split(item.get("title"))
    summary_source, record["summary"] = _split(item.get("summary"))
    date_source, record["published_at"] = _split(item.get("published_at"))
    shown = [raw for source, _, raw in parts.published if source == "text"]
    record["published_raw"] = shown[0] if shown else (parts.published[0][2] if parts.published
                                                       else None)
    body = record["body"] or ""
    record["title_tags"] = title_tags(record["title"])
    summary = record["summary"] or ""
    record["is_partial"] = is_partial(body, summary, parts)
    record["metals"] = metals_in(record["title"] or "", summary, body)
    record["content_hash"] = content_hash(record["title"], body)
    record["extraction"] = {"title": title_source, "published_at": date_source,
                            "summary": summary_source, "body": parts.body_method}
    record["crawled_at"] = crawled_at.astimezone(UTC).replace(microsecond=0).isoformat()
    return {key: record[key] for key in RECORD_DEFAULTS}


def build_record(body: bytes, url: str, now: datetime, *, encoding: str | None = None,
                 crawled_at: datetime | None = None) -> dict[str, Any] | NotAnArticle:
    """Page bytes to a record; raises BadPage for input that is not a page at all, and for
    an app shell whose article only a browser would show (`needs_javascript`)."""
    html = decode_page(body, encoding)
    parts = extract_article(html, url, now)
    if isinstance(parts, NotAnArticle):
        if (shell := app_shell(html)) is not None:
            # Not a page without an article: a page whose article only a browser would show.
            raise BadPage(NEEDS_JAVASCRIPT, shell.detail)
        return parts
    return load_record(parts, crawled_at or now)


def is_text_fallback(record: dict[str, Any]) -> bool:
    """True when neither title nor date came from page metadata (the site may have changed)."""
    extraction = record.get("extraction") or {}
    return (extraction.get("title") in TEXT_FALLBACKS
            and extraction.get("published_at") in TEXT_FALLBACKS | {None})

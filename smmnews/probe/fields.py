"""Where each field of a record came from: page metadata, markup structure, text patterns, a
state blob (`__NEXT_DATA__`), the URL, or derived from other fields; None when it is empty."""

from __future__ import annotations

from typing import Any

from smmnews.extract.metadata import Metadata

METADATA, STRUCTURE, TEXT, STATE_BLOB = "metadata", "structure", "text", "state_blob"
URL, DERIVED, DEFAULT = "url", "derived", "default"

# `extraction` sources of the record (README "Output") by kind.
SOURCE_KINDS = {
    "jsonld": METADATA, "og": METADATA, "twitter": METADATA, "article_meta": METADATA,
    "itemprop": METADATA, "pubdate_meta": METADATA, "meta": METADATA,
    "time_element": STRUCTURE, "h1": STRUCTURE, "title_tag": STRUCTURE,
    "next_data": STATE_BLOB, "html_lang": METADATA,
    "text": TEXT, "shown": TEXT,
    # body: the region after the header, the dateline or the whole page, found by text patterns
    "header": TEXT, "dateline": TEXT, "page": TEXT, "body_first": TEXT,
}
# Fields whose source the record does not name: how the extractor always finds them.
FIXED_KINDS = {
    "article_id": URL, "canonical_url": URL,
    "title_tags": DERIVED, "metals": DERIVED, "is_partial": DERIVED,
    "dateline": TEXT, "dateline_date": TEXT, "source": TEXT, "disclaimer": TEXT,
    "contacts": TEXT, "related": STRUCTURE, "images": STRUCTURE, "tables": STRUCTURE,
}
WITH_EXTRACTION = ("title", "published_at", "summary", "body")
REPORTED = ("article_id", "canonical_url", "title", "title_tags", "published_at",
            "published_raw", "dateline", "dateline_date", "source", "summary", "body",
            "is_partial", "disclaimer", "contacts", "related", "breadcrumbs", "images", "tables",
            "metals", "language")


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def field_sources(record: dict[str, Any], meta: Metadata
                  ) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(kind per field, the extractor's own source name per field) for one record."""
    extraction = record.get("extraction") or {}
    kinds: dict[str, str | None] = {}
    details: dict[str, str | None] = {}
    for name in REPORTED:
        detail = _detail(name, record, extraction, meta)
        empty = _empty(record.get(name)) and name != "is_partial"
        kind = SOURCE_KINDS.get(detail or "") or FIXED_KINDS.get(name) or detail
        kinds[name] = None if empty else kind
        details[name] = None if empty else detail
    return kinds, details


def _detail(name: str, record: dict[str, Any], extraction: dict[str, Any],
            meta: Metadata) -> str | None:
    if name in WITH_EXTRACTION:
        return str(extraction.get(name)) if extraction.get(name) else None
    if name == "published_raw":
        return str(extraction.get("published_at")) if extraction.get("published_at") else None
    if name == "breadcrumbs":
        return "jsonld" if meta.breadcrumbs else STRUCTURE
    if name == "language":
        return "html_lang" if meta.language else DEFAULT
    return FIXED_KINDS.get(name)

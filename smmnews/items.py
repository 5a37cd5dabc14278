"""The article record: field order is the JSONL column order (documented in the README)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import scrapy
from itemloaders.processors import Compose, Identity, Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from smmnews.extract.clean import clean_text, clean_title
from smmnews.extract.dates import iso

SCHEMA_VERSION = "1.0"

# Keys every record carries, in output order, with the value used when a page has nothing.
RECORD_DEFAULTS: dict[str, Any] = {
    "schema_version": SCHEMA_VERSION,
    "article_id": None,
    "url": None,
    "canonical_url": None,
    "title": None,
    "title_tags": [],
    "published_at": None,
    "published_raw": None,
    "dateline": None,
    "dateline_date": None,
    "source": None,
    "summary": None,
    "body": "",
    "is_partial": False,
    "disclaimer": None,
    "contacts": [],
    "related": [],
    "breadcrumbs": [],
    "images": [],
    "tables": [],
    "metals": [],
    "language": "en",
    "content_hash": None,
    "revision": 1,
    "previous_content_hash": None,
    "extraction": {},
    "crawled_at": None,
}
RECORD_FIELDS = tuple(RECORD_DEFAULTS)


class ArticleItem(scrapy.Item):
    """One article; see RECORD_DEFAULTS for the order and the JSON Schema for formats."""

    fields = {name: scrapy.Field() for name in RECORD_FIELDS}  # noqa: RUF012 - Item API


@dataclass(frozen=True, slots=True)
class Sourced:
    """A fallback candidate and where it came from (a class, so processors do not flatten it)."""

    source: str
    value: Any


def candidate(clean: Callable[[Any], Any]) -> Callable[[tuple[str, Any]], Sourced | None]:
    """Clean the value of a (source, value) fallback candidate; drop it when nothing is left."""

    def process(pair: tuple[str, Any]) -> Sourced | None:
        value = clean(pair[1])
        return Sourced(pair[0], value) if value not in (None, "", []) else None

    return process


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _non_empty(block: str) -> str | None:
    return block or None


def _drop_repeats(blocks: list[str]) -> list[str]:
    """Consecutive identical blocks are a rendering artefact (card + overlay), not text."""
    return [b for i, b in enumerate(blocks) if i == 0 or b != blocks[i - 1]]


class ArticleLoader(ItemLoader):
    """Per-field cleaning; fallback chains are fed in order and the first clean value wins."""

    default_item_class = ArticleItem
    default_output_processor = TakeFirst()

    title_in = MapCompose(candidate(clean_title))
    summary_in = MapCompose(candidate(clean_text))
    published_at_in = MapCompose(candidate(iso))
    # Blocks arrive whitespace-collapsed from the page walk; only empty ones are dropped here.
    body_in = MapCompose(_non_empty)
    body_out = Compose(_drop_repeats, Join("\n\n"))
    title_tags_out = Compose(_unique)
    breadcrumbs_in = MapCompose(clean_text)
    breadcrumbs_out = Identity()
    metals_out = Identity()
    contacts_out = Identity()
    related_out = Identity()
    images_out = Identity()
    tables_out = Identity()

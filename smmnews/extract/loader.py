"""The item loader: the one place where each field of an `Article` is cleaned and chosen.

Fields with fallback chains (title, summary, published_at) are fed `(source, raw value)` pairs
in order; each pair is cleaned once on the way in and the output keeps the first clean value and
notes where it came from (the record's `extraction` field). Fields the page walk already
delivers clean go in as they are: processors only where they clean something.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from itemloaders import ItemLoader
from itemloaders.processors import Compose, Identity, Join, MapCompose, TakeFirst

from smmnews.extract.clean import clean_text, clean_title, content_hash, metals_in, title_tags
from smmnews.extract.dates import SHANGHAI
from smmnews.extract.markers import PARTIAL_MAX_RATIO, PARTIAL_MAX_WORDS
from smmnews.extract.urls import article_id_from_url, canonical_url
from smmnews.items import Article, Related

# The fields fed as (source, value) fallback chains; their sources go to `extraction`.
SOURCED_FIELDS = ("title", "published_at", "summary")


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


def in_shanghai(value: datetime | None) -> datetime | None:
    """Article times are written in Shanghai time, to the second (the site's own precision)."""
    if value is None or value.tzinfo is None:
        return None
    return value.astimezone(SHANGHAI).replace(microsecond=0)


def in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _complete_related(item: Related) -> Related:
    """A related item's id and canonical URL from its link, its time in Shanghai time."""
    article_id = article_id_from_url(item.url) if item.url else None
    return replace(item, article_id=article_id,
                   canonical_url=canonical_url(article_id) if article_id else None,
                   published_at=in_shanghai(item.published_at))


def _first_shown(values: list[Sourced], loader_context: dict[str, Any]) -> Sourced | None:
    """The first candidate, except that one the page actually shows wins ("as displayed")."""
    shown: frozenset[str] = loader_context.get("shown", frozenset())
    return next((v for v in values if v.value.casefold() in shown),
                values[0] if values else None)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _non_empty(block: str) -> str | None:
    return block or None


def _drop_repeats(blocks: list[str]) -> list[str]:
    """Consecutive identical blocks are a rendering artefact (card + overlay), not text."""
    return [b for i, b in enumerate(blocks) if i == 0 or b != blocks[i - 1]]


def is_partial(body: str, summary: str, body_blocks: int, paywall_hint: bool) -> bool:
    """Members-only pages carry only the summary (docs/site.md, "Members-only pages"): no
    explicit marker is known, so a body no longer than the summary, or one short paragraph
    beside a subscribe line."""
    if summary and len(body) <= len(summary) * PARTIAL_MAX_RATIO:
        return True
    return paywall_hint and body_blocks == 1 and len(body.split()) <= PARTIAL_MAX_WORDS


class ArticleLoader(ItemLoader):
    """Per-field cleaning; `load_item` completes the derived fields and returns an `Article`.

    Context: `shown` (casefolded texts the page displays), `paywall_hint`, `body_method`."""

    # itemloaders seeds its values from the item's defaults, so it loads into a dict and
    # `load_item` builds the Article: unloaded fields keep the Article's defaults.
    default_item_class = dict
    default_output_processor = TakeFirst()

    title_in = MapCompose(candidate(clean_title))
    title_out = _first_shown
    summary_in = MapCompose(candidate(clean_text))
    published_at_in = MapCompose(candidate(in_shanghai))
    # Blocks arrive whitespace-collapsed from the page walk; only empty ones are dropped here.
    body_in = MapCompose(_non_empty)
    body_out = Compose(_drop_repeats, Join("\n\n"))
    breadcrumbs_in = MapCompose(clean_text)
    related_in = MapCompose(_complete_related)
    crawled_at_in = MapCompose(in_utc)
    breadcrumbs_out = Identity()
    contacts_out = Identity()
    related_out = Identity()
    images_out = Identity()
    tables_out = Identity()

    def _process_input_value(self, field_name: str, value: Any) -> Any:
        # itemloaders looks a field's processor up and inspects its signature for every value
        # added (13 % of a page's extraction time); most fields have none, as the page walk
        # delivers them clean, and none of the input processors takes the loader context.
        processor = _INPUT_PROCESSORS.get(field_name)
        return value if processor is None else processor(value)

    def get_output_value(self, field_name: str) -> Any:
        # Same reason on the way out: itemloaders resolves the processor by name, looks into
        # the item's field metadata and inspects the signature for every field of every page.
        # The processors are fixed per class, so that work is done once, at import.
        processor = _OUTPUT_PROCESSORS.get(field_name, self.default_output_processor)
        value = self._values.get(field_name, [])
        if field_name in _CONTEXT_OUTPUTS:
            return processor(value, loader_context=self.context)
        return processor(value)

    def load_item(self) -> Article:
        values: dict[str, Any] = super().load_item()
        extraction: dict[str, str | None] = {}
        for name in SOURCED_FIELDS:
            chosen: Sourced | None = values.pop(name, None)
            extraction[name] = chosen.source if chosen else None
            if chosen is not None:
                values[name] = chosen.value
        extraction["body"] = self.context.get("body_method")
        article = Article(**values)
        summary = article.summary or ""
        article.title_tags = title_tags(article.title)
        article.is_partial = is_partial(article.body, summary,
                                        len(self.get_collected_values("body")),
                                        bool(self.context.get("paywall_hint")))
        article.metals = metals_in(article.title, summary, article.body)
        article.content_hash = content_hash(article.title, article.body)
        article.extraction = extraction
        return article


_INPUT_PROCESSORS: dict[str, Callable[[Any], Any]] = {
    name.removesuffix("_in"): getattr(ArticleLoader, name)
    for name in vars(ArticleLoader) if name.endswith("_in")
}
_OUTPUT_PROCESSORS: dict[str, Callable[..., Any]] = {
    name.removesuffix("_out"): vars(ArticleLoader)[name]
    for name in vars(ArticleLoader) if name.endswith("_out")
}
# Output processors that read the loader context (itemloaders passes it by this keyword).
_CONTEXT_OUTPUTS = frozenset(
    name for name, processor in _OUTPUT_PROCESSORS.items()
    if "loader_context" in inspect.signature(processor).parameters
)

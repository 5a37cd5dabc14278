"""Page metadata: JSON-LD, og:/article: meta, a Next.js data blob, <time datetime>.

None of these is confirmed on news.metal.com (docs/site.md, "Sitemaps and metadata"), so each
is a first-choice source
used when present, never a requirement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from parsel import Selector

from smmnews.extract.blobs import load_json, state_blobs, walk
from smmnews.extract.dates import parse_epoch, parse_iso
from smmnews.extract.markers import (
    DESCRIPTION_META,
    JSONLD_TYPE,
    NEXT_DATE_KEYS,
    NEXT_SUMMARY_KEYS,
    NEXT_TITLE_KEYS,
    PUBLISHED_META,
    TITLE_META,
    XPATH_SPACE,
)

_ARTICLE_TYPES = frozenset({"newsarticle", "article", "reportagenewsarticle", "blogposting",
                            "analysisnewsarticle"})
_PAGE_TYPES = frozenset({"webpage"})


@dataclass(slots=True)
class Metadata:
    titles: list[tuple[str, str]] = field(default_factory=list)
    published: list[tuple[str, datetime, str]] = field(default_factory=list)
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    breadcrumbs: list[str] = field(default_factory=list)
    title_tag: str | None = None
    language: str | None = None
    base_href: str | None = None  # <base href>: what the page's relative links resolve against


def _jsonld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_objects(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _jsonld_objects(data["@graph"])


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _read_jsonld(sel: Selector, meta: Metadata) -> None:
    pages: list[dict[str, Any]] = []
    for script in sel.root.iter("script"):
        text = script.text
        if not text or script.get("type") != JSONLD_TYPE:
            continue
        for obj in _jsonld_objects(load_json(text)):
            kinds = _types(obj)
            if "breadcrumblist" in kinds:
                items = obj.get("itemListElement") or []
                meta.breadcrumbs = [str(i.get("name", "")).strip() for i in items
                                    if isinstance(i, dict) and i.get("name")]
            if kinds & _ARTICLE_TYPES:
                _add_jsonld(meta, obj)
            elif kinds & _PAGE_TYPES:
                pages.append(obj)
    # A @graph's WebPage node carries the page's own dates (first crawl, template): the
    # article node's come first.
    for obj in pages:
        _add_jsonld(meta, obj)


def _add_jsonld(meta: Metadata, obj: dict[str, Any]) -> None:
    _add_title(meta, "jsonld", obj.get("headline") or obj.get("name"))
    _add_date(meta, "jsonld", obj.get("datePublished"))
    _add_text(meta.descriptions, "jsonld", obj.get("description"))


def _read_state_blobs(sel: Selector, meta: Metadata) -> None:
    """Title, date and summary of the first article-like node of the page's state blobs."""
    for blob in state_blobs(sel):
        for node in walk(blob):
            title = next((node[k] for k in NEXT_TITLE_KEYS if isinstance(node.get(k), str)),
                         None)
            date = next((node[k] for k in NEXT_DATE_KEYS if node.get(k)), None)
            if title and date:
                _add_title(meta, "next_data", title)
                _add_date(meta, "next_data", date)
                summary = next((node[k] for k in NEXT_SUMMARY_KEYS
                                if isinstance(node.get(k), str)), None)
                _add_text(meta.descriptions, "next_data", summary)
                return


def _add_text(target: list[tuple[str, str]], source: str, value: Any) -> None:
    if isinstance(value, str) and value.strip():
        target.append((source, value))


def _add_title(meta: Metadata, source: str, value: Any) -> None:
    _add_text(meta.titles, source, value)


def _add_date(meta: Metadata, source: str, value: Any) -> None:
    parsed: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        parsed = parse_epoch(float(value))
    elif isinstance(value, str) and value.strip():
        parsed = parse_iso(value)
    if parsed is not None:
        meta.published.append((source, parsed, str(value).strip()))


def _meta_tags(sel: Selector) -> dict[str, str]:
    """Every <meta> by its property/name/itemprop, first one wins, in one pass."""
    found: dict[str, str] = {}
    for el in sel.root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        content = el.get("content")
        if key and content and key.lower() not in found:
            found[key.lower()] = content
    return found


def _empty_time_datetime(sel: Selector) -> str | None:
    """The first <time datetime> that shows no text (XPATH_SPACE): its datetime."""
    for time in sel.root.iter("time"):
        value = time.get("datetime")
        if value is not None and not "".join(time.itertext()).strip(XPATH_SPACE):
            return str(value)
    return None


def read_metadata(sel: Selector) -> Metadata:
    meta = Metadata()
    _read_jsonld(sel, meta)
    _read_state_blobs(sel, meta)
    tags = _meta_tags(sel)
    for source, key in TITLE_META:
        _add_title(meta, source, tags.get(key))
    for source, key in PUBLISHED_META:
        _add_date(meta, source, tags.get(key))
    # A shown <time datetime> is read with the header's date line (segment.py): the first
    # <time> of a page may be a related item's or a ticker's. An empty one is metadata.
    _add_date(meta, "time_element", _empty_time_datetime(sel))
    for source, key in DESCRIPTION_META:
        _add_text(meta.descriptions, source, tags.get(key))
    title_el = next(sel.root.iter("title"), None)
    title = title_el.text if title_el is not None else None
    meta.title_tag = title if title and title.strip() else None
    meta.language = sel.root.get("lang")
    base = sel.root.find("head/base")
    meta.base_href = base.get("href") if base is not None else None
    return meta

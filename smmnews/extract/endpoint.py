"""JSON listing endpoints (the request behind a "Load More" button), described by a setting.

The 2024 list pages loaded further items only through a script (docs/site.md, "Listings"); the
request it makes is not known here. Once a probe or a browser's network tab shows it, one entry of
`SMMNEWS_LISTING_ENDPOINTS` describes it, and the crawl pages through it like a listing:

    {"url": "https://news.metal.com/api/news/list?page={page}&size=20",  # {page}: the number
     "items": "data.list",          # dotted path to the list of items ("" when the body is one)
     "link": "url",                 # item key holding the article URL (absolute or relative) ...
     "id": "newsId",                # ... or the key holding the article id
     "date": "publishTime",         # optional: item key holding the publication time
     "first_page": 1, "max_pages": 20}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smmnews.extract.dates import parse_epoch, parse_iso, parse_listing_time
from smmnews.extract.urls import absolute_url

_KEYS = {"url", "items", "link", "id", "date", "first_page", "max_pages"}


class EndpointError(ValueError):
    """A listing endpoint entry that cannot be used; the message says which key and why."""


@dataclass(frozen=True, slots=True)
class ListingEndpoint:
    url: str
    items: str = ""
    link: str | None = None
    id: str | None = None
    date: str | None = None
    first_page: int = 1
    max_pages: int = 20

    def page_url(self, base_url: str, page: int) -> str:
        return absolute_url(base_url, self.url.replace("{page}", str(page))) or self.url


@dataclass(frozen=True, slots=True)
class EndpointItem:
    url: str
    published: datetime | None


def _entry(raw: Any, index: int) -> ListingEndpoint:
    where = f"SMMNEWS_LISTING_ENDPOINTS[{index}]"
    if not isinstance(raw, dict):
        raise EndpointError(f"{where} must be an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise EndpointError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if not isinstance(raw.get("url"), str) or "{page}" not in raw["url"]:
        raise EndpointError(f"{where}: 'url' must be a URL template containing {{page}}")
    if not (raw.get("link") or raw.get("id")):
        raise EndpointError(f"{where}: give 'link' (the item's URL key) or 'id' (its id key)")
    try:
        first, pages = int(raw.get("first_page", 1)), int(raw.get("max_pages", 20))
    except (TypeError, ValueError):
        raise EndpointError(f"{where}: first_page and max_pages must be numbers") from None
    if pages < 1:
        raise EndpointError(f"{where}: max_pages must be at least 1")
    return ListingEndpoint(raw["url"], str(raw.get("items") or ""), raw.get("link"),
                           raw.get("id"), raw.get("date"), first, pages)


def parse_endpoints(value: Any) -> list[ListingEndpoint]:
    """The setting's value (a list, or its JSON text from `-s`) as endpoints."""
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise EndpointError(f"SMMNEWS_LISTING_ENDPOINTS is not valid JSON: {exc}") from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list | tuple):
        raise EndpointError("SMMNEWS_LISTING_ENDPOINTS must be a list of objects")
    return [_entry(raw, i) for i, raw in enumerate(value)]


def _at(data: Any, path: str) -> Any:
    for key in (k for k in path.split(".") if k):
        if isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        elif isinstance(data, dict):
            data = data.get(key)
        else:
            return None
    return data


def endpoint_items(body: bytes, endpoint: ListingEndpoint, page_url: str, now: datetime,
                   url_for_id: Callable[[str], str]) -> list[EndpointItem] | None:
    """Article URLs of one endpoint page in order; None when the body is not the JSON described
    (the site changed, or the endpoint needs what a browser sends)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    items = _at(data, endpoint.items)
    if not isinstance(items, list):
        return None
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = _item_url(item, endpoint, page_url, url_for_id)
        if url is not None:
            found.append(EndpointItem(url, _item_date(item.get(endpoint.date or ""), now)))
    return found


def _item_url(item: dict[str, Any], endpoint: ListingEndpoint, page_url: str,
              url_for_id: Callable[[str], str]) -> str | None:
    link = _at(item, endpoint.link) if endpoint.link else None
    if isinstance(link, str) and link.strip():
        return absolute_url(page_url, link.strip())
    ident = _at(item, endpoint.id) if endpoint.id else None
    if isinstance(ident, int | str) and str(ident).strip().isdigit():
        return url_for_id(str(ident).strip())
    return None


def _item_date(value: Any, now: datetime) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_epoch(float(value))
    if not isinstance(value, str) or not value.strip():
        return None
    # Relative times first: the fuzzy fallback of parse_iso would read them against the clock.
    return parse_listing_time(value, now) or parse_iso(value)

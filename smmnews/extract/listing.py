"""Listing pages (docs/site.md, "Listings"): article links with title, optional summary and time.

List pages use build-hashed class names that change on every redeploy, so items are read from
the linearised text: a headline link starts an item, the next plain line is its summary, a time
line ("46 mins ago", "Aug 02, 2024 17:11") closes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smmnews.extract.blocks import linearise
from smmnews.extract.boilerplate import is_chrome_text
from smmnews.extract.dates import is_time_line, parse_listing_time
from smmnews.extract.markers import READ_MORE_RE
from smmnews.extract.parse import parse_html
from smmnews.extract.related import article_link
from smmnews.extract.urls import absolute_url, article_id_from_url


@dataclass(slots=True)
class ListingLink:
    url: str
    article_id: str
    title: str | None
    summary: str | None = None
    published_at: datetime | None = None


def extract_listing_links(html: str, url: str, now: datetime) -> list[ListingLink]:
    """Every article linked from a page, once per id, in page order."""
    sel = parse_html(html)
    root: Any = sel.root
    if root is None:
        return []
    page = linearise(root)
    items: dict[str, ListingLink] = {}
    current: ListingLink | None = None
    for block in page.blocks:
        text = block.text
        link = article_link(block, url)
        if link:
            article_id = article_id_from_url(link) or ""
            if article_id in items:
                current = items[article_id]
                if current.summary is None and text != current.title and block.link_ratio < 1:
                    current.summary = text
                continue
            current = ListingLink(url=link, article_id=article_id, title=text)
            items[article_id] = current
        elif current is None or READ_MORE_RE.match(text) or is_chrome_text(text):
            continue
        elif is_time_line(text):
            if current.published_at is None:
                current.published_at = parse_listing_time(text, now)
            current = None
        elif current.summary is None:
            current.summary = text
    # Links with no text (image-only cards) still count: the id is what the crawl needs.
    for href in sel.css("a::attr(href)").getall():
        link = absolute_url(url, href)
        found_id = article_id_from_url(link) if link else None
        if link and found_id and found_id not in items:
            items[found_id] = ListingLink(url=link, article_id=found_id, title=None)
    return list(items.values())

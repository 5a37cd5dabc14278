"""Related-news blocks: one entry per item, although 2026 pages repeat each title 3-4 times.

The 2026 card renders title, time, title, "Read More", title, title, summary, time (card, hover
overlay and text variant; docs/site.md, "Boilerplate"). Older designs give a title link and
maybe a date.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from smmnews.extract.blocks import Block, Image
from smmnews.extract.boilerplate import is_chrome_text, is_cut_marker, strip_bullet
from smmnews.extract.dates import is_time_line, parse_listing_time, split_trailing_time
from smmnews.extract.markers import ARTICLE_PATH_SEGMENT, READ_MORE_RE, RELATED_HEADING_RE
from smmnews.extract.urls import absolute_url, article_id_from_url
from smmnews.items import Related

# Hrefs that are not relative paths: without the article path segment they cannot be articles.
_NON_RELATIVE = ("http", "//", "/", "#", "javascript")


def title_key(text: str) -> str:
    return " ".join(text.casefold().split())


def article_link(block: Block, base_url: str) -> str | None:
    for href in block.hrefs:
        if ARTICLE_PATH_SEGMENT not in href and href.startswith(_NON_RELATIVE):
            continue  # cheap test first: most links are menus and share buttons; a relative
            # "103800021/Slug" under /newscontent/ still resolves to an article
        url = absolute_url(base_url, href)
        if url and article_id_from_url(url):
            return url
    return None


def _skippable(text: str) -> bool:
    # Related blocks often sit in <aside>: judge them by wording only, never by container.
    return bool(READ_MORE_RE.match(text) or RELATED_HEADING_RE.match(text)
                or is_cut_marker(text) or is_chrome_text(text))


def _next_text(blocks: list[Block], index: int) -> str:
    """The next block's text, "Read More" buttons skipped (no slicing: this runs per block)."""
    for later in range(index + 1, len(blocks)):
        text = blocks[later].text
        if not READ_MORE_RE.match(text):
            return text
    return ""


def parse_related(blocks: list[Block], base_url: str, now: datetime) -> list[Related]:
    """Items of a related-news region (the blocks after its heading)."""
    counts = Counter(title_key(b.text) for b in blocks)
    items: list[Related] = []
    seen: set[str] = set()
    current: Related | None = None
    for index, block in enumerate(blocks):
        text = strip_bullet(block.text)
        if not text:
            continue
        if is_time_line(text):
            if current and current.published_at is None:
                current.published_at = parse_listing_time(text, now)
            continue
        if _skippable(text):
            continue
        key = title_key(text)
        if key in seen:
            continue
        url = article_link(block, base_url)
        if (current and current.summary is None and counts[key] == 1
                and (url is None or url == current.url) and len(text) > len(current.title)):
            current.summary = text
            continue
        following = _next_text(blocks, index)
        if url or counts[key] >= 2 or is_time_line(following):
            title, time = split_trailing_time(text) if url else (text, None)
            current = Related(title=title, url=url,
                            published_at=parse_listing_time(time, now) if time else None)
            items.append(current)
            seen.add(key)
            seen.add(title_key(title))
    return items


def related_from_links(blocks: list[Block], base_url: str) -> list[Related]:
    """Headline links standing alone inside the body (2013-2017 pages interleave them)."""
    return [Related(title=b.text, url=article_link(b, base_url)) for b in blocks]


def related_from_images(images: list[Image], base_url: str) -> list[Related]:
    """Related items shown as pictures whose alt text is the headline (2025-2026 pages)."""
    found = []
    for image in images:
        url = absolute_url(base_url, image.href)
        if image.alt and url and article_id_from_url(url):
            found.append(Related(title=image.alt, url=url))
    return found


def merge_related(*groups: list[Related]) -> list[Related]:
    merged: list[Related] = []
    seen: set[str] = set()
    for group in groups:
        for item in group:
            key = title_key(item.title)
            if key and key not in seen:
                seen.add(key)
                merged.append(item)
    return merged

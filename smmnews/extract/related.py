"""Related-news blocks: one entry per item, although 2026 pages repeat each title 3-4 times.

The 2026 card renders title, time, title, "Read More", title, title, summary, time (card, hover
overlay and text variant; docs/site.md, "Boilerplate"). Older designs give a title link and
maybe a date.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from smmnews.extract.blocks import Block, Image, Piece, collapse, title_key
from smmnews.extract.boilerplate import is_chrome_text, is_cut_marker, strip_bullet
from smmnews.extract.dates import is_time_line, parse_listing_time, split_trailing_time
from smmnews.extract.markers import (
    ARTICLE_PATH_SEGMENT,
    LINK_LINE_RATIO,
    READ_MORE_RE,
    RELATED_HEADING_RE,
    RELATED_LEAD_IN_RE,
    RELATED_SUMMARY_MIN_WORDS,
)
from smmnews.extract.urls import absolute_url, article_id_from_url
from smmnews.items import Related

# Hrefs that are not relative paths: without the article path segment they cannot be articles.
_NON_RELATIVE = ("http", "//", "/", "#", "javascript")


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


def parse_related(blocks: list[Block], base_url: str, now: datetime,
                  heading: Block | None = None,
                  labels: dict[str, str] | None = None) -> list[Related]:
    """Items of a related-news region (the blocks after its heading); `labels` are the links'
    title=/aria-label=/alt= texts, a headline's last resort."""
    by_id = _items_by_article_id(blocks, base_url, now, heading, labels or {})
    return by_id if by_id is not None else _items_by_repetition(blocks, base_url, now)


def _items_by_article_id(blocks: list[Block], base_url: str, now: datetime,
                         heading: Block | None, labels: dict[str, str]) -> list[Related] | None:
    """One item per linked article id, however often and in whatever order its title, time,
    summary and "Read More" appear: each text piece belongs to the id its link names, or, when
    unlinked, to the one id whose links share its nearest enclosing element with it."""
    pieces = [piece for block in blocks for piece in _rejoined(block.pieces)]
    ids: list[str | None] = []
    urls: dict[str, str] = {}
    titles: dict[str, str] = {}  # article id -> a label of one of its links
    keep: list[bool] = []
    links: dict[str, str | None] = {}  # href -> article URL (cards repeat each link 2-4 times)
    for piece in pieces:
        url = _piece_link(piece, base_url, links)
        article = article_id_from_url(url) if url else None
        ids.append(article)
        # Text linking elsewhere (category chips, authors, share buttons) is no item's.
        keep.append(article is not None or not piece.href)
        if article and article not in urls:
            urls[article] = url or ""
        if article and piece.href in labels:
            titles.setdefault(article, labels[piece.href])
    if not urls:
        return None
    under: dict[int, set[str]] = {}  # element number -> ids linked from inside it
    for piece, article in zip(pieces, ids, strict=True):
        if article:
            for element in piece.path:
                under.setdefault(element, set()).add(article)
    # The element around the heading holds the whole list: never one item's wrapper.
    outer = {e for piece in heading.pieces for e in piece.path} if heading else set()
    groups: dict[str, list[tuple[Piece, bool]]] = {article: [] for article in urls}
    for piece, article, kept in zip(pieces, ids, keep, strict=True):
        owner = article or _owner(piece, under, outer)
        if owner and kept:
            groups[owner].append((piece, article is not None))
    items = [_item(groups[article], urls[article], now, titles.get(article))
             for article in urls]
    return [item for item in items if item is not None]


def _rejoined(pieces: tuple[Piece, ...]) -> list[Piece]:
    """Pieces of one link rejoined: a headline with inline markup ("<b>[SMM Analysis]</b>
    Title") is one text; a time or a button inside the link stays apart."""
    joined: list[Piece] = []
    for piece in pieces:
        last = joined[-1] if joined else None
        if (last is not None and piece.href and piece.href == last.href
                and not _apart(last.text) and not _apart(piece.text)):
            raw = last.raw + piece.raw
            joined[-1] = last._replace(text=collapse(raw), raw=raw)
        else:
            joined.append(piece)
    return joined


def _apart(text: str) -> bool:
    return is_time_line(text) or _skippable(text)


def _piece_link(piece: Piece, base_url: str, links: dict[str, str | None]) -> str | None:
    href = piece.href
    if not href:
        return None
    if href not in links:
        url = absolute_url(base_url, href)
        links[href] = url if url and article_id_from_url(url) else None
    return links[href]


def _owner(piece: Piece, under: dict[int, set[str]], outer: set[int]) -> str | None:
    for element in reversed(piece.path):
        if element in outer:
            return None
        found = under.get(element)
        if found:
            return next(iter(found)) if len(found) == 1 else None
    return None


def _item(pieces: list[tuple[Piece, bool]], url: str, now: datetime,
          label: str | None) -> Related | None:
    """Times by their pattern wherever they stand; the title is the first text of a link to
    the article (else a link's label, else the first text); the summary another text of
    sentence length."""
    texts: list[tuple[str, bool]] = []
    published: datetime | None = None
    for piece, linked in pieces:
        # U+FFFD: bytes the page's encoding could not decode must not hide a time ("2� hours").
        text = strip_bullet(piece.text.replace("\ufffd", ""))
        if not text:
            continue
        if is_time_line(text):
            published = published or parse_listing_time(text, now)
            continue
        if _skippable(text):
            continue
        texts.append((text, linked))
    first = next((t for t, linked in texts if linked), None) or label or (
        texts[0][0] if texts else None)
    if first is None:
        return None
    title, time = split_trailing_time(first)
    if time:
        published = published or parse_listing_time(time, now)
    item = Related(title=title, url=url, published_at=published)
    key = title_key(title)
    # Never a fragment of the headline (a title copy with inline markup comes in pieces).
    item.summary = next((t for t, _ in texts if title_key(t) not in key
                         and title_key(t) not in title_key(first)
                         and len(t.split()) >= RELATED_SUMMARY_MIN_WORDS), None)
    return item


def _items_by_repetition(blocks: list[Block], base_url: str, now: datetime) -> list[Related]:
    """Unlinked related headlines (2013-2017 pages): a title is repeated or followed by a time."""
    counts = Counter(b.key for b in blocks)
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
    """Headline links standing alone inside the body (2013-2017 pages interleave them; other
    pages put "Also read: <headline>" between paragraphs)."""
    return [Related(title=RELATED_LEAD_IN_RE.sub("", b.text, count=1),
                    url=article_link(b, base_url)) for b in blocks]


def is_link_line(block: Block) -> bool:
    """The block is (mostly) one link's text, an "Also read:" lead-in aside."""
    text = block.text
    lead = RELATED_LEAD_IN_RE.match(text) if block.link_chars < len(text) else None
    return block.link_chars >= LINK_LINE_RATIO * (len(text) - (lead.end() if lead else 0))


def related_from_images(images: list[Image], base_url: str) -> list[Related]:
    """Related items shown as pictures whose alt text is the headline (2025-2026 pages)."""
    found = []
    for image in images:
        url = absolute_url(base_url, image.href)
        if image.alt and url and article_id_from_url(url):
            found.append(Related(title=image.alt, url=url))
    return found


def merge_related(*groups: list[Related]) -> list[Related]:
    """One item per linked article id (two articles may share a headline: daily comments),
    one per headline among unlinked items; the first seen wins."""
    merged: list[Related] = []
    seen: dict[str, Related] = {}
    for group in groups:
        for item in group:
            article = article_id_from_url(item.url or "")
            key = f"id:{article}" if article else title_key(item.title)
            if not key:
                continue
            if key not in seen:
                seen[key] = item
                merged.append(item)
            else:
                # One article linked twice ("Also read:" in the text and the related block):
                # one item, with what either showing gives.
                first = seen[key]
                first.summary = first.summary or item.summary
                first.published_at = first.published_at or item.published_at
    return merged

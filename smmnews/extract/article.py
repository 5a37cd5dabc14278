"""One news.metal.com page in, the parts of one article out (or "not an article").

Each field is a short chain of fallbacks: page metadata, then structure, then the text patterns
of the site notes. The page is first linearised into blocks (markup-agnostic), then segmented:
header (breadcrumbs, title, date, source), body, and the tail (disclaimer, contacts, related).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from parsel import Selector

from smmnews.extract import segment
from smmnews.extract.blobs import blob_article_html
from smmnews.extract.blocks import Block, Page, linearise
from smmnews.extract.boilerplate import Contact
from smmnews.extract.clean import clean_text, clean_title
from smmnews.extract.dates import (
    dateline_date,
    is_time_line,
    iso,
    match_dateline,
    parse_date_line,
    parse_iso,
)
from smmnews.extract.markers import TITLE_SEPARATORS
from smmnews.extract.metadata import Metadata, read_metadata
from smmnews.extract.parse import parse_html
from smmnews.extract.related import Related, title_key
from smmnews.extract.urls import absolute_url, article_id_from_url, canonical_url

# A page linking this many other articles from its main text is a listing, not an article.
LISTING_MIN_LINKS = 6
# Standalone date lines in the text mark listings, search results and price tables.
LISTING_MIN_DATED_LINES = 3
# An article has at least one sentence-sized paragraph.
MIN_PARAGRAPH_WORDS = 12


@dataclass(slots=True)
class NotAnArticle:
    """The page is a listing, price, login or error page: no record, a reason to log."""

    reason: str


@dataclass(slots=True)
class ArticleParts:
    """Candidates and parts of one article, before the item loader cleans them."""

    article_id: str
    url: str
    canonical_url: str
    titles: list[tuple[str, str]]
    published: list[tuple[str, datetime, str]]
    summaries: list[tuple[str, str]]
    body_blocks: list[str]
    dateline: str | None = None
    dateline_date: str | None = None
    source: str | None = None
    disclaimer: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    breadcrumbs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    language: str = "en"
    body_method: str = "header"
    paywall_hint: bool = False


def _title_candidates(meta: Metadata, blocks: list[Block]) -> list[tuple[str, str]]:
    candidates = list(meta.titles)
    candidates += [("h1", b.text) for b in blocks if b.kind == "h1" and not b.chrome][:1]
    if meta.title_tag:
        candidates.append(("title_tag", meta.title_tag))
    return [(source, title) for source, raw in candidates if (title := clean_title(raw))]


def _displayed_first(candidates: list[tuple[str, str]],
                     blocks: list[Block]) -> list[tuple[str, str]]:
    """Metadata order, except that a title the page actually shows wins (titles "as displayed")."""
    shown = {b.text.casefold() for b in blocks}
    return sorted(((source, _shown_part(title, shown)) for source, title in candidates),
                  key=lambda c: c[1].casefold() not in shown)


def _shown_part(title: str, shown: set[str]) -> str:
    """A metadata title with a site suffix of a variant not in markers.py (" | SMM News"):
    the part before the separator, when that is what the page shows."""
    if title.casefold() in shown:
        return title
    for separator in TITLE_SEPARATORS:
        head, found, _ = title.rpartition(separator)
        if found and head.strip().casefold() in shown:
            return head.strip()
    return title


def _tables(rows: list[Block]) -> list[list[list[str]]]:
    """Rows grouped by the <table> they came from, in reading order."""
    tables: dict[int, list[list[str]]] = {}
    for block in rows:
        tables.setdefault(block.table, []).append(list(block.cells))
    return list(tables.values())


def _images(page: Page, span: tuple[int, int], base_url: str) -> list[dict[str, str | None]]:
    found = []
    for image in page.images:
        url = absolute_url(base_url, image.src)
        if (span[0] <= image.position <= span[1] and url and not image.chrome
                and image.alt.lower() != "icon" and not article_id_from_url(image.href or "")):
            found.append({"url": url, "alt": image.alt or None})
    return found


def _dateline(body: list[str], reference: datetime) -> tuple[str | None, str | None, str | None]:
    for text in body[:3]:
        match = match_dateline(text)
        if match:
            named = dateline_date(match["md"], reference)
            source = match.groupdict().get("src")
            return match["line"].strip(), named.isoformat() if named else None, source
    return None, None, None


def _language(lang: str | None) -> str:
    """ISO 639 code from <html lang="en-US">; English (the site's language) when absent or junk."""
    code = (lang or "").strip().split("-")[0].split("_")[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else "en"


def _not_article(parts: ArticleParts, seg: segment.Segments) -> str | None:
    if not parts.titles:
        return "no title"
    if not parts.body_blocks:
        return "no article text"
    if len(seg.body_links) >= LISTING_MIN_LINKS:
        return f"listing page ({len(seg.body_links)} article links in its main text)"
    dated = sum(1 for text in parts.body_blocks if is_time_line(text))
    if dated >= LISTING_MIN_DATED_LINES:
        return f"listing, search or price page ({dated} dated lines in its main text)"
    if not any(len(text.split()) >= MIN_PARAGRAPH_WORDS for text in parts.body_blocks):
        return "no paragraph of article text"
    if not parts.published and not parts.dateline:
        return "no publication date or dateline"
    return None


# Refusals that a state blob can answer: the visible page carries no article (a client-rendered
# shell), so the article is read from the blob.
_BLOB_ANSWERS = ("no title", "no article text", "no paragraph of article text")


def extract_article(html: str, url: str, now: datetime) -> ArticleParts | NotAnArticle:
    """Extract the article of one page; `now` resolves relative times such as "2 hours ago"."""
    article_id = article_id_from_url(url)
    if article_id is None:
        return NotAnArticle("URL is not an article URL")
    sel = parse_html(html)
    if sel.root is None:
        return NotAnArticle("no HTML document")
    result, title_shown = _extract(sel, url, now, article_id)
    no_article = isinstance(result, NotAnArticle) and result.reason in _BLOB_ANSWERS
    if no_article or not title_shown:
        # A fresh tree: linearising pruned the scripts from the first one.
        shown = parse_html(html)
        blob_html = blob_article_html(shown)
        body = next(shown.root.iter("body"), None)
        if blob_html is not None and body is not None:
            _mount(body, parse_html(blob_html).root.find(".//article"))
            from_blob, _ = _extract(shown, url, now, article_id)
            if not isinstance(from_blob, NotAnArticle) or no_article:
                return from_blob
    return result


def _mount(body: Any, article: Any) -> None:
    """The blob's article first; what the page shows around it becomes an <aside>: its related
    news and trail are still read, its chrome and tickers never become body text."""
    aside = body.makeelement("aside", {})
    aside.text, body.text = body.text, None
    for child in list(body):
        aside.append(child)
    body.append(article)
    body.append(aside)


def _extract(sel: Selector, url: str, now: datetime,
             article_id: str) -> tuple[ArticleParts | NotAnArticle, bool]:
    """The article of the page, and whether the page displays its title (a page that does
    not is a client-rendered shell, whose article is in its state blob)."""
    root: Any = sel.root
    meta = read_metadata(sel)
    page = linearise(root)
    titles = _displayed_first(_title_candidates(meta, page.blocks), page.blocks)
    seg = segment.segment(page, titles[0][1] if titles else None, url, now)
    published = list(meta.published)
    if seg.date_line is not None:
        # The header's own <time datetime> (never the page's first <time>: related news and
        # tickers may come first), then the date as shown, relative ones resolved against now.
        stamp = parse_iso(seg.date_attr) if seg.date_attr else None
        if stamp is not None and seg.date_attr:
            published.append(("time_element", stamp, seg.date_attr.strip()))
        shown = parse_date_line(seg.date_line, now)
        if shown:
            published.append(("text", shown[0], shown[1]))
    summaries = [("shown", s) for s in seg.summaries] + [
        (source, text) for source, raw in meta.descriptions if (text := clean_text(raw))
    ]
    reference = published[0][1] if published else now
    dateline, named_date, dateline_source = _dateline(seg.body, reference)
    parts = ArticleParts(
        article_id=article_id, url=url, canonical_url=canonical_url(article_id),
        titles=titles, published=published, summaries=summaries, body_blocks=seg.body,
        dateline=dateline, dateline_date=named_date,
        source=seg.source or dateline_source, disclaimer=seg.disclaimer,
        contacts=seg.contacts, related=seg.related,
        breadcrumbs=meta.breadcrumbs or seg.breadcrumbs,
        images=_images(page, seg.body_span, url), tables=_tables(seg.body_rows),
        language=_language(meta.language),
        body_method=seg.method, paywall_hint=seg.paywall_hint,
    )
    reason = _not_article(parts, seg)
    # Block texts are collapsed already: casefolding is their title key.
    title_shown = bool(titles) and title_key(titles[0][1]) in {b.text.casefold()
                                                                for b in page.blocks}
    return (NotAnArticle(reason) if reason else parts), title_shown


__all__ = ["ArticleParts", "NotAnArticle", "extract_article", "iso"]

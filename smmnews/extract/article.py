"""One news.metal.com page in, one `Article` out (or "not an article" with a code).

Each field is a short chain of fallbacks: page metadata, then structure, then the text patterns
of docs/site.md. The page is first linearised into blocks (markup-agnostic), then segmented:
header (breadcrumbs, title, date, source), body, and the tail (disclaimer, contacts, related).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from parsel import Selector

from smmnews.extract import segment
from smmnews.extract.blobs import blob_article_html
from smmnews.extract.blocks import Block, Page, linearise
from smmnews.extract.clean import clean_title
from smmnews.extract.dates import (
    dateline_date,
    is_time_line,
    match_dateline,
    parse_date_line,
    parse_iso,
)
from smmnews.extract.loader import ArticleLoader, Sourced
from smmnews.extract.markers import ICON_ALT, TITLE_SEPARATORS
from smmnews.extract.metadata import Metadata, read_metadata
from smmnews.extract.parse import parse_html
from smmnews.extract.related import title_key
from smmnews.extract.urls import absolute_url, article_id_from_url, canonical_url, link_base
from smmnews.items import Article, Image

# A page linking this many other articles from its main text is a listing, not an article.
LISTING_MIN_LINKS = 6
# Standalone date lines in the text mark listings, search results and price tables.
LISTING_MIN_DATED_LINES = 3
# An article has at least one sentence-sized paragraph.
MIN_PARAGRAPH_WORDS = 12


class NotArticle(StrEnum):
    """Why a page gave no record: stable codes, used as stats keys (`not_article/<code>`)."""

    NOT_ARTICLE_URL = "url_is_not_an_article_url"
    NO_HTML = "no_html_document"
    NO_TITLE = "no_title"
    NO_TEXT = "no_article_text"
    LISTING = "listing_page"
    DATED_LIST = "listing_search_or_price_page"
    NO_PARAGRAPH = "no_paragraph_of_article_text"
    NO_DATE = "no_publication_date_or_dateline"


class NotAnArticle(NamedTuple):
    """The page is a listing, price, login or error page: no record, a code and a detail."""

    code: NotArticle
    detail: str

    def __str__(self) -> str:
        return self.detail


def _title_candidates(meta: Metadata, blocks: list[Block],
                      shown: frozenset[str]) -> list[tuple[str, str]]:
    """Raw title candidates in fallback order; the loader cleans and chooses."""
    candidates = list(meta.titles)
    candidates += [("h1", b.text) for b in blocks if b.kind == "h1" and not b.chrome][:1]
    if meta.title_tag:
        candidates.append(("title_tag", meta.title_tag))
    return [(source, _shown_part(raw, shown)) for source, raw in candidates]


def _shown_part(raw: str, shown: frozenset[str]) -> str:
    """A metadata title with a site suffix of a variant not in markers.py (" | SMM News"):
    the part before the separator, when that is what the page shows."""
    title = clean_title(raw)
    if title is None or title.casefold() in shown:
        return raw
    for separator in TITLE_SEPARATORS:
        head, found, _ = title.rpartition(separator)
        if found and head.strip().casefold() in shown:
            return head.strip()
    return raw


def _tables(rows: list[Block]) -> list[list[list[str]]]:
    """Rows grouped by the <table> they came from, in reading order."""
    tables: dict[int, list[list[str]]] = {}
    for block in rows:
        tables.setdefault(block.table, []).append(list(block.cells))
    return list(tables.values())


def _images(page: Page, span: tuple[int, int], base_url: str) -> list[Image]:
    found = []
    for image in page.images:
        url = absolute_url(base_url, image.src)
        if (span[0] <= image.position <= span[1] and url and not image.chrome
                and image.alt.lower() != ICON_ALT and not article_id_from_url(image.href or "")):
            found.append(Image(url=url, alt=image.alt or None))
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


def _not_article(has_title: bool, body: list[str], seg: segment.Segments,
                 dated: bool) -> NotAnArticle | None:
    if not has_title:
        return NotAnArticle(NotArticle.NO_TITLE, "no title")
    if not body:
        return NotAnArticle(NotArticle.NO_TEXT, "no article text")
    if len(seg.body_links) >= LISTING_MIN_LINKS:
        return NotAnArticle(NotArticle.LISTING, f"listing page ({len(seg.body_links)} article "
                                                "links in its main text)")
    lines = sum(1 for text in body if is_time_line(text))
    if lines >= LISTING_MIN_DATED_LINES:
        return NotAnArticle(NotArticle.DATED_LIST, f"listing, search or price page ({lines} "
                                                   "dated lines in its main text)")
    if not any(len(text.split()) >= MIN_PARAGRAPH_WORDS for text in body):
        return NotAnArticle(NotArticle.NO_PARAGRAPH, "no paragraph of article text")
    if not dated:
        return NotAnArticle(NotArticle.NO_DATE, "no publication date or dateline")
    return None


def _published(meta: Metadata, seg: segment.Segments,
               now: datetime) -> list[tuple[str, datetime, str]]:
    """Publication-time candidates, metadata first, then the date line the page shows: its own
    <time datetime> (never the page's first <time>: related news and tickers may come first),
    then its text, relative times ("3 hours ago") resolved against now."""
    published = list(meta.published)
    if seg.date_line is not None:
        stamp = parse_iso(seg.date_attr) if seg.date_attr else None
        if stamp is not None and seg.date_attr:
            published.append(("time_element", stamp, seg.date_attr.strip()))
        shown = parse_date_line(seg.date_line, now)
        if shown:
            published.append(("text", shown[0], shown[1]))
    return published


def _published_raw(published: list[tuple[str, datetime, str]]) -> str | None:
    """The date as shown on the page, else as the first metadata source gives it."""
    shown = [raw for source, _, raw in published if source == "text"]
    return shown[0] if shown else (published[0][2] if published else None)


# Refusals that a state blob can answer: the visible page carries no article (a client-rendered
# shell), so the article is read from the blob.
_BLOB_ANSWERS = frozenset({NotArticle.NO_TITLE, NotArticle.NO_TEXT, NotArticle.NO_PARAGRAPH})


def extract_article(html: str, url: str, now: datetime,
                    crawled_at: datetime | None = None) -> Article | NotAnArticle:
    """Extract the article of one page; `now` resolves relative times such as "2 hours ago",
    `crawled_at` (default `now`) is the fetch time the record carries."""
    article_id = article_id_from_url(url)
    if article_id is None:
        return NotAnArticle(NotArticle.NOT_ARTICLE_URL, "URL is not an article URL")
    sel = parse_html(html)
    if sel.root is None:
        return NotAnArticle(NotArticle.NO_HTML, "no HTML document")
    result, title_shown = _extract(sel, article_id, url, now, crawled_at)
    no_article = isinstance(result, NotAnArticle) and result.code in _BLOB_ANSWERS
    if no_article or not title_shown:
        # A fresh tree: linearising pruned the scripts from the first one.
        shown = parse_html(html)
        blob_html = blob_article_html(shown)
        page_body = next(shown.root.iter("body"), None)
        if blob_html is not None and page_body is not None:
            _mount(page_body, parse_html(blob_html).root.find(".//article"))
            from_blob, _ = _extract(shown, article_id, url, now, crawled_at)
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


def _extract(sel: Selector, article_id: str, url: str, now: datetime,
             crawled_at: datetime | None) -> tuple[Article | NotAnArticle, bool]:
    """The article of the page, and whether the page displays its title (a page that does
    not is a client-rendered shell, whose article is in its state blob)."""
    root: Any = sel.root
    meta = read_metadata(sel)
    page = linearise(root)
    shown = frozenset(b.text.casefold() for b in page.blocks)
    loader = ArticleLoader(shown=shown)
    loader.add_value("title", _title_candidates(meta, page.blocks, shown))
    title: Sourced | None = loader.get_output_value("title")
    # Block texts are collapsed already: casefolding is their title key.
    title_shown = title is not None and title_key(title.value) in shown
    links = link_base(url, meta.base_href)
    seg = segment.segment(page, title.value if title else None, url, now, links)
    published = _published(meta, seg, now)
    reference = published[0][1] if published else now
    dateline, named_date, dateline_source = _dateline(seg.body, reference)
    refused = _not_article(title is not None, seg.body, seg, bool(published or dateline))
    if refused is not None:
        return refused, title_shown
    loader.context.update(body_method=seg.method, paywall_hint=seg.paywall_hint)
    values: dict[str, Any] = {
        "article_id": article_id, "url": url, "canonical_url": canonical_url(article_id),
        "published_at": [(source, value) for source, value, _ in published],
        "published_raw": _published_raw(published),
        "dateline": dateline, "dateline_date": named_date,
        "source": seg.source or dateline_source,
        "summary": [("shown", s) for s in seg.summaries] + list(meta.descriptions),
        "body": seg.body, "disclaimer": seg.disclaimer, "contacts": seg.contacts,
        "related": seg.related, "breadcrumbs": meta.breadcrumbs or seg.breadcrumbs,
        "images": _images(page, seg.body_span, links), "tables": _tables(seg.body_rows),
        "language": _language(meta.language), "crawled_at": crawled_at or now,
    }
    for name, value in values.items():
        loader.add_value(name, value)
    return loader.load_item(), title_shown


__all__ = ["NotAnArticle", "NotArticle", "extract_article"]

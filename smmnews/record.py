"""The one code path from page bytes to a record, shared by the spider, the CLI and benchmarks."""

from __future__ import annotations

from datetime import datetime

from smmnews.extract.article import NotAnArticle, extract_article
from smmnews.extract.decode import BadPage, decode_page
from smmnews.extract.shell import NEEDS_JAVASCRIPT, app_shell
from smmnews.items import Article

# Metadata sources count as first-choice; "text" and "title_tag" mean the page gave none.
TEXT_FALLBACKS = frozenset({"text", "title_tag", "shown"})


def build_record(body: bytes, url: str, now: datetime, *, encoding: str | None = None,
                 crawled_at: datetime | None = None) -> Article | NotAnArticle:
    """Page bytes to a record; raises BadPage for input that is not a page at all, and for
    an app shell whose article only a browser would show (`needs_javascript`)."""
    html = decode_page(body, encoding)
    result = extract_article(html, url, now, crawled_at)
    if isinstance(result, NotAnArticle) and (shell := app_shell(html)) is not None:
        # Not a page without an article: a page whose article only a browser would show.
        raise BadPage(NEEDS_JAVASCRIPT, shell.detail)
    return result


def is_text_fallback(article: Article) -> bool:
    """True when neither title nor date came from page metadata (the site may have changed)."""
    extraction = article.extraction
    return (extraction.get("title") in TEXT_FALLBACKS
            and extraction.get("published_at") in TEXT_FALLBACKS | {None})

"""Each extractor run the way its documentation shows, reduced to body text, title and date.

Competitors get the decoded page text and the page URL; ours gets the bytes as served, since
that is what the spider hands it. Their import-time warnings are silenced here so tables stay
readable.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import lxml.html

from bench.corpus import FixturePage
from smmnews.extract.article import NotAnArticle
from smmnews.extract.dates import iso
from smmnews.record import build_record


@dataclass(frozen=True)
class Extraction:
    body: str
    title: str | None
    # Ours: the full ISO timestamp; the others: what they give (a date, or a datetime's date).
    published: str | None


Extractor = Callable[[FixturePage], Extraction]


def ours(page: FixturePage) -> Extraction:
    record = build_record(page.body, page.url, page.now, encoding=page.encoding)
    if isinstance(record, NotAnArticle):
        return Extraction("", None, None)
    return Extraction(record.body, record.title, iso(record.published_at))


def trafilatura_extract(page: FixturePage) -> Extraction:
    from trafilatura import bare_extraction

    document = bare_extraction(page.html, url=page.url, with_metadata=True)
    if document is None or isinstance(document, dict):
        return Extraction("", None, None)
    return Extraction(document.text or "", document.title, document.date)


def readability_extract(page: FixturePage) -> Extraction:
    from readability import Document

    document = Document(page.html, url=page.url)
    summary = document.summary()
    # Space-joined so that block boundaries (</p><p>) do not glue two words into one token.
    text = " ".join(lxml.html.fromstring(summary).itertext()) if summary.strip() else ""
    return Extraction(text, document.short_title(), None)


def newspaper_extract(page: FixturePage) -> Extraction:
    from newspaper import Article, Config

    config = Config()
    # With images on, parse() resolves and fetches the page's image hosts: no network here.
    config.fetch_images = False
    article = Article(page.url, config=config)
    article.download(input_html=page.html)
    article.parse()
    published = article.publish_date
    day = published.date() if isinstance(published, datetime) else published
    return Extraction(article.text or "", article.title or None,
                      day.isoformat() if isinstance(day, date) else None)


def available() -> dict[str, Extractor]:
    """Ours first, then every competitor whose package imports (the bench extra may be absent)."""
    found: dict[str, Extractor] = {"ours": ours}
    candidates: dict[str, tuple[str, Extractor]] = {
        "trafilatura": ("trafilatura", trafilatura_extract),
        "readability": ("readability", readability_extract),
        "newspaper4k": ("newspaper", newspaper_extract),
    }
    for name, (module, extractor) in candidates.items():
        with warnings.catch_warnings():
            # newspaper4k warns at import that nltk is missing; its NLP features are not used.
            warnings.simplefilter("ignore")
            try:
                __import__(module)
            except ImportError:
                continue
        found[name] = extractor
    return found

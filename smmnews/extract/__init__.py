"""Pure extraction: HTML text and a URL in, data out. Imports nothing from the crawler."""

from __future__ import annotations

from smmnews.extract.article import NotAnArticle, NotArticle, extract_article
from smmnews.extract.listing import ListingLink, extract_listing_links

__all__ = ["ListingLink", "NotAnArticle", "NotArticle", "extract_article",
           "extract_listing_links"]

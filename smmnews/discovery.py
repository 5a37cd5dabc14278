"""Finding article URLs: robots.txt sitemap lines and sitemap documents (pure functions)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from scrapy.utils.sitemap import Sitemap

from smmnews.extract.dates import parse_iso

_SITEMAP_LINE_RE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
# Sitemaps are XML; anything else served at a sitemap path (an HTML 404 page) is ignored.
_XML_START_RE = re.compile(rb"^\s*(?:<\?xml|<urlset|<sitemapindex)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None
    is_index: bool


def sitemaps_in_robots(text: str) -> list[str]:
    return _SITEMAP_LINE_RE.findall(text)


def sitemap_entries(body: bytes) -> Iterator[SitemapEntry]:
    """Entries of a sitemap or sitemap index (gzip allowed); nothing for non-sitemap bodies."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError):
            return
    if not _XML_START_RE.match(body[:512]):
        return
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml raises several types on broken XML; all mean "skip"
        return
    is_index = sitemap.type == "sitemapindex"
    for entry in sitemap:
        loc = entry.get("loc")
        if loc:
            lastmod = entry.get("lastmod")
            yield SitemapEntry(loc.strip(), parse_iso(lastmod) if lastmod else None, is_index)

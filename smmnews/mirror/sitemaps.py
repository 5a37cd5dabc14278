"""robots.txt and sitemap XML, in the shape news.smm.cn publishes them (docs/site.md,
"Sitemaps and metadata")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

ROBOTS_DISALLOW = ("/search", "/api")
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
# Characters a sitemap may carry unencoded in a path; `%` is kept so encoded slugs stay as linked.
_SAFE = "/%:,;-_.~!$'()*+=@"


def robots_txt(base: str, disallow: Iterable[str] = ROBOTS_DISALLOW) -> bytes:
    rules = "".join(f"Disallow: {path}\n" for path in disallow)
    return f"User-agent: *\n{rules}\nSitemap: {base}/sitemap.xml\n".encode()


def absolute(base: str, path: str) -> str:
    """`base` + `path` with brackets, spaces and non-ASCII percent-encoded."""
    return base + quote(path, safe=_SAFE)


def sitemap_index(locations: Iterable[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>\n" for loc in locations)
    return f"{_XML_HEAD}<sitemapindex {_NS}>\n{entries}</sitemapindex>\n".encode()


def urlset(entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    """A `<urlset>`; `lastmod` is ISO 8601 with the +08:00 offset when given."""
    rows = []
    for loc, lastmod in entries:
        stamp = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        rows.append(f"<url><loc>{escape(loc)}</loc>{stamp}</url>\n")
    return f"{_XML_HEAD}<urlset {_NS}>\n{''.join(rows)}</urlset>\n".encode()

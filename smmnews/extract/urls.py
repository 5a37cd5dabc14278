"""Article ids and URL forms (docs/site.md, "URL forms"): the numeric id is the only stable key."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from smmnews.extract.markers import ARTICLE_PATH_RE, CANONICAL_URL_TEMPLATE


def _unquote_fully(text: str) -> str:
    # Slugs are seen double-encoded ("%2528"); ids are digits, so decoding is safe.
    for _ in range(3):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


# Pages link the same URLs many times (cards repeat each link 2-4 times, menus are on every
# page) and urlsplit/urljoin are pure but costly: verdicts are kept per distinct string,
# bounded so a long crawl's memory stays flat.
URL_CACHE_SIZE = 8192


@lru_cache(maxsize=URL_CACHE_SIZE)
def article_id_from_url(url: str) -> str | None:
    """The numeric article id of any article URL form A-H, or None for other pages."""
    try:
        path = _unquote_fully(urlsplit(url.strip()).path)
    except ValueError:  # "Invalid IPv6 URL" and friends: junk hrefs on broken pages
        return None
    match = ARTICLE_PATH_RE.match(path)
    return match.group("id") if match else None


def canonical_url(article_id: str) -> str:
    return CANONICAL_URL_TEMPLATE.format(id=article_id)


def absolute_url(base: str, href: str | None) -> str | None:
    """Resolve a link against the page URL; None for empty, script and mail links."""
    if not href:
        return None
    return _absolute_url(base, href)


@lru_cache(maxsize=URL_CACHE_SIZE)
def _absolute_url(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
        return None
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def link_base(url: str, base_href: str | None) -> str:
    """What relative links resolve against: the page's <base href> (itself resolved against
    the page URL) when it names an http(s) location, else the page URL."""
    if not base_href:
        return url
    base = _absolute_url(url, base_href)
    return base if base and base.startswith(("http://", "https://")) else url

"""The real article URLs shipped with the package, and URL lists given by the operator."""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import urlsplit, urlunsplit

KNOWN_ARTICLES = "known_articles.txt"
# Hosts of the real site: their URLs are probed as they are; any other base URL (a mirror)
# gets the same paths.
SITE_HOST_SUFFIX = "metal.com"


def read_url_list(text: str) -> list[str]:
    """One URL per line; blank lines and `#` comments skipped."""
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def known_article_urls() -> list[str]:
    text = files("smmnews").joinpath("data", KNOWN_ARTICLES).read_text(encoding="utf-8")
    return read_url_list(text)


def is_site_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == SITE_HOST_SUFFIX or host.endswith("." + SITE_HOST_SUFFIX)


def rebase(url: str, base_url: str) -> str:
    """`url` on `base_url`'s host when that is not the real site (a mirror, a proxy)."""
    if is_site_host(base_url):
        return url
    base, parts = urlsplit(base_url), urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))

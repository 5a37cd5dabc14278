"""What the mirror serves: a site maps a normalised request path to a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

from smmnews.mirror.templates import render_error

# A fault as declared in routes.json or passed to the generator: {"kind": ..., ...}.
Fault = dict[str, Any]

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
XML = "application/xml; charset=utf-8"
JSON = "application/json"


@dataclass(frozen=True)
class Page:
    """A page as the site holds it; the server applies `fault` when it answers."""

    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    fault: Fault | None = None


class Site(Protocol):
    def page(self, key: str, base: str) -> Page:
        """The page at normalised path `key`; `base` is `http://host:port` of the request."""
        ...


def route_key(path: str) -> str:
    """Normalise a request path (or a declared route) so every spelling of a URL matches.

    Scrapy percent-encodes what a page links raw (`[` -> `%5B`, `【` -> `%E3%80%90`) and keeps
    double-encoded slugs such as `%2528` (seen on news.metal.com) as they are, so decode until
    nothing changes; a trailing slash (docs/site.md, "URL forms") is not significant.
    """
    key = path
    while (decoded := unquote(key)) != key:
        key = decoded
    return key.rstrip("/") or "/"


def error_page(status: int) -> Page:
    """A page that answers `status` with a small HTML body."""
    return Page(status=status, body=render_error(status))

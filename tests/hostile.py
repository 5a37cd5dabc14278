"""A generated site with hostile pages laid over it, for fault tests on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Callable

from smmnews.mirror import sitemaps
from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.site import TEXT, XML, Fault, Page

_ENDLESS = re.compile(r"/endless/index-(\d+)\.xml")


class HostileSite:
    """`site`, except for the paths in `pages` (a Page, or a function of the base URL)."""

    def __init__(self, site: GeneratedSite,
                 pages: dict[str, Page | Callable[[str], Page]] | None = None) -> None:
        self.site = site
        self.pages = dict(pages or {})

    def page(self, key: str, base: str) -> Page:
        found = self.pages.get(key)
        if found is not None:
            return found(base) if callable(found) else found
        if match := _ENDLESS.fullmatch(key):
            # Every index links to the next one: an endless chain of sitemap indexes.
            nxt = int(match[1]) + 1
            return Page(body=sitemaps.sitemap_index([f"{base}/endless/index-{nxt}.xml"]),
                        content_type=XML)
        return self.site.page(key, base)

    def fault(self, path: str, fault: Fault) -> None:
        """`fault` on exactly this path (a GeneratedSite fault covers every URL of an id)."""
        self.pages[path] = Page(body=self.site.page(path, "").body, fault=fault)

    def robots(self, disallow: list[str], sitemaps_extra: list[str] | None = None) -> None:
        def robots_txt(base: str) -> Page:
            body = sitemaps.robots_txt(base, disallow).decode()
            body += "".join(f"Sitemap: {base}{path}\n" for path in sitemaps_extra or [])
            return Page(body=body.encode(), content_type=TEXT)
        self.pages["/robots.txt"] = robots_txt

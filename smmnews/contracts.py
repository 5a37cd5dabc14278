"""`scrapy check` contracts that work against any copy of the site (a mirror, the sample site).

Scrapy's `@url` takes an absolute URL, which would pin the checks to news.metal.com (unreachable
from CI). `@site path` resolves the path against the crawl's base URL (`SMMNEWS_BASE_URL`), so
`scrapy check smm_news -s SMMNEWS_BASE_URL=http://127.0.0.1:PORT/` checks the callbacks on a
local copy of the site.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from scrapy.contracts import Contract


class SiteContract(Contract):
    """@site path: the sample request's URL, relative to the spider's base URL."""

    name = "site"

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)  # callbacks are bound to the spider

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        base = self.spider.options.base_url if self.spider is not None else ""
        args["url"] = urljoin(base, self.args[0])
        return args

"""Skip article requests for ids the state store already holds.

The spider checks the store before it schedules a request, but a resumed JOBDIR crawl replays
requests from its disk queue that were scheduled before the crash, and two discoveries of one
id can both be queued before the first is fetched. This last check, just before download,
keeps every article to one fetch per run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from smmnews.runtime import RunContext, context_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


KNOWN_ARTICLE = "known article"


class KnownArticlesMiddleware:
    def __init__(self, context: RunContext) -> None:
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticlesMiddleware:
        return cls(context_for(crawler))

    def process_request(self, request: Request) -> None:
        article_id = request.meta.get("article_id")
        if (article_id and not request.meta.get("refetch")
                and self.context.state.get(article_id) is not None):
            raise IgnoreRequest(f"{KNOWN_ARTICLE} {article_id}")

"""Components that fail on purpose, loaded into real crawls by the fault tests (`-s`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

# Every article id ending in this digit makes the components below raise.
FAILING_SUFFIX = "7"


class RaisingPipeline:
    def process_item(self, item: Any) -> Any:
        article_id = str(getattr(item, "article_id", ""))
        if article_id.endswith(FAILING_SUFFIX):
            raise RuntimeError(f"pipeline bug on article {article_id}")
        return item


class RaisingSpiderMiddleware:
    async def process_spider_output(self, response: Any, result: AsyncIterator[Any]
                                    ) -> AsyncIterator[Any]:
        async for entry in result:
            if str(getattr(entry, "article_id", "")).endswith(FAILING_SUFFIX):
                raise RuntimeError(f"callback bug on {response.url}")
            yield entry

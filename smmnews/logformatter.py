"""Log lines for items that fit a scheduled job's log: one line per dropped or failed record,
naming the article and its page, never the whole record.

Scrapy's own formatter appends the item's repr to every "Dropped:" line: a refresh run over
400 unchanged articles wrote 2 MB of log. The reasons a record is dropped are routine (unchanged
since the last run, a repeat within the run) or already written down elsewhere (an invalid record
goes to the rejects file, a state failure has its own ERROR line), so they are INFO lines unless
the exception says otherwise.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure


def what_of(item: Any) -> str:
    """`article <id>` for our records, `item` for anything else."""
    article_id = getattr(item, "article_id", None)
    return f"article {article_id}" if article_id else "item"


def page_of(item: Any) -> str:
    """The record's page URL; the type name for anything else (the reasons name the id)."""
    url = getattr(item, "url", None)
    return str(url) if url else type(item).__name__


class RecordLogFormatter(LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        level = getattr(exception, "log_level", None) or logging.INFO
        if isinstance(level, str):
            level = logging.getLevelName(level)
        return {"level": level, "msg": "Dropped: %(exception)s: %(page)s",
                "args": {"exception": exception, "page": page_of(item)}}

    def item_error(self, item: Any, exception: BaseException,
                   response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Error processing %(what)s: %(page)s",
                "args": {"what": what_of(item), "page": page_of(item)}}

    def scraped(self, item: Any, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Scraped %(what)s: %(page)s",
                "args": {"what": what_of(item), "page": page_of(item)}}

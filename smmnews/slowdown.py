"""A site that answers 429 Too Many Requests or 503 with `Retry-After` is asking us to wait:
the download slot of that site waits as long before its next request (the retry included),
capped by SMMNEWS_RETRY_AFTER_MAX, and goes back to its usual pace once the site answers again.

Scrapy's RetryMiddleware retries at once and AutoThrottle only follows latency, so without this
the retries of a rate-limited crawl arrive inside the very window the site asked us to keep
free, and use up their attempts there.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from smmnews import stats as keys

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

SLOWDOWN_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None when
    absent or unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - now).total_seconds(), 0.0)


@dataclass(frozen=True, slots=True)
class Pace:
    """A slot's pace before a site asked it to wait, and the wait (until: time.monotonic())."""

    delay: float
    randomize: bool
    wait: float
    until: float


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler, maximum: float) -> None:
        self.crawler = crawler
        self.maximum = maximum
        self.paces: dict[str, Pace] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        maximum = crawler.settings.getfloat("SMMNEWS_RETRY_AFTER_MAX")
        if maximum <= 0:
            raise NotConfigured  # off when set to 0; silent (a message would log a warning)
        return cls(crawler, maximum)

    def process_response(self, request: Request, response: Response) -> Response:
        engine = self.crawler.engine
        slot_key = str(request.meta.get("download_slot"))
        slot = engine.downloader.slots.get(slot_key) if engine is not None else None
        if slot is None:
            return response
        if response.status not in SLOWDOWN_STATUSES:
            pace = self.paces.get(slot_key)
            if pace is None:
                return response
            if time.monotonic() < pace.until:
                # An answer to a request sent before the wait began: AutoThrottle has just
                # shortened the delay for it; the site's wait still holds.
                slot.delay = max(slot.delay, pace.wait)
            else:
                # The wait is over and the site answers again: back to the pace before it.
                slot.delay, slot.randomize_delay = pace.delay, pace.randomize
                del self.paces[slot_key]
                logger.info("%s answers again: back to its usual pace", slot_key)
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"), datetime.now(UTC))
        if asked is None:
            return response
        wait = min(asked, self.maximum)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(keys.SLOWED_DOWN)
        if slot.delay >= wait:
            return response
        before = self.paces.get(slot_key)
        self.paces[slot_key] = Pace(before.delay if before else slot.delay,
                                    before.randomize if before else slot.randomize_delay,
                                    wait, time.monotonic() + wait)
        # The asked wait is a minimum: not randomised down to half of it.
        slot.delay, slot.randomize_delay = wait, False
        logger.warning("%s answered %d with Retry-After %.0f s: waiting %.0f s before the next "
                       "request to it", slot_key, response.status, asked, wait)
        return response

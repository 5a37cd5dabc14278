"""`max_items`: exactly that many records when the site has them.

Capping the requests at `max_items` writes fewer records whenever one of them fails or is not an
article, so requests over the cap are held back instead of dropped, and one is released each time
an admitted request ends without a record (a failed fetch, a non-article, a dropped item).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from scrapy import Request

# Requests kept in reserve per unit of the budget: enough to replace every failure of a run in
# which most pages fail, without holding a whole listing in memory.
HELD_BACK_PER_ITEM = 4


class ItemBudget:
    """Admits article requests while `records + in flight < limit`; `None` limit admits all."""

    def __init__(self, limit: int | None, on_hold: Callable[[], None]) -> None:
        self.limit = limit
        self.on_hold = on_hold
        self.in_flight = 0
        self.records = 0
        self.held: deque[Request] = deque()

    def full(self) -> bool:
        return self.limit is not None and self.records + self.in_flight >= self.limit

    def admit(self, request: Request) -> bool:
        """True when the request may be scheduled now; else it is held back (or dropped when
        the reserve is full) and `on_hold` is called."""
        if not self.full():
            self.in_flight += 1
            return True
        assert self.limit is not None
        if len(self.held) < self.limit * HELD_BACK_PER_ITEM:
            self.held.append(request)
        self.on_hold()
        return False

    def finished(self, *, record: bool) -> None:
        """An admitted request ended, with or without a record."""
        self.in_flight -= 1
        self.records += record

    def record_dropped(self) -> None:
        """A record counted by `finished` was dropped by a pipeline after all."""
        self.records -= 1

    def release(self) -> list[Request]:
        """Held-back requests that now fit the budget."""
        released = []
        while self.held and not self.full():
            self.in_flight += 1
            released.append(self.held.popleft())
        return released

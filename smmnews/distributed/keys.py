"""Names of the Redis keys of one crawl, and the worker id that marks a worker's leases.

Keys are `<SMMNEWS_REDIS_PREFIX>:<spider>:...`, so one Redis can hold several projects or
test runs side by side (a separate database number works as well).
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from dataclasses import dataclass
from typing import Any

DEFAULT_PREFIX = "smmnews"


@dataclass(frozen=True, slots=True)
class CrawlKeys:
    requests: str  # sorted set: the shared frontier (scrapy-redis PriorityQueue)
    dupefilter: str  # set: fingerprints of every request scheduled in this crawl
    inflight: str  # hash: request -> "<worker> <score>" while a worker holds it
    workers: str  # prefix of one key per live worker, kept alive by its heartbeat
    found: str  # counter: articles the workers of this crawl found (new, changed or known)

    def worker(self, worker_id: str) -> str:
        return self.workers + worker_id


def crawl_keys(settings: Any, spider_name: str) -> CrawlKeys:
    base = f"{settings.get('SMMNEWS_REDIS_PREFIX') or DEFAULT_PREFIX}:{spider_name}"
    return CrawlKeys(f"{base}:requests", f"{base}:dupefilter", f"{base}:inflight",
                     f"{base}:worker:", f"{base}:found")


def state_prefix(settings: Any) -> str:
    return f"{settings.get('SMMNEWS_REDIS_PREFIX') or DEFAULT_PREFIX}:state"


def text_of(value: bytes | str) -> str:
    """A key or member as Redis returns it (bytes unless the client decodes), as text."""
    return value.decode() if isinstance(value, bytes) else value


def new_worker_id() -> str:
    """host-pid-random: unique per process, readable in `redis-cli`, and without spaces (a lease
    stores "<worker> <score>")."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"

"""What a lost or unusable Redis means for a worker, in a user's words.

Redis is every worker's frontier and state: when it goes away mid-crawl the worker cannot go on
correctly, so it stops with one `Crawl failure (redis)` line (exit 1) instead of a traceback
per request and an engine that never finishes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.exceptions import RedisError

# Everything redis-py raises: connection loss, timeouts, authentication, server errors
# (OOM, read-only replica, WRONGTYPE on a key another program overwrote).
REDIS_ERRORS = (RedisError,)
DEFAULT_URL = "redis://127.0.0.1:6379"
REMEDY = "start Redis (or fix REDIS_URL / SMMNEWS_REDIS_URL) and run the same command again"


def shown_url(url: str) -> str:
    """The Redis URL without its password, for log lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def redis_url(settings: Any) -> str:
    return shown_url(str(settings.get("REDIS_URL") or DEFAULT_URL))


def cause(exc: BaseException) -> str:
    """The error in one line, without redis-py's trailing full stop."""
    text = " ".join(str(exc).split()).rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

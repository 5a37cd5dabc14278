"""Whether the Redis of a distributed crawl can be used, checked before the crawl starts.

An unreachable server, a wrong password, or another program's data under our keys is then one
`Crawl refused:` line (exit 1) instead of a traceback from inside Scrapy's engine start.
"""

from __future__ import annotations

from typing import Any

from scrapy_redis.connection import get_redis_from_settings

from smmnews.distributed.errors import REDIS_ERRORS, REMEDY, cause, redis_url
from smmnews.distributed.keys import crawl_keys, state_prefix, text_of
from smmnews.distributed.state import entry_problem

# A few state entries are read back at start: enough to catch foreign data, cheap on millions.
SAMPLE = 20


def expected_types(settings: Any, spider_name: str) -> dict[str, str]:
    """Our keys and the Redis type each holds (a key that does not exist yet is fine)."""
    keys = crawl_keys(settings, spider_name)
    state = state_prefix(settings)
    return {keys.requests: "zset", keys.dupefilter: "set", keys.inflight: "hash",
            keys.found: "string", f"{state}:articles": "hash", f"{state}:outputs": "set"}


def redis_problem(settings: Any, spider_name: str) -> str | None:
    """Why this crawl's Redis cannot be used, or None."""
    url = redis_url(settings)
    server = get_redis_from_settings(settings)
    try:
        server.ping()
        for key, kind in expected_types(settings, spider_name).items():
            found = text_of(server.type(key))
            if found not in ("none", kind):
                return (f"Redis {url}: key {key} holds a {found}, not the {kind} smmnews keeps "
                        "there (another program's data?); delete it or choose another "
                        "SMMNEWS_REDIS_PREFIX")
        articles = f"{state_prefix(settings)}:articles"
        _, sample = server.hscan(articles, count=SAMPLE)
        for article_id, raw in list(sample.items())[:SAMPLE]:
            if (problem := entry_problem(raw)) is not None:
                return (f"state store {url} {articles}: entry {text_of(article_id)} is corrupted "
                        f"({problem}); restore the Redis data from a backup, or delete the key "
                        "to start afresh (every article is then fetched and emitted again)")
    except REDIS_ERRORS as exc:
        return f"cannot use Redis at {url} ({cause(exc)}); {REMEDY}"
    finally:
        server.close()
    return None

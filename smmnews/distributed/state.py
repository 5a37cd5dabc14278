"""The incremental state in Redis, shared by every worker: the StateStore of smmnews.state.

Layout under `<prefix>:state:` —
- `articles`: one hash, article id -> JSON {content_hash, revision, seen_at, status, output,
  previous}; `previous` is the last committed version, kept for rollback as in the SQLite store;
- `pending:<output>`: the ids pending in that output (an index; the hash is the truth);
- `outputs`: the outputs that have a pending set.
Every change to an article is one Lua script, so workers updating the same hash at once never
interleave. Scripts name the per-output keys themselves: one Redis server, not Redis Cluster.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from scrapy_redis.connection import get_redis_from_settings

from smmnews.distributed.errors import REDIS_ERRORS, REMEDY, cause, redis_url
from smmnews.distributed.keys import state_prefix, text_of
from smmnews.state import PENDING, Known, StateError

P = ParamSpec("P")
R = TypeVar("R")

BATCH = 500

# KEYS: articles, pending set of the output, outputs. ARGV: id, hash, revision, seen_at, output.
_PUT = """
local old, previous = redis.call('HGET', KEYS[1], ARGV[1]), cjson.null
if old then
  local e = cjson.decode(old)
  if e.status == 'committed' then
    previous = {content_hash = e.content_hash, revision = e.revision, seen_at = e.seen_at,
                output = e.output}
  else
    previous = e.previous
  end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({content_hash = ARGV[2],
  revision = tonumber(ARGV[3]), seen_at = ARGV[4], status = 'pending', output = ARGV[5],
  previous = previous}))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[5])
"""

# KEYS: articles, pending set of the output, outputs. ARGV: output, mode, ids...
# mode 'commit': pending -> committed. mode 'forget': back to `previous`, or gone if none.
_SETTLE = """
local done = 0
for i = 3, #ARGV do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw then
    local e = cjson.decode(raw)
    if e.status == 'pending' and e.output == ARGV[1] then
      done = done + 1
      if ARGV[2] == 'commit' then
        e.status = 'committed'
        redis.call('HSET', KEYS[1], ARGV[i], cjson.encode(e))
      elseif e.previous ~= cjson.null and e.previous ~= nil then
        local p = e.previous
        redis.call('HSET', KEYS[1], ARGV[i], cjson.encode({content_hash = p.content_hash,
          revision = p.revision, seen_at = p.seen_at, status = 'committed', output = p.output,
          previous = cjson.null}))
      else
        redis.call('HDEL', KEYS[1], ARGV[i])
      end
    end
  end
  redis.call('SREM', KEYS[2], ARGV[i])
end
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end
return done
"""


def _known(article_id: str, raw: bytes | str) -> Known:
    entry = json.loads(raw)
    return Known(article_id, entry["content_hash"], int(entry["revision"]),
                 datetime.fromisoformat(entry["seen_at"]), entry["status"],
                 entry["output"] or None)


def entry_problem(raw: bytes | str) -> str | None:
    """What is wrong with a stored entry, or None when it reads as a Known."""
    try:
        _known("x", raw)
    except (ValueError, KeyError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


def guarded(method: Callable[Concatenate[RedisStateStore, P], R]
            ) -> Callable[Concatenate[RedisStateStore, P], R]:
    """A Redis error is a StateError, as a SQLite one is: the callers (pipelines, feed commit,
    recovery) already turn that into one failure line and a stopped crawl."""
    @functools.wraps(method)
    def call(self: RedisStateStore, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except REDIS_ERRORS as exc:
            raise StateError(self.where, f"Redis failed ({cause(exc)})", REMEDY) from None
    return call


class RedisStateStore:
    def __init__(self, server: Any, prefix: str, *, url: str = "Redis") -> None:
        self.where = f"{url} {prefix}"
        self.db = server
        self.articles = f"{prefix}:articles"
        self.outputs = f"{prefix}:outputs"
        self.pending_prefix = f"{prefix}:pending:"
        self._put = server.register_script(_PUT)
        self._settle = server.register_script(_SETTLE)
        # Ids whose pending entry forget_pending dropped without a previous version to restore:
        # their record never reached the output. The distributed scheduler asks for them again.
        self.forgotten: set[str] = set()

    def _keys(self, output: str) -> list[str]:
        return [self.articles, self.pending_prefix + output, self.outputs]

    @guarded
    def get(self, article_id: str) -> Known | None:
        raw = self.db.hget(self.articles, article_id)
        return _known(article_id, raw) if raw is not None else None

    @guarded
    def put(self, article_id: str, content_hash: str, revision: int, output: str | None) -> None:
        seen_at = datetime.now(UTC).isoformat()
        self._put(keys=self._keys(output or ""),
                  args=[article_id, content_hash, revision, seen_at, output or ""])

    def _pending_ids(self, output: str) -> Iterator[list[str]]:
        batch: list[str] = []
        for member in self.db.sscan_iter(self.pending_prefix + output, count=BATCH):
            batch.append(text_of(member))
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    @guarded
    def pending(self) -> list[Known]:
        found: list[Known] = []
        for output in sorted(text_of(o) for o in self.db.smembers(self.outputs)):
            for ids in self._pending_ids(output):
                for article_id, raw in zip(ids, self.db.hmget(self.articles, ids), strict=True):
                    if raw is None:
                        continue
                    known = _known(article_id, raw)
                    if known.status == PENDING and (known.output or "") == output:
                        found.append(known)
        return found

    def _settle_all(self, output: str, mode: str, ids: list[str]) -> int:
        done = 0
        for start in range(0, len(ids), BATCH):
            done += int(self._settle(keys=self._keys(output),
                                     args=[output, mode, *ids[start:start + BATCH]]))
        return done

    @guarded
    def commit(self, output: str, ids: set[str] | None = None) -> int:
        chosen = [i for batch in self._pending_ids(output) for i in batch
                  if ids is None or i in ids]
        return self._settle_all(output, "commit", chosen)

    @guarded
    def forget_pending(self, output: str, keep: set[str]) -> int:
        dropped = [i for batch in self._pending_ids(output) for i in batch if i not in keep]
        done = self._settle_all(output, "forget", dropped)
        self.forgotten.update(i for i in dropped if self.get(i) is None)
        return done

    @guarded
    def count(self) -> int:
        return int(self.db.hlen(self.articles))

    def close(self) -> None:
        # Closing a connection to a server that is gone: nothing to release.
        with contextlib.suppress(*REDIS_ERRORS):
            self.db.close()


def redis_state(settings: Any) -> RedisStateStore:
    """Factory for SMMNEWS_STATE_FACTORY: the Redis of REDIS_URL (as the scheduler uses)."""
    return RedisStateStore(get_redis_from_settings(settings), state_prefix(settings),
                           url=redis_url(settings))

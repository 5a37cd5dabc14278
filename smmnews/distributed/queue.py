"""The shared frontier: scrapy-redis's priority queue, where taking a request is a lease.

scrapy-redis pops a request destructively: once a worker has taken it, Redis forgets it, so a
worker killed with requests in progress loses them for good (their fingerprints are already in
the shared dupefilter, so nobody schedules them again). Here the pop moves the request, in one
Lua script, from the queue into an in-flight hash under the worker's id; the worker drops the
lease once Scrapy has finished the request (callback run, items exported, new requests queued).
Leases of a worker whose heartbeat key has expired go back into the queue.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

# Only a lease this worker still holds is touched: a worker stalled past its time-to-live may
# find its request requeued and leased by another worker meanwhile (same encoded request).
_SETTLE_OWN = """
local function settle(queue, inflight, worker, mode, data)
  local lease = redis.call('HGET', inflight, data)
  if not lease or string.sub(lease, 1, #worker + 1) ~= worker .. ' ' then return 0 end
  if mode == 'requeue' then redis.call('ZADD', queue, string.sub(lease, #worker + 2), data) end
  redis.call('HDEL', inflight, data)
  return 1
end
"""

# KEYS: queue, in-flight hash. ARGV: worker id, then leases to drop (finished requests).
_POP = _SETTLE_OWN + """
for i = 2, #ARGV do settle(KEYS[1], KEYS[2], ARGV[1], 'drop', ARGV[i]) end
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], top[1], ARGV[1] .. ' ' .. top[2])
return top[1]
"""

# KEYS: queue, in-flight hash. ARGV: worker id, 'drop' or 'requeue', leases.
_SETTLE = _SETTLE_OWN + """
local done = 0
for i = 3, #ARGV do done = done + settle(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[i]) end
return done
"""

# KEYS: queue, in-flight hash. ARGV: prefix of the worker heartbeat keys.
# Atomic, so two workers recovering at once cannot both requeue one lease, nor requeue a lease
# that a live worker took after the first one recovered it.
_RECOVER = """
local moved, alive = 0, {}
local leases = redis.call('HGETALL', KEYS[2])
for i = 1, #leases, 2 do
  local data, lease = leases[i], leases[i + 1]
  local sep = string.find(lease, ' ', 1, true)
  local worker, score = string.sub(lease, 1, sep - 1), string.sub(lease, sep + 1)
  if alive[worker] == nil then
    alive[worker] = redis.call('EXISTS', ARGV[1] .. worker) == 1
  end
  if not alive[worker] then
    redis.call('ZADD', KEYS[1], score, data)
    redis.call('HDEL', KEYS[2], data)
    moved = moved + 1
  end
end
return moved
"""

# KEYS: queue, in-flight hash, dupefilter. The crawl is over when nothing is queued and nobody
# holds a lease; its fingerprints then go, so the next scheduled run discovers afresh (the
# state store, not the dupefilter, is what keeps known articles from being fetched again).
_FINISH = """
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  return 1
end
return 0
"""


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis's PriorityQueue (push, length, JSON encoding) with leased pops."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None, *,
                 inflight_key: str, workers_key: str, worker_id: str) -> None:
        super().__init__(server, spider, key, serializer)
        self.inflight_key = inflight_key
        self.workers_key = workers_key
        self.worker_id = worker_id
        # Encoded request -> the Request object handed to the engine, while leased.
        self.leases: dict[bytes, Request] = {}
        self._pop = server.register_script(_POP)
        self._settle = server.register_script(_SETTLE)
        self._recover = server.register_script(_RECOVER)
        self._finish = server.register_script(_FINISH)

    def pop(self, timeout: int = 0, *, done: list[bytes] | None = None) -> Request | None:
        """Lease the best request (and drop the leases in `done` in the same round trip).

        `timeout` is the scrapy-redis signature; a blocking pop would stall the reactor."""
        for data in done or ():
            self.leases.pop(data, None)
        data = self._pop(keys=[self.key, self.inflight_key],
                         args=[self.worker_id, *(done or ())])
        if data is None:
            return None
        request: Request = self._decode_request(data)
        self.leases[data] = request
        return request

    def release(self, leases: list[bytes]) -> None:
        """Drop the leases of finished requests."""
        self._settle_own("drop", leases)

    def requeue_own(self) -> int:
        """Put this worker's leases back in the queue (closing before they were processed)."""
        return self._settle_own("requeue", list(self.leases))

    def _settle_own(self, mode: str, leases: list[bytes]) -> int:
        for data in leases:
            self.leases.pop(data, None)
        if not leases:
            return 0
        return int(self._settle(keys=[self.key, self.inflight_key],
                                args=[self.worker_id, mode, *leases]))

    def recover_dead(self) -> int:
        """Requeue the leases of workers whose heartbeat expired; returns how many."""
        return int(self._recover(keys=[self.key, self.inflight_key], args=[self.workers_key]))

    def in_flight(self) -> int:
        return int(self.server.hlen(self.inflight_key))

    def finish_if_drained(self, dupefilter_key: str) -> bool:
        return bool(self._finish(keys=[self.key, self.inflight_key, dupefilter_key]))

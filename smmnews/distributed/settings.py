"""Settings of a distributed worker: smmnews.settings with the frontier and state in Redis.

    SMMNEWS_REDIS_URL=redis://10.0.0.5:6379/0 SCRAPY_SETTINGS_MODULE=smmnews.distributed.settings \
        scrapy crawl smm_news -O worker-1.jsonl

(or `SCRAPY_PROJECT=distributed`, the scrapy.cfg entry for this module). The same switch as
`-s` flags on the default settings is listed in the README ("Many workers, one crawl").
"""

from __future__ import annotations

import os

from smmnews.settings import *  # noqa: F403  (a worker is the normal crawler plus the below)

# scrapy-redis's scheduler and dupefilter, adapted (see each module for what and why).
SCHEDULER = "smmnews.distributed.scheduler.RedisScheduler"
DUPEFILTER_CLASS = "smmnews.distributed.dupefilter.RedisDupeFilter"
# Known articles are known to every worker.
SMMNEWS_STATE_FACTORY = "smmnews.distributed.state.redis_state"
# Another output's unfinished `.part` is a live worker's file here, not an orphan to salvage.
SMMNEWS_SALVAGE_ORPHANS = False

REDIS_URL = os.environ.get("SMMNEWS_REDIS_URL", "redis://127.0.0.1:6379/0")
# Keys are <prefix>:<spider>:requests|dupefilter|inflight|worker:<id> and <prefix>:state:*.
SMMNEWS_REDIS_PREFIX = "smmnews"
# Seconds between a worker's heartbeats; one silent for three is taken for dead and its
# requests in progress go back to the queue.
SMMNEWS_REDIS_HEARTBEAT = 10.0

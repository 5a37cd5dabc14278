"""The Redis scheduler: scrapy-redis's Scheduler, adapted to Scrapy 2.19 and to dying workers.

What differs from scrapy_redis.scheduler.Scheduler 0.9.1, and why:
- built in `from_crawler` only: its `from_settings` builds the dupefilter from settings, which
  cannot reach the crawler's request fingerprinter (see dupefilter.py);
- stats are counted without the `spider=` argument, deprecated since Scrapy 2.13 (scrapy-redis
  passes it on every enqueue and dequeue);
- requests are JSON (serializer.py), never pickle, whatever SCHEDULER_SERIALIZER says;
- a request taken from the queue is leased, not removed (queue.py), and this worker's heartbeat
  key says the lease holder is alive (presence.py);
- the frontier always outlives a worker (scrapy-redis clears it on close unless
  SCHEDULER_PERSIST); it is cleared only when the whole crawl is finished;
- Redis lost mid-crawl is one `Crawl failure (redis)` line and a closing spider (errors.py),
  not an exception on every engine loop and a crawl that never ends.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from scrapy import Request, signals
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.scheduler import Scheduler

from smmnews.distributed.errors import REDIS_ERRORS, REMEDY, cause, redis_url
from smmnews.distributed.keys import CrawlKeys, crawl_keys, new_worker_id
from smmnews.distributed.presence import Presence
from smmnews.distributed.queue import LeasedPriorityQueue
from smmnews.feeds import output_path
from smmnews.runtime import context_for

logger = logging.getLogger(__name__)

JSON_SERIALIZER = "smmnews.distributed.serializer"
T = TypeVar("T")


class RedisScheduler(Scheduler):
    def __init__(self, server: Any, keys: CrawlKeys, dupefilter: Any, *, crawler: Any = None,
                 worker_id: str | None = None, heartbeat: float = 10.0) -> None:
        super().__init__(server, persist=True, queue_key=keys.requests, dupefilter=dupefilter,
                         dupefilter_key=keys.dupefilter,
                         serializer=importlib.import_module(JSON_SERIALIZER))
        self.keys = keys
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.worker_id = worker_id or new_worker_id()
        self.heartbeat = heartbeat
        self.queue: LeasedPriorityQueue
        self.presence: Presence | None = None
        self.url = redis_url(crawler.settings) if crawler is not None else "Redis"
        self.redis_lost = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisScheduler:
        settings = crawler.settings
        server = get_redis_from_settings(settings)
        server.ping()  # fail at start, not at the first request, when Redis is unreachable
        dupefilter = build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler)
        scheduler = cls(server, crawl_keys(settings, crawler.spidercls.name), dupefilter,
                        crawler=crawler,
                        heartbeat=settings.getfloat("SMMNEWS_REDIS_HEARTBEAT", 10.0))
        crawler.signals.connect(scheduler.spider_opened, signal=signals.spider_opened)
        return scheduler

    def lost(self, exc: BaseException) -> None:
        """Redis failed: without its frontier and state this worker cannot go on correctly."""
        self.redis_lost = True
        message = (f"lost Redis at {self.url} ({cause(exc)}): this worker stops; its output "
                   f"keeps what it wrote and its unfinished requests go back to the shared "
                   f"queue; {REMEDY}")
        if self.crawler is None:
            raise exc
        context_for(self.crawler).fail("redis", message, stop=True)

    def _safely(self, call: Callable[[], T], fallback: T) -> T:
        if self.redis_lost:
            return fallback
        try:
            return call()
        except REDIS_ERRORS as exc:
            self.lost(exc)
            return fallback

    def open(self, spider: Any) -> None:
        self._safely(lambda: self._open(spider), None)

    def _open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = LeasedPriorityQueue(
            self.server, spider, self.keys.requests, self.serializer,
            inflight_key=self.keys.inflight, workers_key=self.keys.workers,
            worker_id=self.worker_id)
        self.presence = Presence(self.server, self.keys, self.queue, self.worker_id,
                                 self.heartbeat, self.stats, self._outputs(), lost=self.lost)
        self.presence.claim_outputs()
        self.presence.start_tally()
        self.presence.beat()
        if self.crawler is not None:
            context_for(self.crawler).crawl_found = self.presence.crawl_found
        queued, leased = len(self.queue), self.queue.in_flight()
        logger.info("Worker %s joined the crawl on Redis (%d requests queued, %d in progress)",
                    self.worker_id, queued, leased)
        if self.crawler is not None:
            self.crawler.signals.connect(self.presence.spider_idle, signal=signals.spider_idle)
            self.crawler.signals.connect(self.presence.start, signal=signals.engine_started)

    def close(self, reason: str) -> None:
        self._safely(self._close, None)

    def _close(self) -> None:
        # Called after the engine slot has drained, so whatever is still leased was never
        # processed: back into the queue for the others. Then this worker leaves at once, so
        # nobody waits out its heartbeat.
        self.queue.release(self._finished_leases())
        requeued = self.queue.requeue_own()
        if requeued:
            logger.info("Returned %d unprocessed requests to the shared queue", requeued)
        if self.presence is not None:
            self.presence.leave()

    def enqueue_request(self, request: Request) -> bool:
        return self._safely(lambda: self._enqueue(request), False)

    def _enqueue(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        self._count("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        return self._safely(self._next, None)

    def _next(self) -> Request | None:
        request = self.queue.pop(done=self._finished_leases())
        if request is not None:
            self._count("scheduler/dequeued")
        return request

    def has_pending_requests(self) -> bool:
        return self._safely(lambda: len(self) > 0, False)

    def _outputs(self) -> list[str]:
        """This worker's output files, as feeds.AtomicFileFeedStorage will name them. The
        scheduler opens before the feed storages do, and must check them before
        feeds.reconcile runs; a URI with %(time)s-style parameters cannot be known yet."""
        if self.crawler is None:
            return []
        uris = [str(uri) for uri in self.crawler.settings.getdict("FEEDS")]
        return [str(output_path(uri)) for uri in uris if "%(" not in uri]

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
            self.stats.inc_value(f"{key}/redis")

    def _finished_leases(self) -> list[bytes]:
        """Leases whose request the engine no longer holds: callback done, its items exported
        and its new requests queued (the engine keeps a request in `_slot.inprogress` until
        then; `scrapy.utils.engine.get_engine_status` reads the same set). Without an engine
        (unit tests) nothing is known to be finished."""
        try:
            engine = self.crawler.engine if self.crawler is not None else None
        except RuntimeError:  # Crawler.engine raises before the crawl starts
            engine = None
        inprogress = getattr(getattr(engine, "_slot", None), "inprogress", None)
        if inprogress is None:
            return []
        return [data for data, request in self.queue.leases.items() if request not in inprogress]

    def spider_opened(self, spider: Any) -> None:
        """Ask again for articles whose record a killed run of this worker had counted but not
        written (feeds.reconcile has just dropped them from the state store). Connected after
        RecoveryExtension, so it runs after reconcile; the dupefilter already holds their
        fingerprints from the killed run, hence dont_filter."""
        state = context_for(self.crawler).state
        for article_id in sorted(getattr(state, "forgotten", ())):
            url_for_id = getattr(spider, "url_for_id", None)
            request = spider.article_request(url_for_id(int(article_id))) if url_for_id else None
            if request is not None:
                logger.info("Fetching again article %s: its record never reached the output",
                            article_id)
                self.crawler.engine.crawl(request.replace(dont_filter=True))

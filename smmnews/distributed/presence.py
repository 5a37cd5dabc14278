"""A worker's presence in the shared crawl: its heartbeat, and what it does when it runs dry.

Each worker keeps a key `<prefix>:<spider>:worker:<id>` alive with a time-to-live of three
heartbeats. A worker that is SIGKILLed, loses power or its network stops renewing it; once it
expires, any live worker moves that worker's leases back into the queue (queue.py).

An idle worker does not close while the crawl is still going somewhere else: other workers'
requests in progress can yield new ones, and a dead worker's leases come back only when its key
expires. It stays open (DontCloseSpider, checked again on Scrapy's 5-second engine heartbeat)
until nothing is queued and nobody holds a lease. Then the crawl is finished and the first
worker to notice clears its fingerprints.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DontCloseSpider
from twisted.internet import task

from smmnews import stats as keys
from smmnews.distributed.errors import REDIS_ERRORS
from smmnews.distributed.keys import CrawlKeys, text_of
from smmnews.distributed.queue import LeasedPriorityQueue
from smmnews.monitors import articles_found

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector


logger = logging.getLogger(__name__)
# Beats a worker may miss (a long GC pause, a slow page parse) before it is taken for dead.
MISSED_BEATS = 3
WAITING_LOG_INTERVAL = 60.0


def machine_identity() -> str:
    """This boot of this machine and this PID namespace: two workers that share it see each
    other's processes, so a pid that is not running there is a worker that is gone (a container
    or another machine with the same host name has another identity)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = Path("/proc/self/ns/pid").stat().st_ino
    except OSError:
        return ""  # not Linux: never judged gone, its heartbeat expires as before
    return f"{boot}:{namespace}"


MACHINE = machine_identity()


def gone(info: dict[str, Any]) -> bool:
    """Whether the worker of a heartbeat ran on this machine and its process has ended."""
    pid = info.get("pid")
    if not MACHINE or info.get("machine") != MACHINE or not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, owned by another user
    return False


class OutputInUse(RuntimeError):
    """Another live worker writes the same output file."""


class Presence:
    def __init__(self, server: Any, keys: CrawlKeys, queue: LeasedPriorityQueue,
                 worker_id: str, interval: float, stats: StatsCollector | None = None,
                 outputs: list[str] | None = None,
                 lost: Callable[[BaseException], None] | None = None) -> None:
        self.server = server
        # Told when Redis fails on the timer or at idle, where no caller could catch it.
        self.lost = lost
        self.keys = keys
        self.queue = queue
        self.worker_id = worker_id
        self.interval = interval
        self.stats = stats
        self.outputs = sorted(outputs or [])
        self.loop: task.LoopingCall | None = None
        self.last_waiting_log = 0.0
        self.found_flushed = 0

    @property
    def ttl(self) -> float:
        return self.interval * MISSED_BEATS

    def beat(self) -> None:
        info = {"host": socket.gethostname(), "pid": os.getpid(), "at": time.time(),
                "outputs": self.outputs, "machine": MACHINE}
        self.server.set(self.keys.worker(self.worker_id), json.dumps(info),
                        px=int(self.ttl * 1000))

    def sharing_output(self) -> dict[str, list[str]]:
        """Live workers (id -> outputs) that write one of this worker's outputs."""
        found: dict[str, list[str]] = {}
        for key in self.server.scan_iter(match=self.keys.workers + "*", count=100):
            raw = self.server.get(key)
            name = text_of(key)
            info = json.loads(raw) if raw else {}
            shared = set(info.get("outputs", [])) & set(self.outputs)
            if not shared or name == self.keys.worker(self.worker_id):
                continue
            if gone(info):
                # Killed on this machine a moment ago: no need to wait out its heartbeat. Its
                # leases go back to the queue at the next recovery, as for any dead worker.
                self.server.delete(key)
                logger.info("Worker %s (pid %s on this machine) is gone; its output is free",
                            name.removeprefix(self.keys.workers), info.get("pid"))
                continue
            found[name.removeprefix(self.keys.workers)] = sorted(shared)
        return found

    def claim_outputs(self) -> None:
        """Refuse to start on an output another live worker writes.

        The state store records pending articles by output path, so two workers with one path
        (on one machine or two) would take each other's pending entries for their own; at
        start, feeds.reconcile would then drop the other's as never written. A worker killed a
        moment ago still looks alive until its key expires, so rerunning it at once waits for
        that (at most one time-to-live) instead of failing."""
        deadline = time.monotonic() + self.ttl + self.interval
        waited = False
        while sharing := self.sharing_output():
            if time.monotonic() >= deadline:
                raise OutputInUse(
                    "; ".join(f"worker {w} is writing {', '.join(o)}" for w, o in sharing.items())
                    + ": give every worker its own output file (-O worker-N.jsonl)")
            if not waited:
                logger.warning("Output shared with live worker(s) %s; waiting up to %.0f s for "
                               "them to finish or expire", ", ".join(sharing), self.ttl)
            waited = True
            time.sleep(min(self.interval, 1.0))

    def tick(self) -> None:
        try:
            self.beat()
            self.flush_found()
            self.recover()
        except REDIS_ERRORS as exc:
            self.stop_beating()
            self._lost(exc)

    def _lost(self, exc: BaseException) -> None:
        if self.lost is None:
            raise exc
        self.lost(exc)

    def alone(self) -> bool:
        """No other live worker and nothing queued or leased: this worker starts a new crawl."""
        others = [k for k in self.server.scan_iter(match=self.keys.workers + "*", count=100)
                  if text_of(k) != self.keys.worker(self.worker_id)]
        return not others and len(self.queue) == 0 and self.queue.in_flight() == 0

    def start_tally(self) -> None:
        """A new crawl counts what its workers find from zero."""
        if self.alone():
            self.server.delete(self.keys.found)

    def flush_found(self) -> None:
        """Add what this worker found since the last flush to the crawl's counter (on every
        heartbeat, when idle and when leaving)."""
        if self.stats is None:
            return
        found = articles_found(self.stats.get_stats())
        if found > self.found_flushed:
            self.server.incrby(self.keys.found, found - self.found_flushed)
            self.found_flushed = found

    def crawl_found(self) -> int:
        try:
            self.flush_found()
            return int(self.server.get(self.keys.found) or 0)
        except REDIS_ERRORS:
            # Redis is gone (already a failure of this run): judge on this worker's own.
            return articles_found(self.stats.get_stats()) if self.stats is not None else 0

    def start(self) -> None:
        """Beat and recover on a timer (connected to engine_started: the reactor runs)."""
        if self.loop is None:
            self.loop = task.LoopingCall(self.tick)
            self.loop.start(self.interval, now=False)

    def stop_beating(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def leave(self) -> None:
        self.stop_beating()
        self.flush_found()
        self.server.delete(self.keys.worker(self.worker_id))

    def recover(self) -> int:
        moved = self.queue.recover_dead()
        if moved:
            logger.warning("Requeued %d requests leased by worker(s) that stopped beating",
                           moved)
            if self.stats is not None:
                self.stats.inc_value(keys.REQUEUED_FROM_DEAD, moved)
        return moved

    def spider_idle(self) -> None:
        try:
            self._idle()
        except REDIS_ERRORS as exc:
            self._lost(exc)  # the spider closes: nothing more can be done without Redis

    def _idle(self) -> None:
        # The engine is idle: none of this worker's leased requests is still being processed.
        self.queue.release(list(self.queue.leases))
        self.flush_found()
        if self.recover():
            raise DontCloseSpider
        if self.queue.finish_if_drained(self.keys.dupefilter):
            logger.info("Crawl finished on every worker: nothing queued, nothing in progress")
            return
        now = time.monotonic()
        if now - self.last_waiting_log >= WAITING_LOG_INTERVAL:
            self.last_waiting_log = now
            logger.info("Idle; waiting for %d requests in progress on other workers "
                        "(%d queued)", self.queue.in_flight(), len(self.queue))
        raise DontCloseSpider

"""Timing helpers: run on one core, loop a corpus for a minimum time, keep the best round."""

from __future__ import annotations

import os
import pstats
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psutil

T = TypeVar("T")
# Each round loops the corpus for at least this long; three rounds give >= 3 s per contender.
ROUND_SECONDS = 1.0
ROUNDS = 3


def idlest_core(cores: set[int]) -> int:
    """The allowed core with the least load right now: other jobs on this machine skew figures."""
    load = psutil.cpu_percent(interval=0.3, percpu=True)
    return min(sorted(cores), key=lambda core: load[core] if core < len(load) else 100.0)


@contextmanager
def one_core() -> Iterator[int | None]:
    """Pin this process to its idlest core for the block; yields the core (None: cannot pin).

    The old affinity comes back afterwards, or processes started later (the mirror server of the
    crawl benchmark) would inherit the pin and share the crawler's core.
    """
    if not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    core = idlest_core(before)
    os.sched_setaffinity(0, {core})
    try:
        yield core
    finally:
        os.sched_setaffinity(0, before)


def one_round(work: Callable[[T], object], items: Sequence[T], seconds: float) -> float:
    """Items per second over whole passes of `items`, looping until `seconds` have passed."""
    done, start = 0, time.perf_counter()
    while True:
        for item in items:
            work(item)
        done += len(items)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def best_rate(work: Callable[[T], object], items: Sequence[T], seconds: float = ROUND_SECONDS,
              rounds: int = ROUNDS) -> float:
    """The best of `rounds` rounds: the least disturbed by whatever else the machine runs."""
    for item in items[:1]:
        work(item)  # warm caches and lazy imports outside the timed rounds
    return max(one_round(work, items, seconds) for _ in range(rounds))


def best_rates(contenders: dict[str, Callable[[T], object]], items: Sequence[T],
               seconds: float = ROUND_SECONDS, rounds: int = ROUNDS) -> dict[str, float]:
    """Best round of each contender, the rounds interleaved (A B C, A B C, …) so that a burst
    of load from other jobs on the machine hits every contender alike rather than one."""
    for work in contenders.values():
        for item in items[:1]:
            work(item)
    best = dict.fromkeys(contenders, 0.0)
    for _ in range(rounds):
        for name, work in contenders.items():
            best[name] = max(best[name], one_round(work, items, seconds))
    return best


def per_call_seconds(work: Callable[[T], object], items: Sequence[T],
                     seconds: float = ROUND_SECONDS) -> float:
    return 1.0 / best_rate(work, items, seconds)


def profile_rows(stats: pstats.Stats, limit: int, within: str = "") -> list[dict[str, Any]]:
    """The top `limit` functions by cumulative time (only files whose path contains `within`)."""
    table = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table undocumented
    rows = [{"function": f"{Path(file).name}:{line}({func})", "calls": calls,
             "cumulative_s": round(cumulative, 4)}
            for (file, line, func), (_, calls, _, cumulative, _) in table.items()
            if within in file]
    return sorted(rows, key=lambda r: -r["cumulative_s"])[:limit]

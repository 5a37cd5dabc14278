"""Running crawls for the benchmarks: the mirror server and the crawler, each on its own core.

The mirror runs in its own process (`python -m smmnews.mirror serve --generated N`) pinned to
the last core, the crawler to the first, so the crawler's figures are one core's worth and the
server never competes with it. Figures are read from Scrapy's "Dumping Scrapy stats" log block,
which every Scrapy run prints whatever its extensions do.
"""

from __future__ import annotations

import ast
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CRAWLER_CORE = 0
# Fast as the machine allows: no politeness delays against our own local server.
THROUGHPUT_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
}
_STATS_START = "Dumping Scrapy stats:"
_LOG_LINE_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.M)
# Stats values such as start_time are `datetime.datetime(…, tzinfo=datetime.timezone.utc)`.
_DATETIME_RE = re.compile(r"datetime\.datetime\((?:[^()]|\([^()]*\))*\)")


def settings_args(settings: dict[str, str]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def pin(pid: int, core: int) -> None:
    """Pin a process to one core when the machine has more than one (no-op otherwise)."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(pid, {core})


@dataclass
class Mirror:
    url: str
    process: psutil.Process

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)


@contextmanager
def mirror(n_articles: int) -> Iterator[Mirror]:
    """A generated site of `n_articles` served from its own process on the last core."""
    command = [sys.executable, "-m", "smmnews.mirror", "serve", "--generated", str(n_articles),
               "--port", "0"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pin(server.pid, (os.cpu_count() or 1) - 1)
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"mirror did not start (exit code {server.poll()})")
        yield Mirror(url, psutil.Process(server.pid))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def parse_stats(log: str) -> dict[str, Any]:
    """The stats dict Scrapy logs when the spider closes ({} when the run never got there)."""
    at = log.rfind(_STATS_START)
    if at < 0:
        return {}
    block = log[at + len(_STATS_START):]
    next_line = _LOG_LINE_RE.search(block)
    block = block[: next_line.start()] if next_line else block
    block = _DATETIME_RE.sub(lambda m: repr(m.group()), block)
    try:
        stats = ast.literal_eval(block.strip())
    except (SyntaxError, ValueError):
        return {}
    return stats if isinstance(stats, dict) else {}


@dataclass
class CrawlRun:
    returncode: int
    wall_seconds: float
    # User + system CPU of the crawler: near wall_seconds means it was CPU-bound on its core.
    cpu_seconds: float
    stats: dict[str, Any]
    log_path: Path

    @property
    def pages(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def pages_per_second(self) -> float:
        elapsed = float(self.stats.get("elapsed_time_seconds") or 0.0)
        return self.pages / elapsed if elapsed else 0.0


def run_crawl(command: list[str], cwd: Path, log_path: Path,
              watch: Callable[[psutil.Process], None] | None = None) -> CrawlRun:
    """Run a crawl on the crawler core; `watch` is called with the running process until it ends.

    The log goes to a file, not a pipe: a crawl of 20,000 pages writes more than a pipe holds.
    """
    cpu_before, start = children_cpu_seconds(), time.perf_counter()
    with log_path.open("w") as log:
        crawler = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        pin(crawler.pid, CRAWLER_CORE)
        if watch is not None:
            watch(psutil.Process(crawler.pid))
        crawler.wait()
    wall = time.perf_counter() - start
    return CrawlRun(crawler.returncode, wall, children_cpu_seconds() - cpu_before,
                    parse_stats(log_path.read_text("utf-8", "replace")), log_path)


def children_cpu_seconds() -> float:
    """CPU of the children waited for so far (the mirror, still running, is not among them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ours_command(base_url: str, out: Path, profile: Path | None = None) -> list[str]:
    """`scrapy crawl smm_news …`, under cProfile writing to `profile` when given."""
    scrapy = ([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "scrapy"] if profile
              else [str(BIN / "scrapy")])
    return [*scrapy, "crawl", "smm_news", "-a", f"base_url={base_url}", "-O", str(out),
            "-s", f"SMMNEWS_STATE_PATH={out.with_suffix('.sqlite')}",
            *settings_args(THROUGHPUT_SETTINGS)]


def bare_command(base_url: str) -> list[str]:
    settings = {**THROUGHPUT_SETTINGS, "ROBOTSTXT_OBEY": "True", "TELNETCONSOLE_ENABLED": "False"}
    return [str(BIN / "scrapy"), "runspider", str(ROOT / "bench" / "bare_spider.py"),
            "-a", f"base_url={base_url}", *settings_args(settings)]


def spider_available() -> bool:
    """True when `scrapy list` in the project names smm_news (the spider may not exist yet)."""
    listed = subprocess.run([str(BIN / "scrapy"), "list"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    return listed.returncode == 0 and "smm_news" in listed.stdout.split()

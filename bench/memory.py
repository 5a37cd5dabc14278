"""Peak memory of a long crawl: RSS of the smm_news crawler sampled every 0.5 s.

The crawl's memory should stay flat as it goes (only the request-fingerprint set grows with the
number of articles), with a peak under 300 MB. Progress is read from the growing output file
(the feed writes `<out>.part` and renames it at the end), so RSS is reported at 25/50/75/100 %
of the articles written, and as a slope in MB per 1,000 articles from 25 % to 100 %.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench.crawling import ROOT, mirror, ours_command, run_crawl, spider_available

FULL_ARTICLES = 20_000
QUICK_ARTICLES = 4_000
SAMPLE_SECONDS = 0.5
TARGET_PEAK_MB = 300.0
MB = 1024 * 1024
FRACTIONS = (0.25, 0.5, 0.75, 1.0)


class LineCounter:
    """Lines written so far to a feed that grows as `<out>.part`, then is renamed to `<out>`."""

    def __init__(self, out: Path) -> None:
        self.paths = (out.with_name(out.name + ".part"), out)
        self.offset = 0
        self.lines = 0

    def count(self) -> int:
        for path in self.paths:
            try:
                with path.open("rb") as handle:
                    handle.seek(self.offset)
                    chunk = handle.read()
            except FileNotFoundError:
                continue
            # The rename keeps the bytes, so the offset into `.part` holds for the final file.
            self.offset += len(chunk)
            self.lines += chunk.count(b"\n")
            break
        return self.lines


@dataclass
class Sampler:
    counter: LineCounter
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (s, items, RSS bytes)
    # The kernel's RSS high-water mark (VmHWM), which also sees spikes between two samples.
    high_water: int = 0

    def __call__(self, crawler: psutil.Process) -> None:
        start = time.perf_counter()
        while crawler.is_running() and crawler.status() != psutil.STATUS_ZOMBIE:
            rss = tree_rss(crawler)
            if rss is not None:
                self.samples.append((time.perf_counter() - start, self.counter.count(), rss))
            self.high_water = max(self.high_water, tree_high_water(crawler))
            time.sleep(SAMPLE_SECONDS)


def tree_rss(process: psutil.Process) -> int | None:
    """RSS of a process and its children (None once it has gone)."""
    try:
        members = [process, *process.children(recursive=True)]
        return sum(p.memory_info().rss for p in members)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None


def tree_high_water(process: psutil.Process) -> int:
    """Sum of VmHWM over a process and its children (0 where /proc does not say)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return 0
    for member in members:
        try:
            status = Path(f"/proc/{member.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) * 1024
    return total


def at_fraction(samples: list[tuple[float, int, int]], total: int,
                fraction: float) -> tuple[float, int, int]:
    """The first sample by which `fraction` of the articles were written."""
    return next((s for s in samples if s[1] >= fraction * total), samples[-1])


def summarise(samples: list[tuple[float, int, int]], total: int) -> dict[str, Any]:
    points = {f"{int(f * 100)}%": at_fraction(samples, total, f) for f in FRACTIONS}
    first, last = points["25%"], points["100%"]
    articles = (last[1] - first[1]) / 1000
    slope = (last[2] - first[2]) / MB / articles if articles else None
    peak = max(s[2] for s in samples) / MB
    return {"peak_rss_mb": round(peak, 1),
            "rss_mb_at": {k: {"items": p[1], "seconds": round(p[0], 1),
                              "rss_mb": round(p[2] / MB, 1)} for k, p in points.items()},
            "slope_mb_per_1000_articles": round(slope, 2) if slope is not None else None,
            "peak_target_met": peak < TARGET_PEAK_MB, "samples": len(samples)}


def print_summary(figures: dict[str, Any]) -> None:
    # memusage/max is ru_maxrss, which Linux carries over fork+exec from the launching process:
    # launched from bench/run.py (trafilatura & co. loaded) it reads high. VmHWM starts afresh.
    print(f"  {figures['items']} items in {figures['wall_s']} s (exit {figures['returncode']}); "
          f"Scrapy's memusage/max {figures['scrapy_memusage_max_mb']} MB is not comparable "
          "(ru_maxrss inherits the launcher's peak)")
    print(f"  peak RSS {figures['peak_rss_mb']:.1f} MB sampled, {figures['high_water_mb']:.1f} MB "
          f"kernel high-water mark (target < {TARGET_PEAK_MB:g} MB: "
          f"{'met' if figures['peak_target_met'] else 'MISSED'})")
    for label, point in figures["rss_mb_at"].items():
        print(f"  at {label:>4} ({point['items']:6} items, {point['seconds']:6.1f} s): "
              f"{point['rss_mb']:7.1f} MB")
    slope = figures["slope_mb_per_1000_articles"]
    print(f"  slope 25% -> 100%: {'n/a' if slope is None else f'{slope:.2f}'} MB per 1,000 "
          "articles")


def main(quick: bool = False, n_articles: int | None = None) -> dict[str, Any]:
    n = n_articles or (QUICK_ARTICLES if quick else FULL_ARTICLES)
    print(f"memory of ours crawling a generated site of {n} articles (RSS every "
          f"{SAMPLE_SECONDS:g} s, children included):")
    if not spider_available():
        print("  skipped: `scrapy crawl smm_news` is not available in this checkout")
        return {"articles": n, "skipped": True}
    with tempfile.TemporaryDirectory(prefix="smmnews-bench-memory-") as tmp:
        out = Path(tmp) / "out.jsonl"
        sampler = Sampler(LineCounter(out))
        with mirror(n) as site:
            run = run_crawl(ours_command(site.url, out), ROOT, Path(tmp) / "crawl.log", sampler)
        total = sampler.counter.count()
    if not sampler.samples or not total:
        print(f"  no items written (exit code {run.returncode}); see the crawl log")
        return {"articles": n, "items": total, "returncode": run.returncode}
    figures = {"articles": n, "items": total, "returncode": run.returncode,
               "wall_s": round(run.wall_seconds, 1),
               "scrapy_memusage_max_mb": round(run.stats.get("memusage/max", 0) / MB, 1),
               **summarise(sampler.samples, total)}
    high_water = sampler.high_water / MB
    figures["high_water_mb"] = round(high_water, 1)
    figures["peak_target_met"] = max(figures["peak_rss_mb"], high_water) < TARGET_PEAK_MB
    print_summary(figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES} articles")
    parser.add_argument("--articles", type=int, help="site size (overrides --quick)")
    args = parser.parse_args()
    main(args.quick, args.articles)

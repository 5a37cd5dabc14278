"""Memory over a long id sweep: RSS of `scrapy crawl smm_news -a ids=A-B` against a generated
site whose ids are sparse (most of the sweep answers 404, as on the real site).

A sweep requests each id once, so nothing in the crawler needs to grow with it: no set of
scheduled ids, no fingerprint per request. Progress comes from the crawl's own progress lines
("ids done/total"); RSS is reported at 25/50/75/100 % and as a slope in MB per 100,000 ids.
Full mode sweeps 1,000,000 ids (an hour or more here), quick mode 50,000.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench.crawling import ROOT, mirror, ours_command, run_crawl
from bench.memory import MB, tree_high_water, tree_rss

FULL_IDS = 1_000_000
QUICK_IDS = 50_000
SITE_ARTICLES = 2_000
START_ID = 103_800_000
SAMPLE_SECONDS = 1.0
_DONE_RE = re.compile(r"ids (\d+)/(\d+)")


class SweepSampler:
    """(seconds, ids done, RSS) every second, ids done read from the growing crawl log."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.samples: list[tuple[float, int, int]] = []
        self.high_water = 0

    def done(self) -> int:
        try:
            with self.log.open("rb") as handle:
                handle.seek(max(0, handle.seek(0, 2) - 8000))
                found = _DONE_RE.findall(handle.read().decode("utf-8", "replace"))
        except OSError:
            return 0
        return int(found[-1][0]) if found else 0

    def __call__(self, crawler: psutil.Process) -> None:
        start = time.perf_counter()
        while crawler.is_running() and crawler.status() != psutil.STATUS_ZOMBIE:
            rss = tree_rss(crawler)
            if rss is not None:
                self.samples.append((time.perf_counter() - start, self.done(), rss))
            self.high_water = max(self.high_water, tree_high_water(crawler))
            time.sleep(SAMPLE_SECONDS)


def main(quick: bool = False, n_ids: int | None = None) -> dict[str, Any]:
    n = n_ids or (QUICK_IDS if quick else FULL_IDS)
    print(f"memory of an id sweep over {n:,} ids ({SITE_ARTICLES} articles among them):")
    with tempfile.TemporaryDirectory(prefix="smmnews-bench-sweep-") as tmp:
        out, log = Path(tmp) / "out.jsonl", Path(tmp) / "crawl.log"
        sampler = SweepSampler(log)
        with mirror(SITE_ARTICLES) as site:
            command = [*ours_command(site.url, out), "-a", f"ids={START_ID}-{START_ID + n - 1}",
                       "-s", "SMMNEWS_PROGRESS_INTERVAL=1", "-s", "CONCURRENT_REQUESTS=32",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32"]
            run = run_crawl(command, ROOT, log, sampler)
    samples = [s for s in sampler.samples if s[1]]
    if not samples:
        print(f"  no progress seen (exit {run.returncode})")
        return {"ids": n, "returncode": run.returncode}
    points = {f"{int(f * 100)}%": next((s for s in samples if s[1] >= f * n), samples[-1])
              for f in (0.25, 0.5, 0.75, 1.0)}
    first, last = points["25%"], points["100%"]
    span = (last[1] - first[1]) / 100_000
    slope = (last[2] - first[2]) / MB / span if span else None
    at = {k: {"ids": p[1], "rss_mb": round(p[2] / MB, 1)} for k, p in points.items()}
    figures: dict[str, Any] = {
               "ids": n, "returncode": run.returncode, "wall_s": round(run.wall_seconds, 1),
               "peak_rss_mb": round(max(s[2] for s in samples) / MB, 1),
               "high_water_mb": round(sampler.high_water / MB, 1),
               "rss_mb_at": at,
               "slope_mb_per_100k_ids": round(slope, 2) if slope is not None else None}
    print(f"  {n:,} ids in {figures['wall_s']} s (exit {run.returncode}); peak RSS "
          f"{figures['peak_rss_mb']} MB, high-water {figures['high_water_mb']} MB")
    for label, point in at.items():
        print(f"  at {label:>4} ({point['ids']:>9,} ids): {point['rss_mb']:7.1f} MB")
    print(f"  slope 25% -> 100%: {figures['slope_mb_per_100k_ids']} MB per 100,000 ids")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_IDS:,} ids")
    parser.add_argument("--ids", type=int, help="sweep size (overrides --quick)")
    args = parser.parse_args()
    main(args.quick, args.ids)

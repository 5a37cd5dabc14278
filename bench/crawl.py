"""Crawl throughput: smm_news against a bare Scrapy spider that follows the same links.

Both crawl a generated site served by the mirror from its own process and core; both run with
the same throughput settings on one core. Pages per second is Scrapy's
`downloader/response_count` over its `elapsed_time_seconds`. Target: ours >= 0.7 x bare.
"""

from __future__ import annotations

import argparse
import io
import pstats
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.crawling import (
    ROOT,
    CrawlRun,
    bare_command,
    mirror,
    ours_command,
    run_crawl,
    spider_available,
)
from bench.timing import profile_rows

FULL_ARTICLES = 5000
QUICK_ARTICLES = 1000
PROFILE_ARTICLES = 1000
PROFILE_TOP = 15
TARGET_RATIO = 0.7
# A mirror busy this share of the crawl's time is the bottleneck, not the crawler.
SATURATED_MIRROR = 0.9
LOG_TAIL = 15


def crawl_against_fresh_mirror(name: str, n_articles: int, work: Path) -> dict[str, Any]:
    with mirror(n_articles) as site:
        before = site.cpu_seconds()
        command = (ours_command(site.url, work / f"{name}.jsonl") if name == "ours"
                   else bare_command(site.url))
        # The bare spider runs outside the project folder so no project settings load.
        run: CrawlRun = run_crawl(command, ROOT if name == "ours" else work,
                                  work / f"{name}.log")
        mirror_cpu = site.cpu_seconds() - before
    elapsed = float(run.stats.get("elapsed_time_seconds") or 0.0)
    # The work folder goes away with the run: keep the end of a failed crawl's log to show.
    failed = run.returncode != 0 or not run.stats
    tail = run.log_path.read_text("utf-8", "replace").splitlines()[-LOG_TAIL:] if failed else []
    return {"returncode": run.returncode, "pages": run.pages, "log_tail": tail,
            "items": int(run.stats.get("item_scraped_count", 0)),
            "elapsed_s": round(elapsed, 2), "wall_s": round(run.wall_seconds, 2),
            "pages_per_second": round(run.pages_per_second, 1),
            "crawler_busy_share": round(run.cpu_seconds / run.wall_seconds, 2),
            "mirror_busy_share": round(mirror_cpu / elapsed, 2) if elapsed else None,
            "finish_reason": run.stats.get("finish_reason")}


def share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def print_run(name: str, run: dict[str, Any]) -> None:
    print(f"  {name:5} {run['pages']:6} pages in {run['elapsed_s']:7.2f} s = "
          f"{run['pages_per_second']:7.1f} pages/s  (wall {run['wall_s']:.1f} s, exit "
          f"{run['returncode']}, {run['items']} items, crawler CPU "
          f"{share(run['crawler_busy_share'])} of wall, mirror CPU "
          f"{share(run['mirror_busy_share'])} of elapsed)")
    for line in run["log_tail"]:
        print(f"        | {line}")
    if (run["mirror_busy_share"] or 0) >= SATURATED_MIRROR:
        print(f"        the mirror was busy {run['mirror_busy_share']:.0%} of the time: it, not "
              "the crawler, may be the limit")


def profile_ours(work: Path) -> list[dict[str, Any]]:
    """Our crawl under cProfile: the top project functions by cumulative time."""
    out, profile = work / "profiled.jsonl", work / "crawl.prof"
    with mirror(PROFILE_ARTICLES) as site:
        run_crawl(ours_command(site.url, out, profile), ROOT, work / "profiled.log")
    text = io.StringIO()
    stats = pstats.Stats(str(profile), stream=text).sort_stats("cumulative")
    # Only our code: under Twisted the cumulative leaders are reactor frames that say nothing.
    stats.print_stats(r"/smmnews/", PROFILE_TOP)
    print(f"profile of ours crawling {PROFILE_ARTICLES} articles (target missed), "
          "project functions by cumulative time:")
    print(text.getvalue())
    return profile_rows(stats, PROFILE_TOP, within="/smmnews/")


def main(quick: bool = False, n_articles: int | None = None) -> dict[str, Any]:
    n = n_articles or (QUICK_ARTICLES if quick else FULL_ARTICLES)
    print(f"crawl throughput over a generated site of {n} articles (crawler on one core):")
    figures: dict[str, Any] = {"articles": n}
    with tempfile.TemporaryDirectory(prefix="smmnews-bench-crawl-") as tmp:
        work = Path(tmp)
        figures["bare"] = crawl_against_fresh_mirror("bare", n, work)
        print_run("bare", figures["bare"])
        if not spider_available():
            print("  ours  skipped: `scrapy crawl smm_news` is not available in this checkout")
            return {**figures, "ours": None, "ratio": None, "target_met": None}
        figures["ours"] = crawl_against_fresh_mirror("ours", n, work)
        print_run("ours", figures["ours"])
        bare_rate = figures["bare"]["pages_per_second"]
        ratio = figures["ours"]["pages_per_second"] / bare_rate if bare_rate else None
        met = ratio is not None and ratio >= TARGET_RATIO
        shown = f"{ratio:.2f}" if ratio is not None else "n/a"
        print(f"  ours / bare = {shown} (target >= {TARGET_RATIO}: {'met' if met else 'MISSED'})")
        profile = profile_ours(work) if not met and figures["ours"]["pages"] else []
    return {**figures, "ratio": round(ratio, 3) if ratio else None, "target_met": met,
            "profile_top": profile}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES} articles")
    parser.add_argument("--articles", type=int, help="site size (overrides --quick)")
    args = parser.parse_args()
    main(args.quick, args.articles)

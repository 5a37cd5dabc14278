"""`smmnews demo`: the main job on the bundled sample site, offline, in one command.

Serves `fixtures/site/` on 127.0.0.1 with the mirror server (faults included), runs the real
`scrapy crawl smm_news` over HTTP against it, writes `articles.jsonl` and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SITE = REPO / "fixtures" / "site"
# The sample site's frozen clock (fixtures/site/README.md), so relative times resolve the same.
SAMPLE_NOW = "2026-03-20T12:00:00+08:00"


def add_demo_command(commands: Any) -> None:
    demo = commands.add_parser("demo", help="serve the bundled sample site and crawl it")
    demo.add_argument("--site", type=Path, default=SAMPLE_SITE, help="static site directory")
    demo.add_argument("--output", type=Path, default=Path("articles.jsonl"))
    demo.add_argument("--state", type=Path, default=Path(".smmnews/demo-state.sqlite"),
                      help="state store; removed first so the demo always crawls everything")
    demo.set_defaults(func=run_demo)


# The sample site answers at once; its "slow" page should fail fast, not in 30 s.
DEMO_SETTINGS = {"DOWNLOAD_TIMEOUT": "3", "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0",
                 "LOG_LEVEL": "WARNING"}


def crawl_command(base_url: str, output: Path | None, state: Path, *args: str,
                  settings: dict[str, str] | None = None, overwrite: bool = True,
                  now: str | None = SAMPLE_NOW) -> list[str]:
    """`scrapy crawl smm_news` against a local site: `-O output` (`-o` without overwrite), or
    the scheduled default output when `output` is None."""
    command = [sys.executable, "-m", "scrapy", "crawl", "smm_news", "-a", f"base_url={base_url}"]
    if now is not None:
        command += ["-a", f"now={now}"]
    if output is not None:
        command += ["-O" if overwrite else "-o", str(output.resolve())]
    command += ["-s", f"SMMNEWS_STATE_PATH={state.resolve()}"]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    return [*command, *args]


def deliberate_faults(site: Path) -> int:
    """Pages of a sample site that are broken on purpose (its expected.json), 0 if unknown."""
    expected = site / "expected.json"
    if not expected.is_file():
        return 0
    data = json.loads(expected.read_text("utf-8"))
    return sum(len(data.get(key, ())) for key in ("faults", "not_articles", "robots_disallowed"))


def print_summary(summary: dict[str, Any], seconds: float, output: Path) -> None:
    print(f"\nsmmnews demo: {summary['items']} articles written to {output} "
          f"in {seconds:.1f} s ({summary['pages']} pages fetched)")
    for title, values in (("dropped", summary["dropped"]), ("faults", summary["faults"]),
                          ("skipped", summary["skipped"])):
        if values:
            print(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(values.items())))
    failed = [m for m in summary["monitors"] if not m["ok"]]
    print("  monitors: " + ("all passed" if not failed else
                            "; ".join(f"{m['name']}: {m['message']}" for m in failed)))


def run_demo(args: argparse.Namespace) -> int:
    # Imported here, not above: `smmnews extract` builds this parser and must start fast.
    from smmnews.extensions import summary_path
    from smmnews.mirror.server import MirrorServer
    from smmnews.mirror.static import StaticSite

    for stale in (args.state, args.state.with_name(args.state.name + "-wal")):
        stale.unlink(missing_ok=True)
    started = time.monotonic()
    with MirrorServer(StaticSite(args.site)) as server:
        print(f"smmnews demo: serving {args.site} at {server.url}", flush=True)
        if broken := deliberate_faults(args.site):
            print(f"smmnews demo: {broken} of its pages are broken on purpose (timeouts, resets, "
                  "404/410/500, binary, oversized, a login redirect, non-articles, a page "
                  "robots.txt disallows): the WARNING and ERROR lines about them below are "
                  "expected, and each is counted under faults.", flush=True)
        code = subprocess.call(crawl_command(server.url, args.output, args.state,
                                             settings=DEMO_SETTINGS), cwd=REPO)
    summary_file = summary_path(args.output)
    if not summary_file.exists():
        print(f"smmnews demo: the crawl failed (exit {code}) before writing a summary",
              file=sys.stderr)
        return code or 1
    print_summary(json.loads(summary_file.read_text("utf-8")), time.monotonic() - started,
                  args.output)
    return code

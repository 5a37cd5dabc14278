"""`smmnews probe`: runs the probe spider with the project's settings in a subprocess (its own
reactor and log, smmnews/probe/crawl.py), then prints the report it wrote, as text or as one
JSON object."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smmnews.probe.known import read_url_list
from smmnews.probe.text import render_text

MONITOR_FAILED_EXIT = 3
USAGE_EXIT = 2


def add_probe_command(commands: Any) -> None:
    probe = commands.add_parser(
        "probe", help="first contact with the live site: what discovery and extraction find",
        description="Fetch robots.txt, the sitemap candidates, the listing paths and known "
                    "article pages (politely: robots.txt, AutoThrottle, the project's "
                    "User-Agent) and report what each gave and where each field came from.")
    probe.add_argument("--base-url", help="site root (default: SMMNEWS_BASE_URL, the live site); "
                                          "known article URLs are fetched at their path on it")
    probe.add_argument("--urls", type=Path, help="file of article URLs (one per line, # "
                                                 "comments; - reads stdin) instead of the "
                                                 "shipped known ones")
    probe.add_argument("--json", action="store_true", help="print the report as one JSON object")
    probe.add_argument("--save-fixtures", type=Path, metavar="DIR",
                       help="write fixture drafts (page.html, meta.json, expected.json)")
    probe.add_argument("--now", help="ISO time that relative dates resolve against")
    probe.add_argument("--discovered", type=int, default=3, metavar="N",
                       help="also probe the first N article links discovery finds (default 3)")
    probe.add_argument("--set", "-s", action="append", default=[], metavar="NAME=VALUE",
                       help="a Scrapy/smmnews setting for this probe (repeatable), e.g. "
                            "SMMNEWS_LISTING_ENDPOINTS='[...]'")
    probe.add_argument("--log", type=Path, help="keep the crawl log here")
    probe.set_defaults(func=run_probe)


def probe_command(args: argparse.Namespace, report: Path) -> list[str]:
    command = [sys.executable, "-m", "smmnews.probe.crawl",
               "-a", f"report={report}", "-a", f"discovered={args.discovered}"]
    for name, value in (("base_url", args.base_url), ("urls", args.urls),
                        ("fixtures", args.save_fixtures), ("now", args.now)):
        if value:
            shown = Path(value).resolve() if isinstance(value, Path) else value
            command += ["-a", f"{name}={shown}"]
    for setting in args.set:
        command += ["-s", setting]
    return command


def checked_urls(path: Path) -> list[str]:
    """The URLs of an --urls file (a pipe or `-` too); ValueError names the first bad one."""
    text = sys.stdin.read() if str(path) == "-" else path.read_text("utf-8")
    urls = read_url_list(text)
    bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https")
           or not urlsplit(u).netloc]
    if bad:
        raise ValueError(f"--urls: not an absolute http(s) URL: {bad[0]!r}")
    if not urls:
        raise ValueError(f"--urls: no URL in {path}")
    return urls


def run_probe(args: argparse.Namespace) -> int:
    bad = [s for s in args.set if "=" not in s]
    if bad:
        print(f"smmnews probe: --set wants NAME=VALUE, got {bad[0]!r}", file=sys.stderr)
        return USAGE_EXIT
    with tempfile.TemporaryDirectory(prefix="smmnews-probe-") as tmp:
        if args.urls is not None:
            try:
                urls = checked_urls(args.urls)
            except (OSError, ValueError) as exc:
                print(f"smmnews probe: {exc}", file=sys.stderr)
                return USAGE_EXIT
            # The spider reads a plain file, whatever the operator gave (a pipe, stdin).
            args.urls = Path(tmp) / "urls.txt"
            args.urls.write_text("\n".join(urls) + "\n", encoding="utf-8")
        report_path = Path(tmp) / "report.json"
        log_path = args.log or Path(tmp) / "probe.log"
        # The settings module, not a scrapy.cfg: the probe runs from any directory.
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": os.environ.get(
            "SCRAPY_SETTINGS_MODULE", "smmnews.settings")}
        print("smmnews probe: fetching (robots.txt obeyed, AutoThrottle on); this takes a "
              "minute or two on the live site", file=sys.stderr, flush=True)
        with log_path.open("w", encoding="utf-8") as log:
            code = subprocess.call(probe_command(args, report_path), stdout=log,
                                   stderr=subprocess.STDOUT, env=env)
        if not report_path.exists():
            tail = log_path.read_text("utf-8", "replace").splitlines()[-15:]
            if code != USAGE_EXIT:
                tail.insert(0, f"smmnews probe: the probe crawl failed (exit {code}):")
            print("\n".join(tail), file=sys.stderr)
            return code if code == USAGE_EXIT else 1
        report = json.loads(report_path.read_text("utf-8"))
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(report))
    return 0 if report["monitors"]["ok"] else MONITOR_FAILED_EXIT

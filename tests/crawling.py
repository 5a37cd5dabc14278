"""Running the real `scrapy crawl smm_news` in a subprocess against a local mirror server."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smmnews.demo import SAMPLE_NOW
from smmnews.demo import crawl_command as demo_command
from smmnews.extensions import summary_path

REPO = Path(__file__).resolve().parent.parent
# Fast, deterministic settings for a loopback server; everything else stays production.
TEST_SETTINGS = {
    "DOWNLOAD_TIMEOUT": "2",
    "DOWNLOAD_MAXSIZE": str(10 * 1024 * 1024),
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_TIMES": "2",
    "LOG_LEVEL": "INFO",
    "SMMNEWS_PROGRESS_INTERVAL": "2",
}
SITE_NOW = SAMPLE_NOW


@dataclass
class CrawlResult:
    returncode: int
    log: str
    output: Path
    records: list[dict[str, Any]]
    summary: dict[str, Any]

    @property
    def ids(self) -> list[str]:
        return [r["article_id"] for r in self.records]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def crawl_command(base_url: str, output: Path | None, state: Path, *args: str,
                  settings: dict[str, str] | None = None, overwrite: bool = True,
                  now: str | None = SITE_NOW) -> list[str]:
    """The demo's crawl command with the fast loopback settings of the tests."""
    return demo_command(base_url, output, state, *args, settings={**TEST_SETTINGS,
                                                                  **(settings or {})},
                        overwrite=overwrite, now=now)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def run_crawl(base_url: str, workdir: Path, *args: str, output: str = "articles.jsonl",
              settings: dict[str, str] | None = None, timeout: float = 300,
              overwrite: bool = True) -> CrawlResult:
    out = workdir / output
    command = crawl_command(base_url, out, workdir / "state.sqlite", *args,
                            settings=settings, overwrite=overwrite)
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env=env(), check=False)
    summary_file = summary_path(out)
    summary = json.loads(summary_file.read_text("utf-8")) if summary_file.exists() else {}
    return CrawlResult(done.returncode, done.stderr + done.stdout, out, read_jsonl(out), summary)


def start_crawl(base_url: str, workdir: Path, *args: str, output: str = "articles.jsonl",
                settings: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = crawl_command(base_url, workdir / output, workdir / "state.sqlite", *args,
                            settings=settings)
    with (workdir / "crawl.log").open("a") as log:  # the child keeps its own descriptor
        return subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                text=True, env=env())

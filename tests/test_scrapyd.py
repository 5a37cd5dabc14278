"""Scheduled jobs on a real scrapyd: deploy with scrapyd-deploy, schedule, read the items, and
see a job whose monitors failed as failed.

scrapyd 1.6 keeps no exit status in listjobs.json; a failed job shows in scrapyd's own log
("Process died: exitstatus=3"), in the job log ("Monitor failed") and in the run summary
`<job>.stats.json` beside the items (README, "Scheduled jobs").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from smmnews.mirror.server import MirrorServer
from smmnews.mirror.static import StaticSite
from tests.conftest import SAMPLE_SITE, free_port
from tests.crawling import REPO, SITE_NOW

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
SITE = SAMPLE_SITE
EXPECTED: dict[str, Any] = json.loads((SITE / "expected.json").read_text("utf-8"))
# The deployed copy names its bot differently, so a job's log shows the egg's code ran.
EGG_BOT = "smmnews-egg"
TEST_SETTINGS = ["DOWNLOAD_TIMEOUT=2", "AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0"]


@dataclass
class Scrapyd:
    url: str
    root: Path
    log: Path

    def call(self, endpoint: str, data: list[tuple[str, str]] | None = None) -> Any:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with urllib.request.urlopen(self.url + endpoint, data=body, timeout=30) as reply:
            return json.loads(reply.read())


def wait_until_up(daemon: Scrapyd, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if daemon.call("daemonstatus.json")["status"] == "ok":
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("scrapyd did not start:\n" + daemon.log.read_text("utf-8"))
        time.sleep(0.1)


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    executable = BIN / "scrapyd"
    if not executable.exists():
        message = "scrapyd is not installed (pip install -e '.[scheduler]'; ./dev test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    # items_dir makes scrapyd pass FEEDS to every job: one `<job>.jl` per job.
    (root / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.2\n"
        f"max_proc = 2\njobs_to_keep = 20\neggs_dir = {root / 'eggs'}\n"
        f"logs_dir = {root / 'logs'}\nitems_dir = {root / 'items'}\ndbs_dir = {root / 'dbs'}\n",
        encoding="utf-8")
    log = root / "scrapyd.log"
    with log.open("wb") as out:  # the daemon keeps its own descriptor
        process = subprocess.Popen([str(executable)], cwd=root, stdout=out,
                                   stderr=subprocess.STDOUT)
    daemon = Scrapyd(f"http://127.0.0.1:{port}/", root, log)
    try:
        wait_until_up(daemon, process)
        yield daemon
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`scrapyd-deploy` of a copy of the project (it writes setup.py and build/ beside
    scrapy.cfg), to a target defined the way a user would: in their own scrapy.cfg, inheriting
    the project name from the repository's [deploy] section."""
    project = tmp_path_factory.mktemp("project")
    for name in ("scrapy.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, project / name)
    shutil.copytree(REPO / "smmnews", project / "smmnews",
                    ignore=shutil.ignore_patterns("__pycache__"))
    settings = project / "smmnews" / "settings.py"
    text = settings.read_text("utf-8").replace('BOT_NAME = "smmnews"', f'BOT_NAME = "{EGG_BOT}"')
    settings.write_text(text, encoding="utf-8")
    config_home = tmp_path_factory.mktemp("xdg")
    (config_home / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {scrapyd.url}\n",
                                            encoding="utf-8")
    done = subprocess.run([str(BIN / "scrapyd-deploy"), "test", "--version", "r1"],
                          cwd=project, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "XDG_CONFIG_HOME": str(config_home)})
    assert done.returncode == 0, done.stderr + done.stdout
    reply: dict[str, Any] = json.loads(done.stdout)
    return reply


@pytest.fixture(scope="module")
def sample_site() -> Iterator[str]:
    with MirrorServer(StaticSite(SITE)) as server:
        yield server.url


def run_job(scrapyd: Scrapyd, site_url: str, state: Path, *settings: str) -> dict[str, Any]:
    """schedule.json, then listjobs.json until the job is finished; returns its entry."""
    data = [("project", "smmnews"), ("spider", "smm_news"), ("base_url", site_url),
            ("now", SITE_NOW)]
    data += [("setting", s) for s in (*TEST_SETTINGS, f"SMMNEWS_STATE_PATH={state}",
                                      *settings)]
    job = scrapyd.call("schedule.json", data)["jobid"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        finished = scrapyd.call("listjobs.json?project=smmnews")["finished"]
        for entry in finished:
            if entry["id"] == job:
                return dict(entry)
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish:\n" + scrapyd.log.read_text("utf-8"))


def fetch_text(scrapyd: Scrapyd, path: str) -> str:
    with urllib.request.urlopen(scrapyd.url + path.lstrip("/"), timeout=30) as reply:
        return str(reply.read().decode("utf-8"))


def daemon_says(scrapyd: Scrapyd, job: str) -> str:
    """scrapyd's own line about how the job's process ended."""
    lines = [line for line in scrapyd.log.read_text("utf-8").splitlines()
             if f"job='{job}'" in line and "Process " in line and "started" not in line]
    return lines[-1] if lines else ""


def test_deploy_registers_the_project_and_its_spider(deployed: dict[str, Any]) -> None:
    assert (deployed["status"], deployed["project"], deployed["spiders"]) == ("ok", "smmnews", 1)


def test_scheduled_job_writes_the_good_articles_as_jsonl(
        scrapyd: Scrapyd, deployed: dict[str, Any], sample_site: str, tmp_path: Path) -> None:
    job = run_job(scrapyd, sample_site, tmp_path / "state.sqlite")
    items = fetch_text(scrapyd, job["items_url"])
    ids = [json.loads(line)["article_id"] for line in items.splitlines()]
    assert sorted(ids) == sorted(EXPECTED["good_ids"])
    summary = json.loads(fetch_text(scrapyd, job["items_url"].replace(".jl", ".stats.json")))
    assert summary["monitors_failed"] == 0
    assert "Process finished" in daemon_says(scrapyd, job["id"])
    assert f"(bot: {EGG_BOT})" in fetch_text(scrapyd, job["log_url"])  # the egg's code ran


def test_job_whose_monitors_fail_is_visible_as_failed(
        scrapyd: Scrapyd, deployed: dict[str, Any], sample_site: str, tmp_path: Path) -> None:
    job = run_job(scrapyd, sample_site, tmp_path / "state.sqlite",
                  "SMMNEWS_MONITOR_MIN_ITEMS=1000")
    assert "Process died: exitstatus=3" in daemon_says(scrapyd, job["id"])
    assert "Monitor failed: articles_found" in fetch_text(scrapyd, job["log_url"])
    summary = json.loads(fetch_text(scrapyd, job["items_url"].replace(".jl", ".stats.json")))
    assert summary["monitors_failed"] >= 1

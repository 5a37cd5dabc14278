"""Distributed mode when Redis itself fails: unreachable or holding foreign data at start,
lost in the middle of a crawl. Each is one clear line and exit 1, never a traceback or a
worker that never ends; once Redis is back, the same command completes the crawl exactly once.

A real redis-server of each test's own (append-only file on, as a production Redis keeps its
data), stopped and started again by the test.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from tests.conftest import free_port, wait_for_lines
from tests.crawling import REPO, crawl_command, env, read_jsonl
from tests.redis_server import start_redis

pytestmark = pytest.mark.e2e
# Slow enough that Redis goes away while the crawl is still fetching. The heartbeat's
# time-to-live (3 beats: 15 s) outlasts the restart of Redis even on a loaded machine, so the
# rerun meets its dead predecessor's key and must see that the process is gone.
SLOW = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        "DOWNLOAD_DELAY": "0.02", "SMMNEWS_REDIS_HEARTBEAT": "5"}


class RedisProcess:
    """redis-server on a fixed port and data folder, so it can stop and come back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_redis(self.port, self.folder, "--appendonly", "yes")

    def stop(self) -> None:
        """A clean shutdown: the append-only file keeps every write."""
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path / "redis")
    server.folder.mkdir()
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()


def worker_command(base_url: str, workdir: Path, *extra: str) -> list[str]:
    return crawl_command(base_url, workdir / "worker.jsonl", workdir / "unused.sqlite", *extra,
                         settings=SLOW)


def run_worker(base_url: str, workdir: Path, redis_url: str,
               timeout: float = 180) -> tuple[int, str]:
    command = worker_command(base_url, workdir)
    worker_env = {**env(), "SMMNEWS_REDIS_URL": redis_url,
                  "SCRAPY_SETTINGS_MODULE": "smmnews.distributed.settings"}
    done = subprocess.run(command, cwd=REPO, env=worker_env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    return done.returncode, done.stderr + done.stdout


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if " ERROR: " in line or " CRITICAL: " in line]


def test_an_unreachable_redis_is_refused_at_start_without_its_password(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    code, log = run_worker("http://127.0.0.1:9/", tmp_path,
                           f"redis://:hunter2@127.0.0.1:{port}/0", timeout=120)
    assert code == 1
    [line] = error_lines(log)
    assert f"Crawl refused: cannot use Redis at redis://:***@127.0.0.1:{port}/0" in line
    assert "hunter2" not in log and "Traceback" not in log


@pytest.mark.parametrize(("key", "value", "named"), [
    ("smmnews:state:articles", "a string", "key smmnews:state:articles holds a string"),
    ("smmnews:smm_news:requests", "a string", "key smmnews:smm_news:requests holds a string"),
    ("smmnews:state:articles", {"103800001": '{"content_hash": "x"}'}, "entry 103800001"),
    ("smmnews:state:articles", {"103800001": "not json"}, "entry 103800001"),
])
def test_foreign_data_under_our_keys_is_refused_at_start(
        redis_process: RedisProcess, tmp_path: Path, key: str, value: str | dict[str, str],
        named: str) -> None:
    client = redis.Redis.from_url(redis_process.url)
    if isinstance(value, dict):
        for field, text in value.items():
            client.hset(key, field, text)
    else:
        client.set(key, value)
    code, log = run_worker("http://127.0.0.1:9/", tmp_path, redis_process.url)
    assert code == 1
    [line] = error_lines(log)
    assert "Crawl refused:" in line and named in line, line
    assert "Traceback" not in log
    # Nothing of ours was written beside the foreign data.
    assert [k.decode() if isinstance(k, bytes) else k for k in client.keys("*")] == [key]


def test_redis_lost_mid_crawl_stops_the_worker_and_the_same_command_completes(
        redis_process: RedisProcess, tmp_path: Path) -> None:
    site = GeneratedSite(300, seed=11)
    expected = sorted(str(i) for i in site.article_ids())
    worker_env = {**env(), "SMMNEWS_REDIS_URL": redis_process.url,
                  "SCRAPY_SETTINGS_MODULE": "smmnews.distributed.settings"}
    with MirrorServer(site) as server:
        log_path = tmp_path / "first.log"
        with log_path.open("w") as log:
            first = subprocess.Popen(worker_command(server.url, tmp_path), cwd=REPO,
                                     env=worker_env, stdout=log, stderr=subprocess.STDOUT)
        wait_for_lines(tmp_path / "worker.jsonl.part", 20)
        redis_process.stop()
        # The worker ends by itself (it used to loop on errors forever).
        assert first.wait(timeout=120) == 1
        text = log_path.read_text("utf-8")
        assert "Traceback" not in text
        failures = [line for line in error_lines(text) if "Crawl failure (redis)" in line]
        assert len(failures) == 1 and "lost Redis at " + redis_process.url in failures[0]
        assert (tmp_path / "worker.jsonl").exists()  # what it wrote is published
        written = [r["article_id"] for r in read_jsonl(tmp_path / "worker.jsonl")]
        assert 20 <= len(written) < len(expected)

        redis_process.start()
        code, again = run_worker(server.url, tmp_path, redis_process.url)
    assert code == 0, again[-3000:]
    assert "Traceback" not in again
    # Its own dead predecessor on this machine is known gone: no wait for its heartbeat.
    assert "is gone; its output is free" in again and "waiting up to" not in again
    ids = [r["article_id"] for r in read_jsonl(tmp_path / "worker.jsonl")]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert sorted(ids) == expected

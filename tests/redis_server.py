"""A private redis-server on 127.0.0.1 for the tests that use Redis (started, pinged, stopped)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis


def redis_executable() -> str:
    """redis-server's path; a missing one fails in CI (which installs it) and skips elsewhere."""
    executable = shutil.which("redis-server")
    if executable is None:
        message = "redis-server is not installed (apt-get install redis-server; ./dev test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return executable


def start_redis(port: int, folder: Path, *options: str) -> subprocess.Popen[bytes]:
    """redis-server on `port` with its files in `folder`, once it answers PING."""
    server = subprocess.Popen(
        [redis_executable(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--dir", str(folder), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis.from_url(f"redis://127.0.0.1:{port}")
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    client.close()
    return server

"""What several test modules share: ports, waiting on output, server hit counts, the generated
2,000-article site, the sample site's place and frozen clock, and fixture-case records."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smmnews.demo import SAMPLE_NOW, SAMPLE_SITE
from smmnews.extract.article import NotAnArticle
from smmnews.items import Article
from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.record import build_record
from smmnews.serialize import record_dict
from tests.fixtures import ARTICLES, meta, now_of, page_bytes

__all__ = ["SAMPLE_NOW", "SAMPLE_SITE"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_lines(path: Path, lines: int, timeout: float = 120) -> None:
    """Until `path` holds `lines` complete lines (a crawl's output growing)."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_bytes().count(b"\n") >= lines):
        assert time.monotonic() < deadline, f"{path} never reached {lines} lines"
        time.sleep(0.05)


def hits(server: MirrorServer, prefix: str) -> int:
    """Requests the mirror answered under a path prefix."""
    return sum(n for path, n in server.hits.items() if path.startswith(prefix))


def article_hits(server: MirrorServer) -> int:
    return sum(n for path, n in server.hits.items() if "newscontent/" in path)


def fixture_record(folder: Path, case: str, url: str | None = None) -> Article | NotAnArticle:
    """The record of a fixture case's page, at its own URL and frozen clock (or at `url`)."""
    return build_record(page_bytes(folder, case), url or meta(folder, case)["url"],
                        now_of(folder, case))


def fixture_json(case: str) -> dict[str, Any]:
    """An article case's record as written to JSON Lines."""
    result = fixture_record(ARTICLES, case)
    assert isinstance(result, Article), f"{case}: {result}"
    return record_dict(result)


@pytest.fixture(scope="module")
def big_site() -> Iterator[tuple[GeneratedSite, MirrorServer]]:
    """The 2,000-article generated site, served for one test module."""
    site = GeneratedSite(2000, seed=7)
    with MirrorServer(site) as server:
        yield site, server

"""Distributed mode on a real redis-server: shared frontier, leases, Redis state, N workers.

Workers are real `scrapy crawl smm_news` subprocesses against the mirror server, each with its
own output, selected by each documented switch (settings module, scrapy.cfg project, `-s`).
"""

from __future__ import annotations

import inspect
import itertools
import json
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import scrapy
from scrapy.core.engine import ExecutionEngine, _Slot
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from smmnews.distributed import serializer
from smmnews.distributed import settings as distributed_settings
from smmnews.distributed.keys import crawl_keys
from smmnews.distributed.presence import OutputInUse
from smmnews.distributed.scheduler import RedisScheduler
from smmnews.distributed.state import RedisStateStore
from smmnews.extensions import summary_path
from smmnews.fingerprint import ArticleFingerprinter
from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.spiders.smm_news import SmmNewsSpider
from smmnews.state import COMMITTED, PENDING, SqliteStateStore, StateStore
from tests.conftest import article_hits, free_port, hits, wait_for_lines
from tests.crawling import REPO, crawl_command, env, read_jsonl
from tests.redis_server import start_redis

DATABASES = 32
_next_db = itertools.count(1)
# The `-s` form of the switch (README, "Many workers, one crawl"), for workers on the default
# settings.
SWITCH_FLAGS = {
    "SCHEDULER": "smmnews.distributed.scheduler.RedisScheduler",
    "DUPEFILTER_CLASS": "smmnews.distributed.dupefilter.RedisDupeFilter",
    "SMMNEWS_STATE_FACTORY": "smmnews.distributed.state.redis_state",
    "SMMNEWS_SALVAGE_ORPHANS": "False",
}
# One missed second makes a dead worker: kill-recovery tests need not wait long.
FAST = {"SMMNEWS_REDIS_HEARTBEAT": "1"}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on 127.0.0.1 for this module: `redis://127.0.0.1:PORT`."""
    port = free_port()
    server = start_redis(port, tmp_path_factory.mktemp("redis"), "--appendonly", "no",
                         "--databases", str(DATABASES))
    url = f"redis://127.0.0.1:{port}"
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A database of its own for each test."""
    return f"{redis_server}/{next(_next_db) % DATABASES}"


def settings_for(redis_url: str, **extra: Any) -> dict[str, Any]:
    names = {n: getattr(distributed_settings, n) for n in dir(distributed_settings) if n.isupper()}
    return {**names, "REDIS_URL": redis_url, **extra}


# --- requests as JSON --------------------------------------------------------------------


class _Spider(scrapy.Spider):
    name = "smm_news"

    def parse_article(self, response: Any) -> None: ...

    def article_failed(self, failure: Any) -> None: ...


def test_request_round_trips_through_json_with_bytes_and_callbacks() -> None:
    spider = _Spider()
    request = scrapy.Request("http://127.0.0.1/newscontent/103800001/x", method="POST",
                             body=b"\xff\x00raw", headers={"X-Bin": b"\xe9t\xe9"},
                             callback=spider.parse_article, errback=spider.article_failed,
                             meta={"article_id": "103800001", "redirect_urls": ["http://a/"]},
                             priority=5)
    text = serializer.dumps(request.to_dict(spider=spider))
    assert text == serializer.dumps(request.to_dict(spider=spider))  # one request, one member
    back = request_from_dict(serializer.loads(text.encode()), spider=spider)
    assert (back.url, back.method, back.body, back.priority) == (
        request.url, "POST", b"\xff\x00raw", 5)
    assert back.headers.getlist("X-Bin") == [b"\xe9t\xe9"]
    assert back.callback == spider.parse_article and back.errback == spider.article_failed
    assert back.meta == request.meta


def test_a_request_that_json_cannot_carry_is_refused_loudly() -> None:
    request = scrapy.Request("http://127.0.0.1/", meta={"when": object()})
    with pytest.raises(serializer.NotSerialisable, match="cannot be queued as JSON"):
        serializer.dumps(request.to_dict())


# --- the state store: same contract as SQLite ----------------------------------------------


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if request.param == "sqlite":
        made: StateStore = SqliteStateStore(tmp_path / "state.sqlite")
    else:
        url = request.getfixturevalue("redis_url")
        made = RedisStateStore(redis.Redis.from_url(url), "test:state")
    yield made
    made.close()


def test_state_store_contract_put_commit_revise_and_roll_back(store: StateStore) -> None:
    store.put("1", "sha256:a", 1, "/out/a.jsonl")
    store.put("2", "sha256:b", 1, "/out/a.jsonl")
    assert {k.article_id for k in store.pending()} == {"1", "2"}
    assert store.commit("/out/a.jsonl") == 2
    assert store.pending() == []
    store.put("1", "sha256:a2", 2, "/out/b.jsonl")  # a revision, then the run crashes
    store.put("3", "sha256:c", 1, "/out/b.jsonl")
    assert store.forget_pending("/out/b.jsonl", keep=set()) == 2
    one = store.get("1")
    assert one is not None and (one.content_hash, one.revision, one.status) == (
        "sha256:a", 1, COMMITTED)
    assert store.get("3") is None and store.count() == 2
    store.put("2", "sha256:b2", 2, "/out/c.jsonl")
    assert store.commit("/out/c.jsonl", {"2"}) == 1
    two = store.get("2")
    assert two is not None and (two.revision, two.status, two.output) == (
        2, COMMITTED, "/out/c.jsonl")


def test_redis_store_names_articles_whose_record_never_reached_the_output(
        redis_url: str) -> None:
    store = RedisStateStore(redis.Redis.from_url(redis_url), "test:state")
    store.put("1", "sha256:a", 1, "/out/w1.jsonl")
    store.put("2", "sha256:b", 1, "/out/w1.jsonl")
    store.forget_pending("/out/w1.jsonl", keep={"1"})
    assert store.forgotten == {"2"}
    assert [(k.article_id, k.status) for k in store.pending()] == [("1", PENDING)]


# --- scheduler, dupefilter and leases in one process ---------------------------------------


def open_worker(redis_url: str, **settings: Any) -> tuple[RedisScheduler, SmmNewsSpider]:
    crawler = get_crawler(SmmNewsSpider, settings_for(redis_url, **settings))
    scheduler = build_from_crawler(RedisScheduler, crawler)
    spider = SmmNewsSpider.from_crawler(crawler, base_url="http://127.0.0.1:9/")
    crawler.spider = spider
    scheduler.open(spider)
    return scheduler, spider


def test_two_slugs_of_one_article_are_one_request_across_workers(redis_url: str) -> None:
    first, spider = open_worker(redis_url)
    second, _ = open_worker(redis_url)
    base = "http://127.0.0.1:9"
    assert first.enqueue_request(scrapy.Request(f"{base}/newscontent/103800001/old-slug",
                                                callback=spider.parse_article))
    assert not second.enqueue_request(scrapy.Request(f"{base}/en/newscontent/103800001-new"))
    assert second.crawler.stats.get_value("dupefilter/filtered") == 1
    taken = second.next_request()
    assert taken is not None and taken.url.endswith("old-slug")
    assert getattr(taken.callback, "__name__", None) == "parse_article"
    assert first.crawler.stats.get_value("scheduler/enqueued/redis") == 1


def test_a_dead_workers_lease_goes_back_and_the_crawl_ends_when_drained(redis_url: str) -> None:
    alive, spider = open_worker(redis_url)
    dying, _ = open_worker(redis_url)
    keys = crawl_keys(alive.crawler.settings, "smm_news")
    alive.enqueue_request(scrapy.Request("http://127.0.0.1:9/newscontent/103800002",
                                         callback=spider.parse_article))
    assert dying.next_request() is not None and alive.next_request() is None
    assert alive.presence is not None
    with pytest.raises(DontCloseSpider):  # the lease holder is alive: wait
        alive.presence.spider_idle()
    dying.server.delete(keys.worker(dying.worker_id))  # as if SIGKILLed: its key expires
    with pytest.raises(DontCloseSpider):  # requeued: not finished yet
        alive.presence.spider_idle()
    assert alive.next_request() is not None
    dying.queue.release(list(dying.queue.leases))  # back from a stall: alive's lease stays
    assert alive.queue.in_flight() == 1
    alive.presence.spider_idle()  # engine idle, nothing queued or leased: crawl over
    assert not alive.server.exists(keys.dupefilter, keys.requests, keys.inflight)


def test_the_engine_still_tracks_requests_in_progress_where_leases_look() -> None:
    """RedisScheduler drops a lease when its request leaves the engine's `_slot.inprogress`
    (private, also read by scrapy.utils.engine); a Scrapy upgrade that renames it must fail
    here rather than keep every lease until the worker goes idle."""
    assert "self.inprogress" in inspect.getsource(_Slot.__init__)
    assert "add_request(request)" in inspect.getsource(ExecutionEngine._download)


def test_a_live_worker_writing_the_same_output_is_refused(redis_url: str,
                                                            tmp_path: Path) -> None:
    feeds = {"FEEDS": {str(tmp_path / "articles.jsonl"): {"format": "jsonlines"}}}
    open_worker(redis_url, **feeds)  # beats every 10 s: alive for the whole test
    with pytest.raises(OutputInUse, match="give every worker its own output file"):
        open_worker(redis_url, SMMNEWS_REDIS_HEARTBEAT=0.2, **feeds)


def test_a_rerun_waits_for_its_killed_predecessor_to_expire(redis_url: str,
                                                           tmp_path: Path) -> None:
    feeds = {"FEEDS": {str(tmp_path / "articles.jsonl"): {"format": "jsonlines"}}}
    open_worker(redis_url, SMMNEWS_REDIS_HEARTBEAT=0.3, **feeds)  # then never beats again
    started = time.monotonic()
    rerun, _ = open_worker(redis_url, SMMNEWS_REDIS_HEARTBEAT=0.3, **feeds)
    assert rerun.presence is not None and rerun.presence.sharing_output() == {}
    assert 0.5 < time.monotonic() - started < 3  # waited out the 0.9 s time-to-live


# --- N worker processes on the 2,000-article site ------------------------------------------


def start_worker(base_url: str, workdir: Path, name: str, redis_url: str, *args: str,
                 switch: str = "module", settings: dict[str, str] | None = None
                 ) -> subprocess.Popen[str]:
    """`scrapy crawl smm_news -O <name>.jsonl` as a distributed worker."""
    worker_env = {**env(), "SMMNEWS_REDIS_URL": redis_url}
    extra = {**FAST, **(settings or {})}
    if switch == "module":
        worker_env["SCRAPY_SETTINGS_MODULE"] = "smmnews.distributed.settings"
    elif switch == "project":
        worker_env["SCRAPY_PROJECT"] = "distributed"  # the scrapy.cfg [settings] entry
    else:
        extra.update(SWITCH_FLAGS, REDIS_URL=redis_url)
    command = crawl_command(base_url, workdir / f"{name}.jsonl", workdir / "unused.sqlite",
                            *args, settings=extra)
    with (workdir / f"{name}.log").open("a") as log:
        return subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                text=True, env=worker_env)


def finish(worker: subprocess.Popen[str], workdir: Path, name: str) -> str:
    returncode = worker.wait(timeout=300)
    log = (workdir / f"{name}.log").read_text("utf-8")
    assert returncode == 0, log[-3000:]
    assert "DeprecationWarning" not in log
    return log


def ids_of(*outputs: Path) -> list[str]:
    return [r["article_id"] for path in outputs for r in read_jsonl(path)]


def duplicates(ids: list[str]) -> list[str]:
    return [i for i, n in Counter(ids).items() if n > 1]


@pytest.fixture(scope="module")
def shared_crawl(big_site: tuple[GeneratedSite, MirrorServer], redis_server: str,
                 tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Two workers started together on one Redis: (redis URL, their folder)."""
    redis_url = f"{redis_server}/0"
    workdir = tmp_path_factory.mktemp("shared")
    names = ("worker-1", "worker-2")
    workers = [start_worker(big_site[1].url, workdir, name, redis_url) for name in names]
    for worker, name in zip(workers, names, strict=True):
        finish(worker, workdir, name)
    return redis_url, workdir


@pytest.mark.e2e
def test_two_workers_together_emit_every_article_once(
        big_site: tuple[GeneratedSite, MirrorServer], shared_crawl: tuple[str, Path]) -> None:
    site, _ = big_site
    _, workdir = shared_crawl
    first, second = ids_of(workdir / "worker-1.jsonl"), ids_of(workdir / "worker-2.jsonl")
    assert duplicates(first + second) == []
    # What one worker alone emits on this site (tests/test_crawl_generated.py): every article.
    assert sorted(first + second) == sorted(str(i) for i in site.article_ids())
    assert min(len(first), len(second)) > 200  # both did a real share


@pytest.mark.e2e
def test_second_run_on_redis_state_emits_and_fetches_nothing_known(
        big_site: tuple[GeneratedSite, MirrorServer], shared_crawl: tuple[str, Path],
        tmp_path: Path) -> None:
    site, server = big_site
    redis_url, _ = shared_crawl
    articles, sitemaps = article_hits(server), hits(server, "/sitemap")
    # The README's recipe: two identical workers, run again on an unchanged site.
    names = ("rerun-1", "rerun-2")
    again = [start_worker(server.url, tmp_path, name, redis_url, switch=switch)
             for name, switch in zip(names, ("flags", "module"), strict=True)]
    for worker, name in zip(again, names, strict=True):
        finish(worker, tmp_path, name)  # exit 0: judged on what the crawl found, not one worker
        assert read_jsonl(tmp_path / f"{name}.jsonl") == []
        summary = json.loads(summary_path(tmp_path / f"{name}.jsonl").read_text("utf-8"))
        found = next(m for m in summary["monitors"] if m["name"] == "articles_found")
        total = int(found["message"].split()[0])
        assert found["ok"] and total >= len(site.article_ids()), found
    assert article_hits(server) == articles  # no known article fetched again
    # A fresh crawl: the finished one left no frontier to filter the sitemaps out.
    assert hits(server, "/sitemap") > sitemaps


@pytest.mark.e2e
def test_killed_worker_loses_nothing_and_its_rerun_publishes_its_part(
        big_site: tuple[GeneratedSite, MirrorServer], redis_url: str, tmp_path: Path) -> None:
    site, server = big_site
    doomed = start_worker(server.url, tmp_path, "worker-1", redis_url)
    survivor = start_worker(server.url, tmp_path, "worker-2", redis_url)
    wait_for_lines(tmp_path / "worker-1.jsonl.part", 100)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    log = finish(survivor, tmp_path, "worker-2")
    assert "Requeued" in log  # the killed worker's requests in progress came back
    assert not (tmp_path / "worker-1.jsonl").exists()
    # The dead worker's output is recovered by running it again with the same output.
    rerun = start_worker(server.url, tmp_path, "worker-1", redis_url, switch="project")
    finish(rerun, tmp_path, "worker-1")
    recovered = ids_of(tmp_path / "worker-1.jsonl")
    everything = recovered + ids_of(tmp_path / "worker-2.jsonl")
    assert len(recovered) >= 100
    assert duplicates(everything) == []
    assert sorted(everything) == sorted(str(i) for i in site.article_ids())
    state = RedisStateStore(redis.Redis.from_url(redis_url), "smmnews:state")
    assert state.pending() == [] and state.count() == len(everything)


@pytest.mark.e2e
def test_rerun_fetches_again_what_the_killed_run_counted_but_never_wrote(
        big_site: tuple[GeneratedSite, MirrorServer], redis_url: str, tmp_path: Path) -> None:
    """SIGKILL between the state update and the feed write: the state says pending in this
    output, the `.part` lacks the record, and the dupefilter holds its fingerprint."""
    site, server = big_site
    written, unwritten, asked = (str(i) for i in site.article_ids()[:3])
    output = tmp_path / "worker-1.jsonl"
    state = RedisStateStore(redis.Redis.from_url(redis_url), "smmnews:state")
    for article_id in (written, unwritten):
        state.put(article_id, "sha256:killed-run", 1, str(output.resolve()))
    part = tmp_path / "worker-1.jsonl.part"
    part.write_text(json.dumps({"article_id": written}) + "\n", encoding="utf-8")
    seen = ArticleFingerprinter().fingerprint(
        scrapy.Request(f"{server.url}newscontent/{unwritten}"))
    state.db.sadd(crawl_keys({}, "smm_news").dupefilter, seen.hex())
    rerun = start_worker(server.url, tmp_path, "worker-1", redis_url,
                         "-a", f"urls={server.url}newscontent/{asked}")
    log = finish(rerun, tmp_path, "worker-1")
    assert f"Fetching again article {unwritten}" in log
    assert sorted(ids_of(output)) == sorted([written, unwritten, asked])

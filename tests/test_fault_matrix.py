"""The guarantee, as a tested property: every article exactly once across the published outputs,
the state store in step with them, and a non-zero exit with one clear line whenever a run's
output may be incomplete, in every output mode, whatever is killed and however.

Kill-and-resume chains run real `scrapy crawl` processes against the mirror and kill them at
seeded random points: after a random number of written records, at startup, with SIGINT or
SIGTERM, or exactly at a named point of the close (smmnews/crashpoints.py: just before and just
after the rename, after the state commit, during close). Every output mode, and every feed
format a user may name (JSON Lines, CSV, JSON, XML, `-O out.json:jsonlines`, several outputs in
one run); after every run that exits 0 each published file is read with a real reader (pandas,
ElementTree). The seed is printed on failure; `SMMNEWS_FAULT_SEED=<seed>` replays a run.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import resource
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
import redis

from smmnews.crashpoints import ENV as CRASH_ENV
from smmnews.crashpoints import POINTS as CRASH_POINTS
from smmnews.distributed.state import RedisStateStore
from smmnews.formats import format_of
from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.site import Page
from smmnews.state import COMMITTED, SqliteStateStore
from tests.crawling import REPO, SITE_NOW, TEST_SETTINGS, env
from tests.faulty import FAILING_SUFFIX
from tests.hostile import HostileSite
from tests.test_distributed import redis_server  # noqa: F401  (the module's Redis fixture)

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("SMMNEWS_FAULT_SEED") or random.randrange(2**32))
ARTICLES = 120
# The outputs of the modes named by their files: (flag, file[:format]). `-O` files are handed
# over after each run that exits 0, `-o` files are read as they stand.
FILE_MODES = {
    "O": [("-O", "articles.jsonl")], "o": [("-o", "articles.jsonl")],
    "O-csv": [("-O", "articles.csv")], "o-csv": [("-o", "articles.csv")],
    "O-json": [("-O", "articles.json")], "o-json": [("-o", "articles.json")],
    "O-xml": [("-O", "articles.xml")], "o-xml": [("-o", "articles.xml")],
    "O-json-as-lines": [("-O", "articles.json:jsonlines")],
    "o-ndjson": [("-o", "articles.ndjson")],
    # Several outputs in one run (Scrapy takes only -o or only -O): each must end with every
    # article exactly once.
    "several-o": [("-o", "a.jsonl"), ("-o", "b.csv"), ("-o", "c.json")],
    # Written from journals first: a kill after the first rename leaves a published file
    # whose journal is still there, and the other outputs unpublished.
    "several-O": [("-O", "a.xml"), ("-O", "b.pickle"), ("-O", "c.jsonl")],
}
# Kill-and-resume cycles per output mode (at least 50 in all; CI time: about 3.5 s a kill
# and 6 s a mode for its two final runs).
KILLS = {"O": 6, "o": 5, "dated": 5, "scrapyd": 5, "redis": 5,
         "O-csv": 4, "o-csv": 4, "O-json": 4, "o-json": 4, "O-xml": 4, "o-xml": 4,
         "O-json-as-lines": 3, "o-ndjson": 3, "several-o": 6, "several-O": 5}
# Each chain passes through one named point of the close, besides its random kills.
FORCED_POINT = {"O": "after_rename", "o": "during_close", "dated": "after_rename",
                "scrapyd": "before_rename", "redis": "after_commit",
                "O-csv": "after_commit", "o-csv": "after_rename", "O-json": "after_rename",
                "o-json": "after_commit", "O-xml": "before_rename", "o-xml": "after_rename",
                "O-json-as-lines": "after_rename", "o-ndjson": "after_rename",
                "several-o": "after_rename", "several-O": "after_rename"}
FAST = {**TEST_SETTINGS, "SMMNEWS_PROGRESS_INTERVAL": "0", "LOG_LEVEL": "INFO",
        "SMMNEWS_MONITOR_MIN_ITEMS": "0", "SMMNEWS_REDIS_HEARTBEAT": "0.5"}
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}


@contextmanager
def replayable() -> Iterator[None]:
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nreplay with SMMNEWS_FAULT_SEED={SEED}") from None


# --- output modes ------------------------------------------------------------------------


@dataclass
class Mode:
    """How one output mode names its outputs, and which files it has published."""

    name: str
    workdir: Path
    redis_url: str | None = None
    runs: int = 0
    # `-O` replaces its file at every run: a consumer reads it after each run that exits 0.
    # These are the ids it read, run after run, per file.
    handed_over: dict[Path, list[str]] = field(default_factory=dict)

    def files(self) -> list[tuple[str, Path, str]]:
        """(flag, path, format) of the outputs named by a file."""
        found = []
        for flag, name in FILE_MODES.get(self.name, []):
            file, _, kind = name.partition(":")
            found.append((flag, self.workdir / file, kind or format_of(Path(file))))
        return found

    def overwritten(self) -> list[Path]:
        if self.name == "redis":
            return [self.workdir / "a.jsonl", self.workdir / "b.jsonl"]
        return [path for flag, path, _ in self.files() if flag == "-O"]

    def exited_healthy(self, worker: str) -> None:
        # Every published file parses with a real reader after a healthy run.
        for path in self.published():
            records_of(path, self.kind(path))
        for path in self.overwritten():
            if self.name != "redis" or path.stem == worker:
                self.handed_over.setdefault(path, []).extend(ids_of(path, self.kind(path)))

    def kind(self, path: Path) -> str:
        return {p: k for _, p, k in self.files()}.get(path, "jsonlines")

    def state(self) -> Path:
        return self.workdir / "state.sqlite"

    def workers(self) -> list[str]:
        return ["a", "b"] if self.name == "redis" else ["single"]

    def output_args(self, worker: str) -> list[str]:
        self.runs += 1
        work = self.workdir
        if self.name in FILE_MODES:
            return [arg for flag, name in FILE_MODES[self.name]
                    for arg in (flag, str(work / name))]
        if self.name == "redis":
            return ["-O", str(work / f"{worker}.jsonl")]
        if self.name == "dated":
            pattern = work / "out" / "%(date)s" / "%(name)s-%(time)s.jsonl"
            # Two runs within one second would share a name: a run number keeps them apart.
            pattern = pattern.with_name(f"%(name)s-%(time)s-{self.runs}.jsonl")
            return ["-s", f"SMMNEWS_DEFAULT_FEED={pattern}"]
        # scrapyd with items_dir: FEEDS names `<items>/<project>/<spider>/<job id>.jl`.
        uri = (work / "items" / "smmnews" / "smm_news" / f"{uuid.uuid4().hex}.jl").as_uri()
        return ["-s", "FEEDS=" + json.dumps({uri: {"format": "jsonlines"}})]

    def published(self) -> list[Path]:
        work = self.workdir
        if self.name in FILE_MODES:
            found = [path for _, path, _ in self.files()]
        else:
            found = {"redis": [work / "a.jsonl", work / "b.jsonl"],
                     "dated": sorted(work.glob("out/*/*.jsonl")),
                     "scrapyd": sorted(work.glob("items/smmnews/smm_news/*.jl"))}[self.name]
        return [p for p in found if p.exists()]

    def parts(self) -> list[Path]:
        return sorted(self.workdir.rglob("*.part"))

    def leftovers(self) -> list[Path]:
        """Work files of the output (journals, staged renderings, trims) that must not stay."""
        return sorted(p for pattern in ("*.part", "*.staged", "*.trim")
                      for p in self.workdir.rglob(pattern))

    def env(self) -> dict[str, str]:
        extra = {"SCRAPY_SETTINGS_MODULE": "smmnews.settings", "PYTHONPATH": str(REPO)}
        if self.redis_url:
            extra.update(SCRAPY_SETTINGS_MODULE="smmnews.distributed.settings",
                         SMMNEWS_REDIS_URL=self.redis_url)
        return {**env(), **extra}


def command(base_url: str, mode: Mode, worker: str, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "scrapy", "crawl", "smm_news", "-a", f"base_url={base_url}",
            "-a", f"now={SITE_NOW}", *mode.output_args(worker),
            "-s", f"SMMNEWS_STATE_PATH={mode.state()}"]
    for name, value in FAST.items():
        args += ["-s", f"{name}={value}"]
    return [*args, *extra]


def start(base_url: str, mode: Mode, worker: str, *extra: str,
          crash_at: str | None = None) -> tuple[subprocess.Popen[str], Path]:
    log = mode.workdir / f"run-{mode.runs + 1}-{worker}.log"
    run_env = mode.env()
    if crash_at:
        run_env[CRASH_ENV] = crash_at
    with log.open("w") as handle:
        process = subprocess.Popen(command(base_url, mode, worker, *extra), cwd=mode.workdir,
                                   stdout=handle, stderr=subprocess.STDOUT, text=True,
                                   env=run_env)
    return process, log


def complete_lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        try:
            total += path.read_bytes().count(b"\n")
        except FileNotFoundError:
            continue  # renamed into place (or removed) since it was listed
    return total


def wait_for_progress(mode: Mode, processes: list[subprocess.Popen[str]], before: int,
                      lines: int) -> None:
    """Until `lines` more records are written (in parts or published files) or all exited."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(p.poll() is not None for p in processes):
            return
        if complete_lines(mode.parts() + mode.published()) - before >= lines:
            return
        time.sleep(0.02)


def failure_lines(log: str) -> list[str]:
    return [line for line in log.splitlines()
            if "Crawl failure (" in line or "Crawl refused:" in line]


# --- the checks ---------------------------------------------------------------------------


def records_of(path: Path, kind: str = "jsonlines") -> list[dict[str, Any]]:
    """The records of a published file as a consumer reads them: pandas for JSON Lines, CSV
    and JSON, ElementTree for XML, pickle for pickle. Raises when the file does not parse."""
    if not path.exists():
        return []
    if kind == "xml":
        root = ElementTree.parse(path).getroot()
        assert root.tag == "items", f"{path}: root <{root.tag}>"
        return [{child.tag: child.text for child in item} for item in root]
    if kind == "pickle":
        found = []
        with path.open("rb") as handle:
            while handle.peek(1):
                found.append(pickle.load(handle))
        return found
    if kind == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert "article_id" in frame.columns, f"{path}: no article_id column"
    elif kind == "json":
        frame = pd.read_json(path, dtype=False)
    elif path.stat().st_size == 0:
        return []  # JSON Lines without records: pandas reads no frame from nothing
    else:
        frame = pd.read_json(path, lines=True, dtype=False)
    return [dict(row) for row in frame.to_dict("records")]


def ids_of(path: Path, kind: str = "jsonlines") -> list[str]:
    return [str(record["article_id"]) for record in records_of(path, kind)]


def published_ids(mode: Mode, path: Path) -> list[str]:
    """What the consumers of one output got: for `-O`, every file a run that exited 0 left;
    otherwise the file (appended to) as it stands."""
    if path in mode.overwritten():
        return list(mode.handed_over.get(path, []))
    return ids_of(path, mode.kind(path))


def streams(mode: Mode) -> dict[str, list[str]]:
    """What consumers got, per output a consumer follows: each output of a run with several;
    the Redis workers' files together (the workers share the crawl), or the mode's files
    together (one per run: dated, scrapyd)."""
    if mode.name in FILE_MODES:
        return {str(p): published_ids(mode, p) for _, p, _ in mode.files()}
    if mode.name == "redis":
        return {"redis": [i for p in mode.overwritten() for i in published_ids(mode, p)]}
    return {mode.name: [i for path in mode.published() for i in ids_of(path)]}


def state_entries(mode: Mode) -> dict[str, tuple[str, str | None]]:
    """article id -> (status, output) as the state store holds them after the runs."""
    if mode.redis_url:
        store = RedisStateStore(redis.Redis.from_url(mode.redis_url), "smmnews:state")
        try:
            raw = store.db.hgetall(store.articles)
            entries = {k.decode(): json.loads(v) for k, v in raw.items()}
            return {k: (v["status"], v["output"]) for k, v in entries.items()}
        finally:
            store.close()
    store_ = SqliteStateStore(mode.state())
    try:
        rows = store_.db.execute("SELECT article_id, status, output FROM articles").fetchall()
    finally:
        store_.close()
    return {row[0]: (row[1], row[2]) for row in rows}


def assert_exactly_once(mode: Mode, expected: set[str]) -> None:
    for stream, ids in streams(mode).items():
        repeats = sorted(i for i, n in Counter(ids).items() if n > 1)
        assert repeats == [], f"{mode.name} {stream}: ids written more than once: {repeats[:10]}"
        assert set(ids) == expected, (f"{mode.name} {stream}: missing "
                                      f"{sorted(expected - set(ids))[:10]}, "
                                      f"unexpected {sorted(set(ids) - expected)[:10]}")
    assert mode.leftovers() == [], f"{mode.name}: unpublished parts left: {mode.leftovers()}"
    entries = state_entries(mode)
    assert set(entries) == expected, f"{mode.name}: state and outputs disagree"
    assert {status for status, _ in entries.values()} == {COMMITTED}
    by_file: dict[str, set[str]] = {}
    for article_id, (_, output) in entries.items():
        by_file.setdefault(str(output), set()).add(article_id)
    # Several outputs of one run: the state store names the first.
    first = mode.files()[0][1] if mode.files() else None
    for path in mode.published():
        in_file = set(ids_of(path, mode.kind(path)))
        recorded = path if first is None else first
        # Every record the file holds is recorded as written to that file.
        assert in_file <= (by_file.get(str(recorded.resolve()), set())
                           | by_file.get(str(recorded), set())), f"{mode.name}: {path}"


# --- kill-and-resume chains ----------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    how: str  # "lines", "startup", "SIGINT", "SIGTERM" or a crash point
    lines: int = 0
    delay: float = 0.0


def plan(rng: random.Random, kills: int, forced: str) -> list[Kill]:
    chosen: list[Kill] = []
    for _ in range(kills - 1):
        roll = rng.random()
        if roll < 0.5:
            chosen.append(Kill("lines", lines=rng.randint(1, 20)))
        elif roll < 0.65:
            chosen.append(Kill("startup", delay=rng.uniform(0.2, 2.0)))
        elif roll < 0.8:
            chosen.append(Kill(rng.choice(list(SIGNALS)), lines=rng.randint(1, 20)))
        else:
            chosen.append(Kill(rng.choice(CRASH_POINTS)))
    chosen.insert(rng.randrange(1, kills), Kill(forced))
    return chosen


def kill_run(base_url: str, mode: Mode, kill: Kill, rng: random.Random) -> None:
    # In the Redis mode, one worker or both are killed; the other runs on.
    workers = mode.workers()
    victims = set(workers) if len(workers) == 1 or rng.random() < 0.5 else {rng.choice(workers)}
    crash_at = kill.how if kill.how in CRASH_POINTS else None
    before = complete_lines(mode.parts() + mode.published())
    started = [(w, *start(base_url, mode, w, crash_at=crash_at if w in victims else None))
               for w in workers]
    try:
        signal_and_check(mode, kill, started, victims, crash_at, before)
    finally:
        for _, process, _ in started:  # a failed check must not leave crawls running
            if process.poll() is None:
                process.kill()
                process.wait(timeout=60)


def signal_and_check(mode: Mode, kill: Kill,
                     started: list[tuple[str, subprocess.Popen[str], Path]], victims: set[str],
                     crash_at: str | None, before: int) -> None:
    processes = [p for _, p, _ in started]
    if kill.how == "startup":
        time.sleep(kill.delay)
    elif kill.how != "lines" and kill.how not in SIGNALS:
        pass  # a crash point: the run kills itself there
    else:
        wait_for_progress(mode, processes, before, kill.lines)
    for worker, process, _ in started:
        if worker in victims and crash_at is None:
            process.send_signal(SIGNALS.get(kill.how, signal.SIGKILL))
    for worker, process, log in started:
        code = process.wait(timeout=300)
        text = log.read_text("utf-8")
        assert "Traceback" not in text, f"{mode.name} {kill}: traceback in {log}"
        if worker in victims and kill.how in SIGNALS and code != 0:
            # Stopped before it finished: exit 1 and one line naming the output.
            assert code == 1, f"{mode.name} {kill}: exit {code} after {kill.how}"
            lines = failure_lines(text)
            names = [p.name for _, p, _ in mode.files()] or [".jsonl", ".jl"]
            assert any("interrupted" in line and any(name in line for name in names)
                       for line in lines), f"{mode.name} {kill}: no clear line in {log}"
        elif code not in (0, -signal.SIGKILL):
            raise AssertionError(f"{mode.name} {kill}: exit {code}, see {log}")
        if code == 0:
            mode.exited_healthy(worker)


def finish_run(base_url: str, mode: Mode) -> None:
    started = [(w, *start(base_url, mode, w)) for w in mode.workers()]
    for worker, process, log in started:
        code = process.wait(timeout=300)
        assert code == 0, f"{mode.name}: final run exit {code}: {log.read_text('utf-8')[-3000:]}"
        mode.exited_healthy(worker)


@dataclass
class Site:
    server: MirrorServer
    expected: set[str]
    banned: list[int]

    @property
    def url(self) -> str:
        return self.server.url

    def banned_fetched(self) -> list[str]:
        return [path for path in self.server.hits if any(str(i) in path for i in self.banned)]


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """A generated site whose robots.txt disallows two articles (never to be fetched)."""
    generated = GeneratedSite(ARTICLES, seed=21)
    hostile = HostileSite(generated)
    banned = generated.article_ids()[-2:]
    hostile.robots([form for i in banned for form in (f"/newscontent/{i}",
                                                       f"/en/newscontent/{i}")])
    with MirrorServer(hostile) as server:
        yield Site(server, {str(i) for i in generated.article_ids() if i not in banned}, banned)


@pytest.mark.parametrize("mode_name", list(KILLS))
def test_kill_and_resume_ends_with_every_article_exactly_once(
        mode_name: str, site: Site, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    redis_url = None
    if mode_name == "redis":
        server = request.getfixturevalue("redis_server")
        redis_url = f"{server}/7"
        redis.Redis.from_url(redis_url).flushdb()
    mode = Mode(mode_name, tmp_path, redis_url)
    rng = random.Random(f"{SEED}:{mode_name}")
    with replayable():
        for kill in plan(rng, KILLS[mode_name], FORCED_POINT[mode_name]):
            kill_run(site.url, mode, kill, rng)
            assert site.banned_fetched() == [], f"robots.txt ignored after {kill} (run {mode.runs})"
        finish_run(site.url, mode)
        # The rerun after a healthy run adds nothing and repeats nothing.
        finish_run(site.url, mode)
        assert_exactly_once(mode, site.expected)
        assert site.banned_fetched() == [], "an article robots.txt disallows was fetched"


# --- one fault at a time: the run says so, and the same command then completes it ----------


def small_site(articles: int = 60) -> GeneratedSite:
    return GeneratedSite(articles, seed=23)


def run_o(base_url: str, workdir: Path, *extra: str, output: str = "articles.jsonl",
          state: str = "state.sqlite", crash_at: str | None = None,
          **popen: Any) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl smm_news -O <output>` to completion, output captured (pipes: a file size
    limit on the crawl must not hit its log); `crash_at`: a crash point to die at."""
    args = [sys.executable, "-m", "scrapy", "crawl", "smm_news", "-a", f"base_url={base_url}",
            "-a", f"now={SITE_NOW}", "-O", str(workdir / output),
            "-s", f"SMMNEWS_STATE_PATH={workdir / state}"]
    for name, value in FAST.items():
        args += ["-s", f"{name}={value}"]
    run_env = {**env(), "SCRAPY_SETTINGS_MODULE": "smmnews.settings", "PYTHONPATH": str(REPO),
               **({CRASH_ENV: crash_at} if crash_at else {})}
    return subprocess.run([*args, *extra], cwd=workdir, capture_output=True, text=True,
                          timeout=300, env=run_env, check=False, **popen)


def test_a_run_killed_after_its_crawl_before_exit_zero_is_continued_not_replaced(
        tmp_path: Path) -> None:
    # Its output is published and committed, but the process died before exit status 0: no
    # consumer took the file, so the next -O run must hand over these records too.
    site = small_site()
    with MirrorServer(site) as server:
        killed = run_o(server.url, tmp_path, crash_at="before_exit")
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
        first = ids_of(tmp_path / "articles.jsonl")
        assert first, "the killed run had published its output"
        again = run_o(server.url, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert sorted(ids_of(tmp_path / "articles.jsonl")) == sorted(first)
    assert "Continuing" in again.stderr


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (done.stderr + done.stdout).splitlines() if " ERROR: " in line]


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *words: str,
                          bug: bool = False) -> None:
    """Exit 1, a failure line naming the cause and the file, and no traceback unless the cause
    is a bug in code (Scrapy logs those with their traceback)."""
    text = done.stderr + done.stdout
    assert done.returncode == 1, text[-3000:]
    assert bug or "Traceback" not in text, text[-3000:]
    lines = [line for line in error_lines(done) if "Crawl failure (" in line
             or "Crawl refused:" in line]
    assert any(all(word in line for word in words) for line in lines), (words, lines)


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real small filesystem (ENOSPC when full, EROFS when remounted read-only)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True)


def test_disk_full_on_the_output_is_never_committed_and_the_rerun_completes(
        tmp_path: Path) -> None:
    site = small_site()
    with MirrorServer(site) as server, tmpfs(tmp_path / "disk", "128k") as disk:
        full = run_o(server.url, tmp_path, output="disk/articles.jsonl")
        assert_one_clear_line(full, "disk full", str(disk / "articles.jsonl.part"))
        assert not (disk / "articles.jsonl").exists()  # nothing half-done published
        statuses = {status for status, _ in state_entries(Mode("O", tmp_path)).values()}
        assert COMMITTED not in statuses  # nothing recorded as written
        remount(disk, "size=16m")
        again = run_o(server.url, tmp_path, output="disk/articles.jsonl")
        assert again.returncode == 0, again.stderr[-3000:]
        ids = ids_of(disk / "articles.jsonl")
        entries = state_entries(Mode("O", tmp_path))
    assert sorted(ids) == sorted(str(i) for i in site.article_ids())
    assert set(entries) == set(ids) and {s for s, _ in entries.values()} == {COMMITTED}


def test_disk_full_on_the_state_store_fails_the_run_and_the_rerun_completes(
        tmp_path: Path) -> None:
    site = small_site(150)
    with MirrorServer(site) as server, tmpfs(tmp_path / "disk", "96k") as disk:
        state = "disk/state.sqlite"
        full = run_o(server.url, tmp_path, state=state)
        assert_one_clear_line(full, "disk full", str(disk / "state.sqlite"))
        remount(disk, "size=16m")
        again = run_o(server.url, tmp_path, state=state)
        assert again.returncode == 0, again.stderr[-3000:]
        # Run 1 published what it had (exit 1: not to be read); run 2 continued that file.
        ids = ids_of(tmp_path / "articles.jsonl")
        store = SqliteStateStore(disk / "state.sqlite")
        try:
            committed = {k.article_id for k in map(store.get, ids) if k}
            assert store.pending() == []
        finally:
            store.close()
    assert sorted(ids) == sorted(str(i) for i in site.article_ids())
    assert committed == set(ids)


def test_a_write_error_on_the_output_is_a_failure_never_a_commit(tmp_path: Path) -> None:
    """EFBIG from a file size limit (RLIMIT_FSIZE, no root needed) on the output's writes."""
    site = small_site()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (96 * 1024, 96 * 1024))

    with MirrorServer(site) as server:
        failed = run_o(server.url, tmp_path, preexec_fn=limit)
        # The output or the state store's journal reaches the limit first: either way a write
        # failed, and the line names the file.
        assert failed.returncode == 1, failed.stderr[-3000:]
        lines = [line for line in error_lines(failed) if "Crawl failure (" in line]
        assert any(("file size limit" in line and str(tmp_path / "articles.jsonl.part") in line)
                   or ("write failed" in line and str(tmp_path / "state.sqlite") in line)
                   for line in lines), lines
        again = run_o(server.url, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    ids = ids_of(tmp_path / "articles.jsonl")
    assert sorted(ids) == sorted(str(i) for i in site.article_ids())


def good_state(base_url: str, workdir: Path) -> bytes:
    first = run_o(base_url, workdir)
    assert first.returncode == 0, first.stderr[-3000:]
    return (workdir / "state.sqlite").read_bytes()


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "locked", "read-only"])
def test_an_unusable_state_store_is_refused_with_its_path_and_a_remedy(
        damage: str, tmp_path: Path) -> None:
    site = small_site(30)
    with MirrorServer(site) as server:
        good = good_state(server.url, tmp_path)
        before = (tmp_path / "articles.jsonl").read_bytes()
        state = tmp_path / "state.sqlite"
        holder = None
        if damage == "truncated":
            state.write_bytes(b"")
        elif damage == "corrupted":
            state.write_bytes(good[:4096] + bytes(range(256)) * 16 + good[8192:])
        elif damage == "locked":
            holder = subprocess.Popen(
                [sys.executable, "-c", "import sqlite3, sys, time\n"
                 f"db = sqlite3.connect({str(state)!r}, isolation_level=None)\n"
                 "db.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(60)"],
                stdout=subprocess.PIPE, text=True)
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        try:
            if damage == "read-only":
                with tmpfs(tmp_path / "ro", "4m") as ro:
                    (ro / "state.sqlite").write_bytes(good)
                    remount(ro, "ro")
                    refused = run_o(server.url, tmp_path, state="ro/state.sqlite")
                    state = ro / "state.sqlite"
            else:
                refused = run_o(server.url, tmp_path)
        finally:
            if holder is not None:
                holder.kill()
                holder.wait()
                if holder.stdout is not None:
                    holder.stdout.close()
        cause = {"truncated": "empty", "corrupted": "corrupted", "locked": "locked",
                 "read-only": "read-only"}[damage]
        assert_one_clear_line(refused, str(state), cause, "; ")
        assert (tmp_path / "articles.jsonl").read_bytes() == before  # nothing was written
        assert len(error_lines(refused)) == 1
        (tmp_path / "state.sqlite").write_bytes(good)
        again = run_o(server.url, tmp_path)
    assert again.returncode == 0
    assert ids_of(tmp_path / "articles.jsonl") == []  # all known: nothing emitted twice


def test_a_second_crawl_on_the_same_state_or_output_is_refused(tmp_path: Path) -> None:
    site = small_site(150)
    with MirrorServer(site) as server:
        mode = Mode("O", tmp_path)
        # Slowed down so that it is surely still running while the others try.
        first, log = start(server.url, mode, "single", "-s", "DOWNLOAD_DELAY=0.15",
                           "-s", "CONCURRENT_REQUESTS=1")
        wait_for_progress(mode, [first], 0, 2)
        with ThreadPoolExecutor(3) as pool:
            same, other_state, other_output = pool.map(
                lambda args: run_o(server.url, tmp_path, **args),
                [{}, {"state": "other.sqlite"}, {"output": "other.jsonl"}])
        assert first.wait(timeout=300) == 0, log.read_text("utf-8")[-3000:]
    assert_one_clear_line(same, "in use by another crawl", str(tmp_path / "articles.jsonl"))
    assert_one_clear_line(other_state, "in use by another crawl",
                          str(tmp_path / "articles.jsonl"))
    assert_one_clear_line(other_output, "in use by another crawl", str(tmp_path / "state"))
    assert not (tmp_path / "other.jsonl").exists()
    assert sorted(ids_of(tmp_path / "articles.jsonl")) == sorted(
        str(i) for i in site.article_ids())


def test_a_redirect_to_another_url_of_the_same_article_is_followed(tmp_path: Path) -> None:
    site = small_site(30)
    hostile = HostileSite(site)
    chosen = site.article_ids()[:6]
    for article_id in chosen:
        hostile.pages[f"/newscontent/{article_id}"] = Page(
            fault={"kind": "redirect", "to": f"/newscontent/{article_id}/moved-slug"})
    with MirrorServer(hostile) as server:
        urls = ",".join(f"{server.url}newscontent/{i}" for i in chosen)
        done = run_o(server.url, tmp_path, "-a", f"urls={urls}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(ids_of(tmp_path / "articles.jsonl")) == sorted(str(i) for i in chosen)


@pytest.mark.parametrize("where", ["callback", "pipeline"])
def test_an_exception_in_a_callback_or_pipeline_fails_the_run_and_is_counted(
        where: str, tmp_path: Path) -> None:
    site = small_site()
    component = ({"SPIDER_MIDDLEWARES": {"tests.faulty.RaisingSpiderMiddleware": 10}}
                 if where == "callback" else
                 {"ITEM_PIPELINES": {"smmnews.pipelines.ValidationPipeline": 300,
                                     "tests.faulty.RaisingPipeline": 350,
                                     "smmnews.pipelines.IncrementalPipeline": 400}})
    flags = [f"{name}={json.dumps(value)}" for name, value in component.items()]
    failing = {str(i) for i in site.article_ids() if str(i).endswith(FAILING_SUFFIX)}
    with MirrorServer(site) as server:
        failed = run_o(server.url, tmp_path, "-s", flags[0])
        summary = json.loads((tmp_path / "articles.stats.json").read_text("utf-8"))
        first_ids = set(ids_of(tmp_path / "articles.jsonl"))
        again = run_o(server.url, tmp_path)
    assert_one_clear_line(failed, where, bug=True)
    assert summary["failures"] == {where: len(failing)}
    assert summary["errors"] >= len(failing) and summary["complete"] is False
    assert first_ids.isdisjoint(failing)
    assert again.returncode == 0
    # The rerun continues the file of the failed run (exit 1: not handed over) and adds the
    # articles it lost: every article exactly once.
    ids = ids_of(tmp_path / "articles.jsonl")
    assert sorted(ids) == sorted(str(i) for i in site.article_ids())


def test_an_output_that_cannot_be_created_is_one_line_and_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run_o("http://127.0.0.1:9/", tmp_path, output="a-file/out/articles.jsonl")
    assert_one_clear_line(done, "cannot create the output folder", str(blocker / "out"))
    assert len(error_lines(done)) == 1

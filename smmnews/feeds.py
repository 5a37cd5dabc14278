"""Crash-safe JSON Lines output through Scrapy's feed exports.

The feed is written to `<name>.part` beside its final name and renamed into place after an
fsync, so the final file appears complete or not at all and a previous file is never emptied.
A crawl killed mid-run leaves its `.part`; the next run with the same output continues it
(after cutting a half-written last line), and any other run's orphaned `.part` is salvaged into
its final name. The state store's pending entries are reconciled with what reached the disk.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from w3lib.url import file_uri_to_path

from smmnews import locks
from smmnews.crashpoints import crash_point
from smmnews.runtime import RunContext, context_for
from smmnews.state import StateError, StateStore

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def companion(output: Path, suffix: str) -> Path:
    """A file that goes with an output: articles.jsonl -> articles.stats.json (and
    .rejects.jsonl); other formats keep their extension, so articles.csv and articles.json beside
    each other get articles.csv.stats.json and articles.json.stats.json."""
    name = output.name
    for ending in JSON_LINES_ENDINGS:
        if name.endswith(ending):
            return output.with_name(name[: -len(ending)] + suffix)
    return output.with_name(name + suffix)


JSON_LINES_ENDINGS = (".jsonl", ".jl")


JSON_LINES_FORMATS = ("jsonlines", "jsonl", "jl")


def part_path(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def output_path(uri: str) -> Path:
    return Path(file_uri_to_path(uri) if uri.startswith("file:") else uri).resolve()


def cut_to_last_line(path: Path) -> int:
    """Drop a half-written last line (a SIGKILL mid-write); returns the size kept."""
    with path.open("rb+") as handle:
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
    return keep


def ids_in(path: Path) -> set[str]:
    """Article ids of the complete records of a JSON Lines file."""
    found: set[str] = set()
    if not path.exists():
        return found
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break
            try:
                found.add(str(json.loads(line)["article_id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return found


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(part: Path, final: Path) -> None:
    """Atomically replace `final` with the fully written `part`."""
    part.replace(final)
    _fsync_dir(final.parent)


def copy_durably(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())


def os_cause(exc: OSError) -> str:
    """What an OS error means for an output file, in a user's words."""
    causes = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded",
              errno.EFBIG: "file size limit reached", errno.EACCES: "permission denied",
              errno.EPERM: "permission denied", errno.EROFS: "read-only file system",
              errno.EIO: "I/O error"}
    return causes.get(exc.errno or 0, exc.strerror or str(exc))


def continue_unfinished(current: list[Path]) -> None:
    """An output whose last run was killed or failed after publishing it is continued, not
    replaced: with `-O` the rerun would otherwise publish only what that run adds, and the
    records of the unfinished run (never handed to anyone: it did not exit 0) would be lost."""
    for output in current:
        part = part_path(output)
        if not output.name.endswith(JSON_LINES_ENDINGS):
            continue  # a JSON array or CSV cannot be continued by appending
        if locks.published_unfinished(output) and output.exists() and not part.exists():
            copy_durably(output, part)
            logger.warning("Continuing %s: the run that wrote it did not finish cleanly",
                           output)


def publish_empty_strays(state: StateStore, current: list[Path]) -> None:
    """An empty `.part` beside this run's outputs that no pending entry names is what a run
    killed while closing with nothing new leaves: published as the empty file it would have
    become. A non-empty one unknown to the state store is left alone (said once)."""
    pending = {Path(e.output) for e in state.pending() if e.output}
    for folder in sorted({output.parent for output in current}):
        for part in sorted(folder.glob("*.part")):
            final = part.with_name(part.name[: -len(".part")])
            if final in current or final in pending or not final.suffix:
                continue
            if part.stat().st_size == 0:
                publish(part, final)
            else:
                logger.warning("Left alone: %s (the state store knows nothing of it)", part)


def reconcile(state: StateStore, current: list[Path], *, salvage_orphans: bool = True) -> None:
    """Make pending state entries agree with the files an interrupted run left behind.

    An output with pending entries was being written when its run stopped. If its `.part` is
    there, the part is the truth; if not, the run was stopped after the rename and the output
    is. This run's own outputs are resumed (the part continued; see continue_unfinished for a
    published one); other outputs are published and committed. With `salvage_orphans` off
    (distributed workers sharing one state store), only this run's own outputs are touched:
    another output's pending entries belong to a worker that may still be writing, possibly
    on another machine."""
    continue_unfinished(current)
    for output in sorted({Path(e.output) for e in state.pending() if e.output}):
        mine = output in current
        if not salvage_orphans and not mine:
            continue
        part = part_path(output)
        if part.exists() and not output.name.endswith(JSON_LINES_ENDINGS):
            # A CSV, JSON or XML part cannot be read back record by record or continued:
            # its records are fetched again.
            state.forget_pending(str(output), keep=set())
            part.unlink()
            logger.warning("Discarded %s of an interrupted run: its records are fetched again",
                           part)
            continue
        if part.exists():
            cut_to_last_line(part)
            kept = ids_in(part)
            state.forget_pending(str(output), keep=kept)
            if mine:
                logger.warning("Resuming interrupted output %s (%d records kept)",
                               output, len(kept))
                continue
            publish(part, output)
            state.commit(str(output), kept)
            logger.warning("Salvaged %d records of an interrupted run into %s", len(kept), output)
        else:
            # Renamed into place but not committed: the file is the truth.
            written = ids_in(output)
            state.forget_pending(str(output), keep=written)
            state.commit(str(output), written)
    if salvage_orphans:
        publish_empty_strays(state, current)


class GuardedFile(io.RawIOBase):
    """The `.part` handle the exporter writes to. The first failed write or flush (disk full,
    I/O error) is reported once and every later write is dropped: a record after a failed one
    could otherwise land behind half a line, and the part stays resumable. A real binary stream,
    so the CSV and XML exporters can wrap it as they wrap a file."""

    def __init__(self, handle: IO[bytes], storage: AtomicFileFeedStorage) -> None:
        super().__init__()
        self.handle = handle
        self.storage = storage

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(memoryview(data))
        if self.storage.failed:
            return size  # dropped on purpose: see the class docstring
        try:
            self.handle.write(data)
        except OSError as exc:
            self.storage.write_failed(exc)
        return size

    def flush(self) -> None:
        if self.storage.failed or self.handle.closed:
            return
        try:
            self.handle.flush()
        except OSError as exc:
            self.storage.write_failed(exc)

    def fileno(self) -> int:
        return self.handle.fileno()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the failure, if any, was reported when it happened
            self.handle.close()
        super().close()


class AtomicFileFeedStorage:
    """Local file storage with temp-name, fsync and rename; `-O`/`-o` keep their meanings.

    What is committed in the state store after the rename is what the published file holds,
    read back: a record that never reached the disk is never recorded as written."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None,
                 state: StateStore | None = None, stats: StatsCollector | None = None,
                 resumable: bool = False, context: RunContext | None = None) -> None:
        self.path = output_path(uri)
        self.part = part_path(self.path)
        self.overwrite = bool((feed_options or {}).get("overwrite", False))
        # JSON Lines can be read back line by line (what reached the disk is what is committed)
        # and continued after a crash; other formats are committed as a whole.
        self.lines = (feed_options or {}).get("format") in JSON_LINES_FORMATS
        self.state = state
        self.stats = stats
        self.resumable = resumable
        self.context = context
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *,
                     feed_options: dict[str, Any] | None = None) -> AtomicFileFeedStorage:
        context = context_for(crawler)
        storage = cls(uri, feed_options=feed_options, state=context.state, stats=crawler.stats,
                      resumable=bool(crawler.settings.get("JOBDIR")), context=context)
        # The feed exporter also builds a storage from the unexpanded URI template, only to
        # check the scheme: that one names no file (out/%(date)s/...) and is never opened.
        if "%(" not in uri:
            # A file named from a template (a dated partition) is new in every run: no other
            # crawl can be writing it, and a lock file beside each partition would be clutter.
            templated = all(output_path(str(u)) != storage.path
                            for u in crawler.settings.getdict("FEEDS"))
            storage.claim(lock=not templated)
        return storage

    def claim(self, *, lock: bool = True) -> None:
        """Register this run's output and lock it against a second crawl."""
        if self.context is not None:
            self.context.add_output(self.path)
        if not lock:
            return
        try:
            locks.hold(self.path)
        except locks.Busy as exc:
            self.fail("output_in_use", f"{exc}; wait for it to finish (or stop it) and run "
                                       "again")
        except OSError as exc:
            self.fail("output", f"cannot create {locks.lock_path(self.path)}: {os_cause(exc)}")

    def fail(self, kind: str, message: str) -> None:
        self.failed = True
        if self.context is not None:
            self.context.fail(kind, message, stop=True)
        else:
            logger.error("Crawl failure (%s): %s", kind, message)

    def write_failed(self, exc: OSError) -> None:
        self.fail("output_write",
                  f"{os_cause(exc)} while writing {self.part}: the output is incomplete and "
                  f"was not published; {self.path} is unchanged. Fix that and run the same "
                  "command to resume")

    def interrupted(self) -> bool:
        """Stopped by Ctrl-C/SIGTERM in a resumable (JOBDIR) job: the run is not over yet.

        CoreStats records the finish reason before the feed exporter closes its slots."""
        reason = self.stats.get_value("finish_reason") if self.stats is not None else None
        return self.resumable and reason == "shutdown"

    def open(self, spider: Spider) -> IO[bytes]:
        if self.failed:
            return cast("IO[bytes]", GuardedFile(io.BytesIO(), self))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.part.exists() and not self.lines:
                self.part.unlink()  # see reconcile: only JSON Lines parts are continued
            if self.part.exists():
                cut_to_last_line(self.part)
            elif not self.overwrite and self.path.exists():
                copy_durably(self.path, self.part)  # -o appends to a copy: the original stays
            handle = self.part.open("ab")
        except OSError as exc:
            self.fail("output", f"cannot write {self.part}: {os_cause(exc)}; nothing was "
                                f"written to {self.path}")
            return cast("IO[bytes]", GuardedFile(io.BytesIO(), self))
        return cast("IO[bytes]", GuardedFile(handle, self))

    def store(self, file: IO[bytes]) -> None:
        if not self.failed:
            try:
                file.flush()
                if not self.failed:
                    os.fsync(file.fileno())
            except OSError as exc:
                self.write_failed(exc)
        file.close()
        if self.failed:
            return  # the part and its pending entries wait for the next run (reconcile)
        if self.interrupted():
            logger.warning("Crawl interrupted: output kept in %s; run the same command (same "
                           "JOBDIR and output) to resume and publish %s", self.part, self.path)
            return
        crash_point("before_rename")
        try:
            publish(self.part, self.path)
        except OSError as exc:
            self.fail("output", f"cannot publish {self.part} as {self.path}: {os_cause(exc)}")
            return
        locks.mark(self.path, locks.PUBLISHED)
        crash_point("after_rename")
        if self.state is not None:
            self.commit_written()
        crash_point("after_commit")

    def commit_written(self) -> None:
        assert self.state is not None
        try:
            if not self.lines:
                self.state.commit(str(self.path))
                return
            written = ids_in(self.path)
            self.state.commit(str(self.path), written)
            self.state.forget_pending(str(self.path), keep=written)
        except StateError as exc:
            self.fail("state", str(exc))


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """Adds %(date)s (UTC day) for dated output folders: out/%(date)s/%(name)s-%(time)s.jsonl."""
    return {**params, "date": datetime.now(UTC).date().isoformat()}

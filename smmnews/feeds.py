"""Crash-safe output through Scrapy's feed exports, in every feed format.

The feed is written to `<name>.part` beside its final name and renamed into place after an
fsync, so the final file appears complete or not at all and a previous file is never emptied.
A crawl killed mid-run leaves its `.part`; the next run with the same output continues it
(after cutting a half-written last line), and any other run's orphaned `.part` is salvaged into
its final name. The state store's pending entries are reconciled with what reached the disk.

For JSON Lines the `.part` is the file itself. For the other formats (CSV, JSON, XML, pickle,
marshal) it is a JSON Lines journal, and the file in its format is written whole from it (after
the records already published, with `-o`) to `<name>.staged`, then renamed into place
(smmnews/formats.py).
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

from scrapy.utils.conf import feed_complete_default_values_from_settings
from scrapy.utils.misc import load_object
from w3lib.url import file_uri_to_path

from smmnews import formats, locks
from smmnews.crashpoints import crash_point
from smmnews.items import RECORD_FIELDS
from smmnews.runtime import RunContext, context_for
from smmnews.state import StateError, StateStore

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
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


JSON_LINES_ENDINGS = (".jsonl", ".jl", ".ndjson")


def part_path(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def staged_path(path: Path) -> Path:
    """Where a format's file is written from its journal before the rename."""
    return path.with_name(path.name + ".staged")


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


def continue_unfinished(current: list[Path], kinds: dict[Path, str]) -> None:
    """An output whose last run was killed or failed after publishing it is continued, not
    replaced: with `-O` the rerun would otherwise publish only what that run adds, and the
    records of the unfinished run (never handed to anyone: it did not exit 0) would be lost.
    A JSON Lines file is copied to its part; another format's journal starts with a line that
    says so (formats.CONTINUES), so the published records are written first."""
    for output in current:
        part = part_path(output)
        if locks.published_unfinished(output) and output.exists() and not part.exists():
            if formats.is_lines(kinds.get(output, "jsonlines")):
                copy_durably(output, part)
            else:
                with part.open("wb") as handle:
                    handle.write(formats.CONTINUES_LINE)
                    handle.flush()
                    os.fsync(handle.fileno())
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
            if (final in current or final in pending or not final.suffix
                    or final.name.endswith(".stats.json")):
                continue  # a run summary is written whole or not at all: not an output
            if part.stat().st_size == 0:
                kind = formats.format_of(final)
                if formats.is_lines(kind):
                    publish(part, final)
                else:
                    publish_journal(part, final, kind, prefix=None)
            else:
                logger.warning("Left alone: %s (the state store knows nothing of it)", part)


def publish_journal(part: Path, output: Path, kind: str, *, prefix: Path | None) -> None:
    """Write another run's `output` in format `kind` (with the default options) from the
    journal `part`, after the records of `prefix`, and rename it into place; the journal goes
    once its records are in the published file."""
    staged = staged_path(output)
    exporter = load_object(f"smmnews.exporters.{_EXPORTER_NAMES[kind]}")

    def make(file: Any, **overrides: Any) -> Any:
        return exporter(file, **{"fields_to_export": list(RECORD_FIELDS), **overrides})

    with staged.open("wb") as handle:
        formats.render(part, handle, kind, make, {}, prefix)
        handle.flush()
        os.fsync(handle.fileno())
    publish(staged, output)
    part.unlink()
    _fsync_dir(output.parent)


_EXPORTER_NAMES = {"json": "RecordJsonExporter", "csv": "RecordCsvExporter",
                   "xml": "RecordXmlExporter", "pickle": "RecordPickleExporter",
                   "marshal": "RecordMarshalExporter"}


def settle_journal(state: StateStore, output: Path, kind: str, *, mine: bool) -> None:
    """What a killed or failed run left of an output in a format written from a journal.

    The journal's records may already be in the published file (killed between the rename and
    the journal's removal): then they are committed and the journal goes. Otherwise the journal
    is the truth: this run's own output continues it, another run's is published now."""
    part = part_path(output)
    staged_path(output).unlink(missing_ok=True)
    journal = formats.journal_keys(part)
    if output.exists() and journal and journal <= formats.keys_in(output, kind):
        ids = {article_id for article_id, _ in journal}
        state.forget_pending(str(output), keep=ids)
        state.commit(str(output), ids)
        part.unlink()
        _fsync_dir(output.parent)
        return
    cut_to_last_line(part)
    kept = ids_in(part)
    if formats.continues(part) and output.exists():
        # Continuing a published file: its records stay in this output (written first), so
        # its pending ones are kept, to be committed when it is published again.
        kept |= {article_id for article_id, _ in formats.keys_in(output, kind)}
    state.forget_pending(str(output), keep=kept)
    if mine:
        logger.warning("Resuming interrupted output %s (%d records kept)", output, len(kept))
        return
    prefix = output if output.exists() else None
    publish_journal(part, output, kind, prefix=prefix)
    state.commit(str(output), kept)
    logger.warning("Salvaged %d records of an interrupted run into %s", len(kept), output)


def part_keys(part: Path) -> set[tuple[str, str]]:
    """(article id, content hash) of the complete records of a part (JSON Lines either way)."""
    return formats.journal_keys(part)


def keep_common(state: StateStore, current: list[Path], kinds: dict[Path, str]) -> None:
    """Several outputs of one run: a record is kept (pending, to be published) only if every
    output of the run holds it, and dropped from every part otherwise, to be fetched again.
    A kill between the writes of one record to two outputs, or a write error on one of them,
    leaves their parts holding different records; each output must end with every article."""
    pending = {(e.article_id, e.content_hash): e for e in state.pending()
               if e.output and Path(e.output) in current}
    if not pending:
        return
    kept = set(pending)
    for output in current:
        part = part_path(output)
        if part.exists():
            cut_to_last_line(part)
            held = part_keys(part)
            if formats.continues(part) and output.exists():
                # A journal continuing the published file: that file's records count too.
                held |= formats.keys_in(output, kinds.get(output) or formats.format_of(output))
            kept &= held
        elif output.exists():
            # Published in the interrupted run, so complete: it limits nothing unless it
            # misses records (then it was not published by that run).
            kept &= formats.keys_in(output, kinds.get(output) or formats.format_of(output))
        else:
            kept = set()
    drop = set(pending) - kept
    if not drop:
        return
    for output in current:
        part = part_path(output)
        if part.exists():
            drop_records(part, drop)
    for name in {str(e.output) for e in pending.values()}:
        state.forget_pending(name, keep={i for i, _ in kept})
    logger.warning("Dropped %d records that not every output of the interrupted run holds "
                   "(fetched again)", len(drop))


def drop_records(part: Path, drop: set[tuple[str, str]]) -> None:
    """Rewrite a part without the records of `drop` (durably: temp file, fsync, rename)."""
    tmp = part.with_name(part.name + ".trim")
    with part.open("rb") as source, tmp.open("wb") as target:
        for line in source:
            try:
                record = json.loads(line)
                key = (str(record["article_id"]), str(record.get("content_hash")))
            except (ValueError, KeyError, TypeError):
                key = None
            if key not in drop:
                target.write(line)
        target.flush()
        os.fsync(target.fileno())
    publish(tmp, part)


def reconcile(state: StateStore, current: list[Path], *, salvage_orphans: bool = True,
              kinds: dict[Path, str] | None = None) -> None:
    """Make pending state entries agree with the files an interrupted run left behind.

    An output with pending entries was being written when its run stopped. If its `.part` is
    there, the part is the truth; if not, the run was stopped after the rename and the output
    is. This run's own outputs are resumed (the part continued; see continue_unfinished for a
    published one); other outputs are published and committed. With `salvage_orphans` off
    (distributed workers sharing one state store), only this run's own outputs are touched:
    another output's pending entries belong to a worker that may still be writing, possibly
    on another machine. `kinds` gives the format of this run's outputs (others: by name)."""
    kinds = kinds or {}
    for output in current:
        part_path(output).with_name(part_path(output).name + ".trim").unlink(missing_ok=True)
    journaled = [o for o in current if not formats.is_lines(kinds.get(o, "jsonlines"))]
    for output in journaled:
        # A journal is settled even with no pending entry naming it (a second output of a
        # run: the state store names the first), before continue_unfinished reads the lock.
        if part_path(output).exists():
            settle_journal(state, output, kinds[output], mine=True)
        staged_path(output).unlink(missing_ok=True)
    continue_unfinished(current, kinds)
    if len(current) > 1:
        keep_common(state, current, kinds)
    for output in sorted({Path(e.output) for e in state.pending() if e.output}):
        mine = output in current
        if not salvage_orphans and not mine:
            continue
        part = part_path(output)
        kind = kinds.get(output) or formats.format_of(output)
        if mine and output in journaled:
            if not part.exists():
                written = {i for i, _ in formats.keys_in(output, kind)} if output.exists() \
                    else set()
                state.forget_pending(str(output), keep=written)
                state.commit(str(output), written)
            continue
        if not formats.is_lines(kind) and (part.exists() or output.exists()):
            if part.exists():
                settle_journal(state, output, kind, mine=False)
            else:
                written = {i for i, _ in formats.keys_in(output, kind)}
                state.forget_pending(str(output), keep=written)
                state.commit(str(output), written)
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
        # Read by smmnews.exporters: write JSON lines, the format comes at publishing.
        self.journal = not storage.lines

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
                 resumable: bool = False, context: RunContext | None = None,
                 exporter: Any = None) -> None:
        self.path = output_path(uri)
        self.part = part_path(self.path)
        self.options = dict(feed_options or {})
        self.overwrite = bool(self.options.get("overwrite", False))
        self.format = str(self.options.get("format") or formats.format_of(self.path))
        # JSON Lines is written to the part as it is published; other formats are written
        # from the part, a JSON Lines journal, when published (module docstring).
        self.lines = formats.is_lines(self.format)
        self.exporter = exporter
        self.state = state
        self.stats = stats
        self.resumable = resumable
        self.context = context
        self.failed = False
        # Stored and complete, waiting for this run's other outputs (see store); published.
        self.ready = False
        self.published = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *,
                     feed_options: dict[str, Any] | None = None) -> AtomicFileFeedStorage:
        context = context_for(crawler)
        exporters = crawler.settings.getwithbase("FEED_EXPORTERS")
        name = str((feed_options or {}).get("format"))
        exporter = load_object(exporters[name]) if exporters.get(name) else None
        storage = cls(uri, feed_options=feed_options, state=context.state, stats=crawler.stats,
                      resumable=bool(crawler.settings.get("JOBDIR")), context=context,
                      exporter=exporter)
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
            self.context.add_output(self.path, self.format)
            # Published with this run's other outputs (see store); a feed that may never be
            # stored (store_empty off, no items) cannot be waited for. Scrapy builds a first
            # storage of each feed only to check it: the feed slot's, built later, replaces it.
            feeds = [f for f in self.context.feeds if f.path != self.path]
            if self.options.get("store_empty", True) is not False:
                feeds.append(self)
            self.context.feeds[:] = feeds
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

    def make_exporter(self, file: IO[bytes], **overrides: Any) -> Any:
        """The format's exporter over `file`, built as Scrapy's feed slot builds it."""
        kwargs = {"fields_to_export": self.options.get("fields"),
                  "encoding": self.options.get("encoding"),
                  "indent": self.options.get("indent"),
                  **(self.options.get("item_export_kwargs") or {}), **overrides}
        return self.exporter(file, **kwargs)

    def prefix(self) -> Path | None:
        """The published records the file in a journaled format starts with: with `-o` the
        file as it stands, with `-O` only when continuing an unfinished run's file."""
        if not self.path.exists():
            return None
        if not self.overwrite or (self.part.exists() and formats.continues(self.part)):
            return self.path
        return None

    def append_problem(self) -> str | None:
        """Why `-o` cannot add to the file as it stands (not a file of its format, or other
        columns), or None."""
        if self.lines or self.overwrite or not self.path.exists() or self.exporter is None:
            return None
        try:
            formats.render(Path(os.devnull), io.BytesIO(), self.format, self.make_exporter,
                           self.options, self.path)
        except formats.FormatError as exc:
            return (f"cannot append to {self.path}: {exc}; move it away (or use -O to replace "
                    "it) and run again")
        except OSError as exc:
            return f"cannot read {self.path}: {os_cause(exc)}"
        return None

    def open(self, spider: Spider) -> IO[bytes]:
        if self.failed:
            return cast("IO[bytes]", GuardedFile(io.BytesIO(), self))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.part.exists():
                cut_to_last_line(self.part)
            elif self.lines and not self.overwrite and self.path.exists():
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
        if not self.lines and not self.render():
            return
        self.ready = True
        # Several outputs of one run are published together, once all are complete: one that
        # failed would otherwise miss records its siblings handed over and the state store
        # recorded as written.
        group = self.context.feeds if self.context is not None and self in self.context.feeds \
            else [self]
        if not all(s.ready or s.failed for s in group):
            return  # the last of them publishes all
        failed = [s for s in group if s.failed]
        if failed:
            for sibling in group:
                if sibling.ready:
                    staged_path(sibling.path).unlink(missing_ok=True)
                    logger.warning("Not published: %s, because %s failed; its records are "
                                   "kept in %s for the rerun", sibling.path, failed[0].path,
                                   sibling.part)
            return
        for sibling in group:
            if not sibling.published and not sibling.publish_now():
                return
        if self.state is not None:
            for sibling in group:
                sibling.commit_written()
        crash_point("after_commit")

    def publish_now(self) -> bool:
        """Rename this output into place (stored and complete); False if that failed."""
        crash_point("before_rename")
        # Marked before the rename: a run killed between the rename and the mark would leave
        # the next run replacing a file nobody was handed, whose records reconcile commits.
        # Killed before the rename, the part is still there and the next run resumes it.
        locks.mark(self.path, locks.PUBLISHED)
        source = self.part if self.lines else staged_path(self.path)
        try:
            publish(source, self.path)
        except OSError as exc:
            locks.mark(self.path, locks.RUNNING)
            self.fail("output", f"cannot publish {source} as {self.path}: {os_cause(exc)}")
            return False
        self.published = True
        crash_point("after_rename")
        if not self.lines:
            # Killed before this, reconcile finds the journal's records in the published file.
            with contextlib.suppress(FileNotFoundError):
                self.part.unlink()
        return True

    def render(self) -> bool:
        """Write the file in its format from the journal to `<name>.staged`, fsynced."""
        staged = staged_path(self.path)
        try:
            with staged.open("wb") as handle:
                formats.render(self.part, handle, self.format, self.make_exporter,
                               self.options, self.prefix())
                handle.flush()
                os.fsync(handle.fileno())
        except formats.FormatError as exc:
            self.fail("output", f"cannot append to {self.path}: {exc}; its new records are "
                                f"kept in {self.part}: move {self.path} away (or use -O) and "
                                "run the same command again")
            return False
        except OSError as exc:
            staged.unlink(missing_ok=True)
            self.fail("output_write",
                      f"{os_cause(exc)} while writing {staged}: {self.path} is unchanged and "
                      f"its new records are kept in {self.part}. Fix that and run the same "
                      "command to publish them")
            return False
        return True

    def commit_written(self) -> None:
        assert self.state is not None
        try:
            try:
                written = (ids_in(self.path) if self.lines else
                           {i for i, _ in formats.keys_in(self.path, self.format, self.options)})
            except formats.FormatError as exc:
                self.fail("output", f"cannot read back {self.path}: {exc}")
                return
            self.state.commit(str(self.path), written)
            self.state.forget_pending(str(self.path), keep=written)
        except StateError as exc:
            self.fail("state", str(exc))


def append_problem(uri: str, options: dict[str, Any], settings: BaseSettings) -> str | None:
    """Checked before a crawl starts: `-o` on an existing file it cannot add to."""
    options = feed_complete_default_values_from_settings(dict(options), settings)
    name = str(options.get("format"))
    exporters = settings.getwithbase("FEED_EXPORTERS")
    exporter = load_object(exporters[name]) if exporters.get(name) else None
    storage = AtomicFileFeedStorage(uri, feed_options=options, exporter=exporter)
    return storage.append_problem()


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """Adds %(date)s (UTC day) for dated output folders: out/%(date)s/%(name)s-%(time)s.jsonl."""
    return {**params, "date": datetime.now(UTC).date().isoformat()}

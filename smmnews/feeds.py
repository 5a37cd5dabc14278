"""Crash-safe JSON Lines output through Scrapy's feed exports.

The feed is written to `<name>.part` beside its final name and renamed into place after an
fsync, so the final file appears complete or not at all and a previous file is never emptied.
A crawl killed mid-run leaves its `.part`; the next run with the same output continues it
(after cutting a half-written last line), and any other run's orphaned `.part` is salvaged into
its final name. The state store's pending entries are reconciled with what reached the disk.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from w3lib.url import file_uri_to_path

from smmnews.runtime import context_for
from smmnews.state import StateStore

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


def reconcile(state: StateStore, current: list[Path], *, salvage_orphans: bool = True) -> None:
    """Make pending state entries agree with the files a crashed run left behind.

    With `salvage_orphans` off (distributed workers sharing one state store), only this run's
    own outputs are touched: another output's pending entries belong to a worker that may still
    be writing, possibly on another machine."""
    for output in sorted({Path(e.output) for e in state.pending() if e.output}):
        if not salvage_orphans and output not in current:
            continue
        part = part_path(output)
        if part.exists():
            cut_to_last_line(part)
            kept = ids_in(part)
            state.forget_pending(str(output), keep=kept)
            if output not in current:
                publish(part, output)
                state.commit(str(output), kept)
                logger.warning("Salvaged %d records of an interrupted run into %s",
                               len(kept), output)
            else:
                logger.warning("Resuming interrupted output %s (%d records kept)",
                               output, len(kept))
        else:
            # Renamed into place but not committed: the file is the truth.
            written = ids_in(output)
            state.forget_pending(str(output), keep=written)
            state.commit(str(output), written)


class AtomicFileFeedStorage:
    """Local file storage with temp-name, fsync and rename; `-O`/`-o` keep their meanings."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None,
                 state: StateStore | None = None, stats: StatsCollector | None = None,
                 resumable: bool = False) -> None:
        self.path = output_path(uri)
        self.part = part_path(self.path)
        self.overwrite = bool((feed_options or {}).get("overwrite", False))
        self.state = state
        self.stats = stats
        self.resumable = resumable

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *,
                     feed_options: dict[str, Any] | None = None) -> AtomicFileFeedStorage:
        context = context_for(crawler)
        storage = cls(uri, feed_options=feed_options, state=context.state, stats=crawler.stats,
                      resumable=bool(crawler.settings.get("JOBDIR")))
        context.outputs.append(storage.path)
        return storage

    def interrupted(self) -> bool:
        """Stopped by Ctrl-C/SIGTERM in a resumable (JOBDIR) job: the run is not over yet.

        CoreStats records the finish reason before the feed exporter closes its slots."""
        reason = self.stats.get_value("finish_reason") if self.stats is not None else None
        return self.resumable and reason == "shutdown"

    def open(self, spider: Spider) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.part.exists():
            cut_to_last_line(self.part)
        elif not self.overwrite and self.path.exists():
            shutil.copyfile(self.path, self.part)  # -o appends to a copy: the original stays
        return self.part.open("ab")

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        if self.interrupted():
            logger.warning("Crawl interrupted: output kept in %s; run the same command (same "
                           "JOBDIR and output) to resume and publish %s", self.part, self.path)
            return
        publish(self.part, self.path)
        if self.state is not None:
            self.state.commit(str(self.path))


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """Adds %(date)s (UTC day) for dated output folders: out/%(date)s/%(name)s-%(time)s.jsonl."""
    return {**params, "date": datetime.now(UTC).date().isoformat()}

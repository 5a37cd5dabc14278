"""What earlier runs wrote: article id -> content hash, revision, when, and in which output.

Scheduled runs are incremental: a known article is not fetched again unless its sitemap
`lastmod` is newer than our copy. Entries are `pending` while the output file that holds them is
still being written and `committed` once it is renamed into place, so a crashed run's items can
be reconciled with what actually reached the disk (see smmnews/feeds.py).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from smmnews import locks

PENDING = "pending"
COMMITTED = "committed"


# Longest a state call waits for SQLite's write lock: the reactor waits with it. Another crawl
# cannot hold it (smmnews.locks); a stray sqlite3 shell can, and then the crawl fails instead.
BUSY_TIMEOUT = 2.0
_T = TypeVar("_T")

REMEDY_RESTORE = ("restore it from a backup, or move it away to start afresh (every article is "
                  "then fetched and emitted again)")
REMEDY_RETRY = "fix that and run the same command again"


class StateError(RuntimeError):
    """The state store cannot be read or written: a crawl failure, never a silent reset."""

    def __init__(self, path: str | Path, cause: str, remedy: str = REMEDY_RETRY) -> None:
        super().__init__(f"state store {path}: {cause}; {remedy}")
        self.path = str(path)
        self.cause = cause


def describe(exc: BaseException) -> tuple[str, str]:
    """Cause and remedy of a SQLite or OS error, in a user's words."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if "locked" in text or "busy" in text:
        return (f"locked by another process (its write lock was held for over {BUSY_TIMEOUT:g} s)",
                "stop the process holding it and run again")
    if "readonly" in text or "read-only" in text or code in (errno.EROFS, errno.EACCES,
                                                             errno.EPERM):
        return "read-only", "make the file and its folder writable and run again"
    if "disk is full" in text or code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "disk full", "free space on its disk and run the same command again"
    if "disk i/o error" in text:
        return ("write failed (disk I/O error: the disk is full, a file size limit was hit or "
                "the disk is failing)", "fix that and run the same command again")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"corrupted ({exc})", REMEDY_RESTORE
    return str(exc), REMEDY_RETRY


@dataclass(frozen=True, slots=True)
class Known:
    article_id: str
    content_hash: str
    revision: int
    seen_at: datetime
    status: str
    output: str | None


class StateStore(Protocol):
    def get(self, article_id: str) -> Known | None: ...

    def put(self, article_id: str, content_hash: str, revision: int, output: str | None) -> None:
        """Record an emitted article as pending in `output`."""

    def pending(self) -> list[Known]: ...

    def commit(self, output: str, ids: set[str] | None = None) -> int:
        """Mark the pending entries of `output` (all, or only `ids`) committed."""

    def forget_pending(self, output: str, keep: set[str]) -> int:
        """Drop pending entries of `output` that are not in `keep` (never reached the disk)."""

    def count(self) -> int: ...

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT,
    previous_hash TEXT,
    previous_revision INTEGER
);
CREATE INDEX IF NOT EXISTS articles_status ON articles (status, output);
"""


# SQLite's name for a database that lives in memory only.
MEMORY = ":memory:"


def _known(row: tuple[str, str, int, str, str, str | None]) -> Known:
    return Known(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4], row[5])


def _create(path: Path) -> None:
    """A new store is built under a temporary name and renamed into place, so a crash while
    creating it never leaves the empty file that would read as a truncated store."""
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp, isolation_level=None)
    try:
        db.executescript(_SCHEMA)
    finally:
        db.close()
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    tmp.replace(path)


class SqliteStateStore:
    """The default store: one SQLite file, WAL mode so a killed process leaves it consistent.

    Opening checks it: an empty, foreign or corrupted file, a read-only or locked one raise
    StateError, and one crawl at a time may use it (smmnews.locks). Every later SQLite error
    is a StateError too, naming the file and what to do."""

    def __init__(self, path: str | Path, busy_timeout: float = BUSY_TIMEOUT) -> None:
        path = Path(path)
        self.path = path
        if str(path) == MEMORY:
            # A private store of one process (re-extraction's workers): no file, no lock.
            self.db = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
            self.db.executescript(_SCHEMA)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            locks.hold(path)
        except locks.Busy:
            raise StateError(path, "in use by another crawl",
                             "wait for it to finish (or stop it) and run again") from None
        except OSError as exc:
            raise StateError(path, *describe(exc)) from None
        self.db = self._guard(lambda: self._open(path, busy_timeout))

    def _open(self, path: Path, busy_timeout: float) -> sqlite3.Connection:
        if not path.exists():
            _create(path)
        elif path.stat().st_size == 0:
            raise StateError(path, "the file is empty (truncated?)", REMEDY_RESTORE)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                             timeout=busy_timeout)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            problems = [row[0] for row in db.execute("PRAGMA quick_check(3)").fetchall()]
            if problems != ["ok"]:
                found = " ".join(" ".join(problems).split())[:200]
                raise StateError(path, f"corrupted ({found or 'no answer'})", REMEDY_RESTORE)
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone() is None:
                raise StateError(path, "not a smmnews state store (no articles table)",
                                 REMEDY_RESTORE)
            # Fails now, not at the first emitted article, when it cannot be written.
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        except BaseException:
            db.close()
            raise
        return db

    def _guard(self, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except StateError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StateError(self.path, *describe(exc)) from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get(self, article_id: str) -> Known | None:
        def run() -> Known | None:
            row = self.db.execute(
                "SELECT article_id, content_hash, revision, seen_at, status, output "
                "FROM articles WHERE article_id = ?", (article_id,)).fetchone()
            return _known(row) if row else None
        return self._guard(run)

    def put(self, article_id: str, content_hash: str, revision: int, output: str | None) -> None:
        # The previous committed version is kept so a crashed revision can be rolled back.
        now = datetime.now(UTC).isoformat()
        self._guard(lambda: self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, NULL, NULL) "
            "ON CONFLICT(article_id) DO UPDATE SET "
            "previous_hash = CASE WHEN status = 'committed' THEN content_hash "
            "ELSE previous_hash END, "
            "previous_revision = CASE WHEN status = 'committed' THEN revision "
            "ELSE previous_revision END, "
            "content_hash = excluded.content_hash, revision = excluded.revision, "
            "seen_at = excluded.seen_at, status = excluded.status, output = excluded.output",
            (article_id, content_hash, revision, now, PENDING, output)))

    def _pending(self) -> list[Known]:
        rows = self.db.execute(
            "SELECT article_id, content_hash, revision, seen_at, status, output FROM articles "
            "WHERE status = ?", (PENDING,)).fetchall()
        return [_known(r) for r in rows]

    def pending(self) -> list[Known]:
        return self._guard(self._pending)

    def commit(self, output: str, ids: set[str] | None = None) -> int:
        def run() -> int:
            if ids is None:
                return int(self.db.execute(
                    "UPDATE articles SET status = ? WHERE status = ? AND output = ?",
                    (COMMITTED, PENDING, output)).rowcount)
            done = 0
            with self._transaction():
                for article_id in ids:
                    done += self.db.execute(
                        "UPDATE articles SET status = ? WHERE status = ? AND output = ? "
                        "AND article_id = ?", (COMMITTED, PENDING, output, article_id)).rowcount
            return done
        return self._guard(run)

    def forget_pending(self, output: str, keep: set[str]) -> int:
        def run() -> int:
            dropped = 0
            with self._transaction():
                for entry in self._pending():
                    if entry.output != output or entry.article_id in keep:
                        continue
                    # Roll back to the last committed version, or forget one never committed.
                    dropped += self.db.execute(
                        "UPDATE articles SET content_hash = previous_hash, revision = "
                        "previous_revision, status = ?, previous_hash = NULL WHERE "
                        "article_id = ? AND previous_hash IS NOT NULL",
                        (COMMITTED, entry.article_id)).rowcount
                    dropped += self.db.execute(
                        "DELETE FROM articles WHERE article_id = ? AND status = ?",
                        (entry.article_id, PENDING)).rowcount
            return dropped
        return self._guard(run)

    def count(self) -> int:
        return self._guard(
            lambda: int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]))

    def close(self) -> None:
        # Closing a broken store: the failure was reported when it broke.
        with suppress(sqlite3.Error):
            self.db.close()
        locks.release(self.path)


def sqlite_state(settings: object) -> SqliteStateStore:
    """Factory named by the SMMNEWS_STATE_FACTORY setting (the default backend)."""
    get = getattr(settings, "get")  # noqa: B009 - Settings is untyped
    return SqliteStateStore(get("SMMNEWS_STATE_PATH"),
                            float(get("SMMNEWS_STATE_BUSY_TIMEOUT") or BUSY_TIMEOUT))

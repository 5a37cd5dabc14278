"""What earlier runs wrote: article id -> content hash, revision, when, and in which output.

Scheduled runs are incremental: a known article is not fetched again unless its sitemap
`lastmod` is newer than our copy. Entries are `pending` while the output file that holds them is
still being written and `committed` once it is renamed into place, so a crashed run's items can
be reconciled with what actually reached the disk (see smmnews/feeds.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

PENDING = "pending"
COMMITTED = "committed"


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


def _known(row: tuple[str, str, int, str, str, str | None]) -> Known:
    return Known(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4], row[5])


class SqliteStateStore:
    """The default store: one SQLite file, WAL mode so a killed process leaves it consistent."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def get(self, article_id: str) -> Known | None:
        row = self.db.execute(
            "SELECT article_id, content_hash, revision, seen_at, status, output FROM articles "
            "WHERE article_id = ?", (article_id,)).fetchone()
        return _known(row) if row else None

    def put(self, article_id: str, content_hash: str, revision: int, output: str | None) -> None:
        # The previous committed version is kept so a crashed revision can be rolled back.
        now = datetime.now(UTC).isoformat()
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, NULL, NULL) "
            "ON CONFLICT(article_id) DO UPDATE SET "
            "previous_hash = CASE WHEN status = 'committed' THEN content_hash "
            "ELSE previous_hash END, "
            "previous_revision = CASE WHEN status = 'committed' THEN revision "
            "ELSE previous_revision END, "
            "content_hash = excluded.content_hash, revision = excluded.revision, "
            "seen_at = excluded.seen_at, status = excluded.status, output = excluded.output",
            (article_id, content_hash, revision, now, PENDING, output))

    def pending(self) -> list[Known]:
        rows = self.db.execute(
            "SELECT article_id, content_hash, revision, seen_at, status, output FROM articles "
            "WHERE status = ?", (PENDING,)).fetchall()
        return [_known(r) for r in rows]

    def commit(self, output: str, ids: set[str] | None = None) -> int:
        if ids is None:
            cursor = self.db.execute(
                "UPDATE articles SET status = ? WHERE status = ? AND output = ?",
                (COMMITTED, PENDING, output))
            return cursor.rowcount
        done = 0
        for article_id in ids:
            done += self.db.execute(
                "UPDATE articles SET status = ? WHERE status = ? AND output = ? AND article_id = ?",
                (COMMITTED, PENDING, output, article_id)).rowcount
        return done

    def forget_pending(self, output: str, keep: set[str]) -> int:
        dropped = 0
        for entry in self.pending():
            if entry.output != output or entry.article_id in keep:
                continue
            # Roll back to the last committed version, or forget an article never committed.
            dropped += self.db.execute(
                "UPDATE articles SET content_hash = previous_hash, revision = previous_revision, "
                "status = ?, previous_hash = NULL WHERE article_id = ? AND previous_hash "
                "IS NOT NULL", (COMMITTED, entry.article_id)).rowcount
            dropped += self.db.execute(
                "DELETE FROM articles WHERE article_id = ? AND status = ?",
                (entry.article_id, PENDING)).rowcount
        return dropped

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def close(self) -> None:
        self.db.close()


def sqlite_state(settings: object) -> SqliteStateStore:
    """Factory named by the SMMNEWS_STATE_FACTORY setting (the default backend)."""
    path = getattr(settings, "get")("SMMNEWS_STATE_PATH")  # noqa: B009 - Settings is untyped
    return SqliteStateStore(path)

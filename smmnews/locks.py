"""One crawl per state store and per output file: an exclusive `flock` on its lock file,
`.smmnews/<file>.lock` in the file's folder.

The kernel drops an flock when its process dies, however it dies (SIGKILL, power loss of a
container), so a crashed crawl never leaves a stale lock behind and needs no cleanup. Locks are
held until the process exits; taking one twice in one process is a no-op (the preflight of
`scrapy crawl` and the component that uses the file both ask for it).

The lock file also says how far the last run on the file got: `<pid> running` while it runs,
`<pid> published` once it renamed its output into place, `<pid> done` once it ended healthy. A
run that finds `published` knows its predecessor published the file but was killed or failed
after that (so nobody should have taken the file yet), and continues that output instead of
replacing it (smmnews/feeds.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

_HELD: dict[Path, int] = {}
# What the lock file said when this process took the lock: how the previous run ended.
_PREVIOUS: dict[Path, str] = {}
RUNNING = "running"
PUBLISHED = "published"
DONE = "done"


class Busy(RuntimeError):
    """Another live process holds the lock."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} is in use by another crawl{holder}")
        self.path = path


LOCK_DIR = ".smmnews"


def lock_path(path: Path) -> Path:
    """`out/articles.jsonl` -> `out/.smmnews/articles.jsonl.lock` (out of the way of globs over
    the outputs); a file already in a `.smmnews` folder keeps its lock beside it."""
    folder = path.parent if path.parent.name == LOCK_DIR else path.parent / LOCK_DIR
    return folder / (path.name + ".lock")


def hold(path: str | Path) -> None:
    """Lock `path` for this process, or raise Busy (never waits)."""
    target = Path(path).resolve()
    if target in _HELD:
        return
    lock = lock_path(target)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = ""
        with contextlib.suppress(OSError, ValueError):
            pid = int(os.pread(fd, 64, 0).decode().split()[0])
            holder = f" (pid {pid})" if pid else ""
        os.close(fd)
        raise Busy(target, holder) from None
    _PREVIOUS[target] = os.pread(fd, 64, 0).decode(errors="replace").strip()
    _HELD[target] = fd
    # `published` stays until a run on the file ends healthy: a run killed while it continues
    # such an output must leave the next one continuing it too.
    if not _PREVIOUS[target].endswith(PUBLISHED):
        _write(fd, RUNNING)


def _write(fd: int, status: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} {status}\n".encode(), 0)
    os.fsync(fd)


def mark(path: str | Path, status: str) -> None:
    """Record how far this run on `path` got (PUBLISHED, DONE)."""
    fd = _HELD.get(Path(path).resolve())
    if fd is not None:
        _write(fd, status)


# Outputs of a healthy run, marked DONE by the crawl command as the process's last act.
_DONE_AT_EXIT: list[Path] = []


def done_at_exit(paths: list[Path]) -> None:
    """Mark these outputs DONE only when the process is about to exit 0 (mark_exit_done): a
    run killed between the end of its crawl and its exit has not handed its output to anyone
    (whoever runs it reads the output after exit status 0), so the next run must continue
    the output, not replace it."""
    _DONE_AT_EXIT.extend(paths)


def mark_exit_done() -> None:
    for path in _DONE_AT_EXIT:
        mark(path, DONE)
    _DONE_AT_EXIT.clear()


def published_unfinished(path: str | Path) -> bool:
    """The previous run on `path` (locked by this process) published it, then was killed or
    failed before it ended healthy."""
    return _PREVIOUS.get(Path(path).resolve(), "").endswith(PUBLISHED)


def release(path: str | Path) -> None:
    _PREVIOUS.pop(Path(path).resolve(), None)
    fd = _HELD.pop(Path(path).resolve(), None)
    if fd is not None:
        os.close(fd)

"""One crawl per state store and per output file: an exclusive `flock` on `<file>.lock`.

The kernel drops an flock when its process dies, however it dies (SIGKILL, power loss of a
container), so a crashed crawl never leaves a stale lock behind and needs no cleanup. Locks are
held until the process exits; taking one twice in one process is a no-op (the preflight of
`scrapy crawl` and the component that uses the file both ask for it).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

_HELD: dict[Path, int] = {}


class Busy(RuntimeError):
    """Another live process holds the lock."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} is in use by another crawl{holder}")
        self.path = path


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


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
            pid = int(os.pread(fd, 32, 0).decode().strip() or 0)
            holder = f" (pid {pid})" if pid else ""
        os.close(fd)
        raise Busy(target, holder) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _HELD[target] = fd


def release(path: str | Path) -> None:
    fd = _HELD.pop(Path(path).resolve(), None)
    if fd is not None:
        os.close(fd)

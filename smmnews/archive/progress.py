"""A progress bar on stderr: pages done of all, rate, ETA (redrawn on a terminal, else a line
every few seconds, so logs of scheduled jobs stay readable)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from smmnews.extensions import _duration as duration

BAR_WIDTH = 24


class ProgressBar:
    def __init__(self, total: int, *, label: str = "pages", stream: TextIO | None = None,
                 every: float = 0.2, plain_every: float = 10.0) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every = every if self.tty else plain_every
        self.done = 0
        self.started = time.monotonic()
        self.shown = 0.0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        share = self.done / self.total if self.total else 1.0
        eta = (self.total - self.done) / rate if rate else float("inf")
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        return (f"[{bar}] {self.done}/{self.total} {self.label} ({100 * share:.1f}%), "
                f"{rate:.1f} {self.label}/s, ETA {duration(eta)}")

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.shown >= self.every:
            self.shown = now
            self._show()

    def _show(self, end: str = "") -> None:
        if self.tty:
            self.stream.write("\r\033[K" + self.line() + end)
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        self._show(end="\n")

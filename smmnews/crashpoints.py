"""Named points where the fault-matrix tests kill the crawl with SIGKILL.

`SMMNEWS_CRASH_AT=after_rename` makes the process kill itself the moment it passes that point,
so a test can hit windows a timer never finds (between the rename of the output and the commit
of the state). Unset, as in production, a crash point is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "SMMNEWS_CRASH_AT"
POINTS = ("before_rename", "after_rename", "after_commit", "during_close", "before_exit")


def crash_point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)

"""`scrapy crawl` with what scheduled jobs need: spider arguments are validated before anything
starts (one usage line, exit 2); a state store or output that cannot be used, or that another
crawl is using, is refused before anything starts (one line, exit 1); and the exit status says
whether the output can be trusted:

- 0: the crawl finished and everything it found is in the output and the state store;
- 1: the crawl failed or its output may be incomplete (a write error, a broken state store, an
  exception in a callback or pipeline, a signal): one ERROR line names the cause and the file;
- 2: usage error;
- 3: the crawl itself worked but a job-health monitor failed (smmnews/monitors.py).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from typing import Any, NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from smmnews import locks
from smmnews import stats as keys
from smmnews.crashpoints import crash_point
from smmnews.extract.endpoint import EndpointError, parse_endpoints
from smmnews.feeds import append_problem, os_cause, output_path
from smmnews.options import OptionError, parse_options
from smmnews.render import RenderError, missing_requirement, render_mode, wait_until
from smmnews.runtime import FAILED_REASON, failures_of, open_state
from smmnews.state import StateError

FAILED_EXIT = 1
MONITOR_FAILED_EXIT = 3
logger = logging.getLogger(__name__)


def local_feeds(settings: Any) -> list[str]:
    """The file outputs this crawl will write (the default dated feed when none is given)."""
    feeds = [str(uri) for uri in settings.getdict("FEEDS")] or [
        str(settings.get("SMMNEWS_DEFAULT_FEED"))]
    return [uri for uri in feeds if uri.startswith("file:") or "://" not in uri]


def refuse_postprocessing(settings: Any) -> None:
    """Compressed feeds (FEEDS `postprocessing`) to a local file are refused: the crash-safe
    output reads its file back and continues it line by line, which a compressed stream does
    not allow (a killed run's records would be lost or handed over twice)."""
    for uri, options in settings.getdict("FEEDS").items():
        local = str(uri).startswith("file:") or "://" not in str(uri)
        if local and (options or {}).get("postprocessing"):
            raise UsageError(f"FEEDS {uri}: postprocessing (compression) is not supported for "
                             "local files; write it uncompressed and compress the published "
                             "file (gzip) after the run", print_help=False)


def preflight(settings: Any, spider_name: str) -> str | None:
    """Why this crawl cannot start, or None. Takes the locks the crawl then keeps."""
    for uri in local_feeds(settings):
        template = "%(" in uri
        # A dated template names its file only at start; its fixed leading folders are known.
        path = output_path(uri.split("%(")[0] + "x" if template else uri)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"cannot create the output folder {path.parent}: {os_cause(exc)}"
        if template:
            continue
        if problem := append_problem(uri, settings.getdict("FEEDS").get(uri) or {}, settings):
            return problem
        try:
            locks.hold(path)
        except locks.Busy as exc:
            return f"{exc}; wait for it to finish (or stop it) and run again"
        except OSError as exc:
            return f"cannot lock the output {path}: {os_cause(exc)}"
    if uses_redis(settings):
        # Imported only here: the redis extra is optional.
        from smmnews.distributed.health import redis_problem

        if (problem := redis_problem(settings, spider_name)) is not None:
            return problem
    try:
        open_state(settings)  # checked, locked; the crawl opens it again in this process
    except StateError as exc:
        return str(exc)
    return None


def uses_redis(settings: Any) -> bool:
    """Whether a component of this crawl lives in Redis (smmnews.distributed)."""
    return any(str(settings.get(name) or "").startswith("smmnews.distributed.")
               for name in ("SCHEDULER", "DUPEFILTER_CLASS", "SMMNEWS_STATE_FACTORY"))


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # A crawl job: the default feed, the run summary and the monitors belong to it, not to
        # `scrapy parse`, `check` or `shell`, which run the same spider.
        self.settings.set("SMMNEWS_CRAWL_JOB", True, priority="cmdline")

    def _create_crawler(self, spidercls: Any) -> Any:
        crawler = super()._create_crawler(spidercls)
        self.smmnews_crawler = crawler
        return crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "smm_news" and self.settings is not None:
            try:
                parse_options(dict(opts.spargs), self.settings.get("SMMNEWS_BASE_URL"),
                              self.settings.getlist("SMMNEWS_LISTINGS"))
                parse_endpoints(self.settings.get("SMMNEWS_LISTING_ENDPOINTS"))
                refuse_postprocessing(self.settings)
                wait_until(self.settings)
                if render_mode(self.settings) != "never" and (
                        missing := missing_requirement(self.settings)):
                    raise RenderError(f"SMMNEWS_RENDER needs {missing}")
            except (OptionError, EndpointError, RenderError) as exc:
                raise UsageError(str(exc), print_help=False) from None
            refused = preflight(self.settings, args[0])
            if refused is not None:
                logger.error("Crawl refused: %s", refused)
                self.exitcode = FAILED_EXIT
                return
        super().run(args, opts)
        crawler = getattr(self, "smmnews_crawler", None)
        try:
            stats = crawler.stats.get_stats() if crawler is not None else {}
        except RuntimeError:  # the crawl never started: Scrapy has already set the exit code
            stats = {}
        if self.exitcode != 0 or crawler is None:
            return
        if "finish_reason" not in stats:
            # Stopped by a signal while starting: Scrapy exits 0 without ever closing the spider.
            outputs = ", ".join(local_feeds(self.settings)) or "its output"
            logger.error("Crawl failure (interrupted): stopped by a signal before it finished "
                         "starting; nothing new was published to %s. Run the same command "
                         "again", outputs)
            self.exitcode = FAILED_EXIT
        elif failures_of(stats) or stats.get("finish_reason") in (FAILED_REASON, "shutdown"):
            self.exitcode = FAILED_EXIT
        elif stats.get(keys.MONITORS_FAILED):
            self.exitcode = MONITOR_FAILED_EXIT
        if self.exitcode == 0:
            exit_healthy()


def exit_healthy() -> NoReturn:
    """Mark the outputs done and exit 0 at once. Until the mark, the next run on an output
    continues it instead of replacing it (`-O`): a run killed after its crawl but before
    exiting 0 has handed its output to nobody. Exiting right after the mark leaves no time
    to be killed in between (interpreter shutdown takes a while); logs and the standard
    streams are flushed first, and everything else was closed with the crawl."""
    # The crawl is over and its output complete: a Ctrl-C or SIGTERM now changes nothing.
    for name in (signal.SIGINT, signal.SIGTERM):
        signal.signal(name, signal.SIG_IGN)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    crash_point("before_exit")
    locks.mark_exit_done()
    os._exit(0)




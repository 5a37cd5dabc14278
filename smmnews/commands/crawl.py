"""`scrapy crawl` with two additions for scheduled jobs: spider arguments are validated before
anything starts (one usage line, not a traceback), and the exit status is 3 when a job-health
monitor failed, so cron and scrapyd report the job as failed."""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from smmnews import stats as keys
from smmnews.extract.endpoint import EndpointError, parse_endpoints
from smmnews.options import OptionError, parse_options
from smmnews.render import RenderError, missing_requirement, render_mode, wait_until

MONITOR_FAILED_EXIT = 3


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
                wait_until(self.settings)
                if render_mode(self.settings) != "never" and (
                        missing := missing_requirement(self.settings)):
                    raise RenderError(f"SMMNEWS_RENDER needs {missing}")
            except (OptionError, EndpointError, RenderError) as exc:
                raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)
        crawler = getattr(self, "smmnews_crawler", None)
        try:
            failed = crawler.stats.get_value(keys.MONITORS_FAILED) if crawler is not None else None
        except RuntimeError:  # the crawl never started: Scrapy has already set the exit code
            failed = None
        if self.exitcode == 0 and failed:
            self.exitcode = MONITOR_FAILED_EXIT

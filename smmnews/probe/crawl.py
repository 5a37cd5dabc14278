"""`python -m smmnews.probe.crawl -a NAME=VALUE ... -s NAME=VALUE ...`: the probe spider in a
Scrapy CrawlerProcess with the project's settings (SCRAPY_SETTINGS_MODULE, else scrapy.cfg)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.utils.project import get_project_settings

from smmnews.extract.endpoint import EndpointError, parse_endpoints
from smmnews.options import OptionError, _base_url
from smmnews.probe.spider import SmmProbeSpider

USAGE_EXIT = 2


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise ValueError(f"{flag} wants NAME=VALUE, got {value!r}")
        pairs[name] = text
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smmnews.probe.crawl")
    parser.add_argument("-a", dest="args", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("-s", dest="sets", action="append", default=[], metavar="NAME=VALUE")
    options = parser.parse_args(argv)
    settings = get_project_settings()
    try:
        spider_args = _pairs(options.args, "-a")
        for name, value in _pairs(options.sets, "-s").items():
            settings.set(name, value, priority="cmdline")
        parse_endpoints(settings.get("SMMNEWS_LISTING_ENDPOINTS"))
        if spider_args.get("base_url"):
            _base_url(spider_args["base_url"])
    except (ValueError, EndpointError, OptionError) as exc:
        print(f"smmnews probe: {exc}", file=sys.stderr)
        return USAGE_EXIT
    process = AsyncCrawlerProcess(settings)
    process.crawl(SmmProbeSpider, **spider_args)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())

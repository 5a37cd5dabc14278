"""Spider arguments (`-a name=value`), validated into one typed object before crawling."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

from smmnews.extract.dates import SHANGHAI

_RANGE_RE = re.compile(r"^\s*(\d{5,})\s*-\s*(\d{5,})\s*$")
# A sweep bigger than this is almost certainly a typo (a year is about 300,000 ids).
MAX_SWEEP_IDS = 5_000_000


class OptionError(ValueError):
    """A spider argument that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    base_url: str
    urls: tuple[str, ...] = ()
    ids: tuple[range, ...] = ()
    since: datetime | None = None
    max_items: int | None = None
    now: datetime | None = None
    refresh: bool = False
    listings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def explicit(self) -> bool:
        """Only the given URLs/ids are crawled: no listings, no sitemaps."""
        return bool(self.urls or self.ids)

    @property
    def sweep_size(self) -> int:
        return sum(len(r) for r in self.ids)


def _base_url(value: str) -> str:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        raise OptionError(f"base_url is not a valid URL: {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OptionError(f"base_url must be an http(s) URL, got {value!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"


def _urls(value: str) -> tuple[str, ...]:
    path = Path(value)
    if "://" not in value and path.is_file():
        lines = path.read_text("utf-8").splitlines()
    else:
        lines = value.split(",")
    urls = tuple(u.strip() for u in lines if u.strip() and not u.strip().startswith("#"))
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise OptionError(f"urls must be absolute http(s) URLs, got {bad[0]!r}")
    return urls


def _ids(value: str) -> tuple[range, ...]:
    ranges = []
    for part in value.split(","):
        if not part.strip():
            continue
        match = _RANGE_RE.match(part)
        if match:
            first, last = int(match[1]), int(match[2])
        elif part.strip().isdigit():
            first = last = int(part)
        else:
            raise OptionError(
                f"ids must be numbers or ranges like 103815000-103815400, got {part!r}")
        if last < first:
            raise OptionError(f"ids range {part.strip()!r} runs backwards")
        ranges.append(range(first, last + 1))
    if sum(len(r) for r in ranges) > MAX_SWEEP_IDS:
        raise OptionError(f"ids sweep of more than {MAX_SWEEP_IDS} ids; split it into runs")
    return tuple(ranges)


def _iso_time(value: str) -> datetime | None:
    """An ISO 8601 time (no zone: Shanghai time), strictly: fuzzy words like "last week" would
    resolve against the real clock, not the crawl's `now`."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def _since(value: str) -> datetime:
    text = value.strip()
    try:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=SHANGHAI)
    except ValueError:
        parsed = _iso_time(text)
    if parsed is None:
        raise OptionError(f"since must be a date like 2025-07-01 or an ISO time, got {value!r}")
    return parsed


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise OptionError(f"{name} must be a whole number, got {value!r}") from None
    if number < 1:
        raise OptionError(f"{name} must be at least 1, got {number}")
    return number


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def _flag(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text not in _TRUE + _FALSE:
        raise OptionError(f"{name} must be one of {', '.join(_TRUE[:2])} or "
                          f"{', '.join(_FALSE[1:3])}, got {value!r}")
    return text in _TRUE


def parse_options(args: dict[str, str], default_base_url: str,
                  default_listings: list[str]) -> CrawlOptions:
    """Validate `-a` arguments; unknown names are refused so typos do not go unnoticed."""
    known = {"base_url", "urls", "ids", "since", "max_items", "now", "refresh", "listings"}
    # scrapyd passes its job id to every job as `-a _job=<id>`: not a crawl option, not a typo.
    unknown = sorted(set(args) - known - {"_job"})
    if unknown:
        raise OptionError(f"unknown spider argument(s): {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(known))})")
    now = _iso_time(args["now"]) if args.get("now") else None
    if args.get("now") and now is None:
        raise OptionError(f"now must be an ISO 8601 time, got {args['now']!r}")
    listings = args.get("listings")
    return CrawlOptions(
        base_url=_base_url(args.get("base_url") or default_base_url),
        urls=_urls(args["urls"]) if args.get("urls") else (),
        ids=_ids(args["ids"]) if args.get("ids") else (),
        since=_since(args["since"]) if args.get("since") else None,
        max_items=_positive_int("max_items", args["max_items"]) if args.get("max_items") else None,
        now=now,
        refresh=_flag("refresh", args.get("refresh", "")),
        listings=tuple(p.strip() for p in listings.split(",") if p.strip()) if listings
        else tuple(default_listings),
    )

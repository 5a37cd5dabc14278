"""Dates as the site shows them (docs/site.md, "Dates"), normalised to aware datetimes in
Shanghai time.

Fixed formats are parsed by regex first; dateparser (about 1.5 ms a call) is only the last
fallback, so it stays off the hot path.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta, timezone

from smmnews.extract.markers import (
    DATE_LINE_SEPARATOR_RE,
    DATELINE_RES,
    DMY_DATE_TEXT_RE,
    HEADER_DATE_RE,
    ISO_DATE_TEXT_RE,
    JUST_NOW_RE,
    RELATIVE_TIME_RE,
    SITE_TIMEZONE,
    TRAILING_TIME_RE,
    UTC_OFFSET_HOURS,
)

# China has kept UTC+8 without DST since 1991, so a fixed offset is exact for every article.
SHANGHAI = timezone(timedelta(hours=UTC_OFFSET_HOURS))

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# The longest header date line ("Published: Sep 11, 2024, at 11:44 am | Source: INTERFAX-CHINA").
_MAX_DATE_LINE = 90
# A header line names a date and at most an author and a category besides.
_MAX_DATE_LINE_PARTS = 3
_UNIT_SECONDS = {"sec": 1, "second": 1, "min": 60, "minute": 60, "hour": 3600, "hr": 3600,
                 "day": 86400, "week": 604800}


def month_number(name: str) -> int | None:
    return _MONTHS.get(name.strip(".").lower()[:3])


def _clock(hour: str | None, minute: str | None, second: str | None,
           ampm: str | None) -> tuple[int, int, int]:
    h, m, s = int(hour or 0), int(minute or 0), int(second or 0)
    if ampm:
        pm = ampm.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    return h, m, s


def parse_header_date(text: str) -> tuple[datetime, str] | None:
    """Parse a whole header date line; returns (aware datetime, raw date string) or None."""
    text = text.strip()
    if len(text) > _MAX_DATE_LINE:
        return None
    match = HEADER_DATE_RE.match(text)
    if match:
        month = month_number(match["mon"] or match["mon2"])
        if month is None:
            return None
        h, m, s = _clock(match["hour"], match["minute"], match["second"], match["ampm"])
        zone = UTC if match["tz"] else SHANGHAI
        day = int(match["day"] or match["day2"])
        try:
            value = datetime(int(match["year"]), month, day, h, m, s, tzinfo=zone)
        except ValueError:
            return None
        return value.astimezone(SHANGHAI), match["raw"]
    match = ISO_DATE_TEXT_RE.match(text)
    if match and match["tz"]:
        raw = match["raw"]
        sep = match["sep"]
        iso_text = (raw[:10].replace(sep, "-") + raw[10:]).replace("Z", "+00:00")
        try:
            zoned = datetime.fromisoformat(iso_text)
        except ValueError:
            return None
        return zoned.astimezone(SHANGHAI), match["raw"]
    match = match or DMY_DATE_TEXT_RE.match(text)
    if match:
        day, month = int(match["day"]), int(match["month"])
        if month > 12 >= day:
            day, month = month, day  # "08/28/2025": month first
        try:
            value = datetime(int(match["year"]), month, day, int(match["hour"] or 0),
                             int(match["minute"] or 0), int(match["second"] or 0),
                             tzinfo=SHANGHAI)
        except ValueError:
            return None
        return value, match["raw"]
    return None


def date_line_parts(text: str) -> list[str]:
    """A header line, then its parts when it also names an author or a category
    ("By SMM News | Aug 28, 2025 14:10", "3 hours ago · Copper")."""
    if len(text) > _MAX_DATE_LINE or not DATE_LINE_SEPARATOR_RE.search(text):
        return [text]
    parts = DATE_LINE_SEPARATOR_RE.split(text)
    # More parts is a row of values ("… | 20,610 | -40 | yuan/mt | Mar 20,2026"), not a header.
    return [text, *parts] if len(parts) <= _MAX_DATE_LINE_PARTS else [text]


def parse_date_line(text: str, now: datetime | None = None) -> tuple[datetime, str] | None:
    """A header line's date: in a fixed form, else (given `now`) relative; the whole line
    first, then its parts."""
    parts = date_line_parts(text)
    for part in parts:
        parsed = parse_header_date(part)
        if parsed:
            return parsed
    if now is None:
        return None
    for part in parts:
        relative = parse_relative(part, now)
        if relative is not None:
            return relative, part.strip()
    return None


def parse_iso(text: str) -> datetime | None:
    """Metadata timestamps: ISO 8601, with or without zone (no zone means Shanghai time)."""
    text = text.strip()
    if not text:
        return None
    candidate = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        parsed = parse_header_date(text)
        return parsed[0] if parsed else parse_fuzzy(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def parse_epoch(value: float) -> datetime | None:
    """Epoch seconds or milliseconds, as JSON data blobs carry them."""
    seconds = value / 1000 if value > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=SHANGHAI)
    except (OverflowError, OSError, ValueError):
        return None


def parse_relative(text: str, now: datetime) -> datetime | None:
    """"2 hours ago", "46 mins ago" resolved against an explicit now (never the real clock)."""
    text = text.strip()
    if JUST_NOW_RE.match(text):
        return now.astimezone(SHANGHAI)
    match = RELATIVE_TIME_RE.match(text)
    if not match:
        return None
    n_text = match["n"].lower()
    n = 1 if n_text in ("a", "an", "one") else int(n_text)
    unit = match["unit"].lower()
    if unit in ("month", "year"):
        seconds = n * (30 if unit == "month" else 365) * 86400
    else:
        seconds = n * _UNIT_SECONDS[unit]
    return (now - timedelta(seconds=seconds)).astimezone(SHANGHAI)


def parse_listing_time(text: str, now: datetime) -> datetime | None:
    """A listing or related-news time: relative, or an absolute header-style date."""
    parsed = parse_header_date(text)
    if parsed:
        return parsed[0]
    return parse_relative(text, now)


def split_trailing_time(text: str) -> tuple[str, str | None]:
    """"Headline 2 hours ago" -> ("Headline", "2 hours ago"): list items glue title and time."""
    match = TRAILING_TIME_RE.match(text)
    return (match["text"], match["time"]) if match else (text, None)


def is_relative_time(text: str) -> bool:
    text = text.strip()
    return bool(RELATIVE_TIME_RE.match(text) or JUST_NOW_RE.match(text))


def is_time_line(text: str) -> bool:
    text = text.strip()
    return bool(HEADER_DATE_RE.match(text) or RELATIVE_TIME_RE.match(text)
                or JUST_NOW_RE.match(text) or ISO_DATE_TEXT_RE.match(text)
                or DMY_DATE_TEXT_RE.match(text))


def parse_fuzzy(text: str) -> datetime | None:
    """Last resort for formats no fixed pattern knows; slow, so called only after the others."""
    import dateparser

    with warnings.catch_warnings():
        # dateparser still calls APIs that newer Pythons deprecate; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        value = dateparser.parse(
            text,
            settings={"TIMEZONE": SITE_TIMEZONE, "RETURN_AS_TIMEZONE_AWARE": True,
                      "PREFER_DATES_FROM": "past", "STRICT_PARSING": True},
            languages=["en"],
        )
    return value.astimezone(SHANGHAI) if value else None


def match_dateline(text: str) -> re.Match[str] | None:
    for pattern in DATELINE_RES:
        match = pattern.match(text)
        if match:
            return match
    return None


def dateline_date(month_day: str, reference: datetime | None) -> date | None:
    """The date a dateline names ("Jul 14"): the latest such date not after the reference
    (the publication date) by more than a few days, since datelines never run far ahead."""
    parts = re.match(r"(?P<mon>[A-Za-z]+)\.?\s*(?P<day>\d{1,2})", month_day)
    if not parts or reference is None:
        return None
    month = month_number(parts["mon"])
    if month is None:
        return None
    limit = reference.date() + timedelta(days=7)
    for year in (reference.year + 1, reference.year, reference.year - 1):
        try:
            candidate = date(year, month, int(parts["day"]))
        except ValueError:
            continue
        if candidate <= limit:
            return candidate
    return None


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset and seconds, in Shanghai time."""
    if value is None:
        return None
    return value.astimezone(SHANGHAI).replace(microsecond=0).isoformat()

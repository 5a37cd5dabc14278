from __future__ import annotations

from datetime import datetime

import pytest

from smmnews.extract.dates import (
    SHANGHAI,
    dateline_date,
    iso,
    match_dateline,
    parse_header_date,
    parse_iso,
    parse_relative,
)

NOW = datetime(2026, 3, 20, 12, 0, 0, tzinfo=SHANGHAI)

# Header formats of docs/site.md ("Dates"), verbatim, with the ISO value and the raw string.
# text -> (the ISO value, the raw date string)
HEADER_DATES = {
    "Published: Aug 11, 2022 16:06": ("2022-08-11T16:06:00+08:00", "Aug 11, 2022 16:06"),
    "Published: Feb 5, 2026 19:36": ("2026-02-05T19:36:00+08:00", "Feb 5, 2026 19:36"),
    "iconNov 17, 2025 13:09": ("2025-11-17T13:09:00+08:00", "Nov 17, 2025 13:09"),
    "Jul 31,2017": ("2017-07-31T00:00:00+08:00", "Jul 31,2017"),
    "Jun 3,2013": ("2013-06-03T00:00:00+08:00", "Jun 3,2013"),
    "- Sep 11, 2024, at 9:44 am": ("2024-09-11T09:44:00+08:00", "Sep 11, 2024, at 9:44 am"),
    "• Jan 19, 2026, at 11:55 am": ("2026-01-19T11:55:00+08:00", "Jan 19, 2026, at 11:55 am"),
    "Jul 03, 2025, at 5:29 pm": ("2025-07-03T17:29:00+08:00", "Jul 03, 2025, at 5:29 pm"),
    "Jan 1, 2026, at 12:05 am": ("2026-01-01T00:05:00+08:00", "Jan 1, 2026, at 12:05 am"),
    "Aug 02, 2024 17:11": ("2024-08-02T17:11:00+08:00", "Aug 02, 2024 17:11"),
    "Nov 19, 2015 09:23 GMT": ("2015-11-19T17:23:00+08:00", "Nov 19, 2015 09:23 GMT"),
    "Mar 20, 2026 15:17": ("2026-03-20T15:17:00+08:00", "Mar 20, 2026 15:17"),
    "2026-08-30 18:57": ("2026-08-30T18:57:00+08:00", "2026-08-30 18:57"),
}


@pytest.mark.parametrize(("text", "expected", "raw"),
                         [(text, *found) for text, found in HEADER_DATES.items()])
def test_header_dates(text: str, expected: str, raw: str) -> None:
    parsed = parse_header_date(text)
    assert parsed is not None
    assert (iso(parsed[0]), parsed[1]) == (expected, raw)


@pytest.mark.parametrize(
    "text",
    ["Published on the site", "Feb 30, 2026 10:00", "SHANGHAI, Aug 11 (SMM) - prices rose",
     "On Aug 11, 2022 16:06 prices rose", "Dec17"],
)
def test_non_dates_are_refused(text: str) -> None:
    assert parse_header_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2 hours ago", "2026-03-20T10:00:00+08:00"), ("46 mins ago", "2026-03-20T11:14:00+08:00"),
     ("1 hour ago", "2026-03-20T11:00:00+08:00"), ("an hour ago", "2026-03-20T11:00:00+08:00"),
     ("3 days ago", "2026-03-17T12:00:00+08:00"), ("17 hours ago", "2026-03-19T19:00:00+08:00"),
     ("ago", None), ("2 hours", None)],
)
def test_relative_times_resolve_against_the_given_now(text: str, expected: str | None) -> None:
    assert iso(parse_relative(text, NOW)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-08-21T14:03:00+08:00", "2025-08-21T14:03:00+08:00"),
     ("2025-08-21T06:03:00Z", "2025-08-21T14:03:00+08:00"),
     ("2025-08-21 14:03:00", "2025-08-21T14:03:00+08:00"),
     ("not a date", None)],
)
def test_metadata_timestamps(text: str, expected: str | None) -> None:
    assert iso(parse_iso(text)) == expected


# Datelines of docs/site.md ("Dates"), verbatim; the date they name is resolved near the
# reference date.
# text -> (the dateline matched, the date it names)
DATELINES = {
    "SHANGHAI, Sept. 10 (SMM) –The copper price": ("SHANGHAI, Sept. 10 (SMM) –", "2025-09-10"),
    "SHANGHAI, Aug 11 (SMM) - Aluminium": ("SHANGHAI, Aug 11 (SMM) -", "2025-08-11"),
    "SHANGHAI, Jun. 27  (SMM) – text": ("SHANGHAI, Jun. 27  (SMM) –", "2025-06-27"),
    "SHANGHAI, June 18 -- Chinese spot": ("SHANGHAI, June 18 --", "2025-06-18"),
    "SMM September 3 news: Today": ("SMM September 3 news:", "2025-09-03"),
    "SMM Oct. 13: text": ("SMM Oct. 13:", "2025-10-13"),
    "SMM March 6 News: text": ("SMM March 6 News:", "2025-03-06"),
    "SMM January 16 News, text": ("SMM January 16 News,", "2025-01-16"),
    "SMM, Sep 6: Overnight, LME": ("SMM, Sep 6:", "2025-09-06"),
    "SMM News on June 16:": ("SMM News on June 16:", "2025-06-16"),
    "SMM reported on July 11: x": ("SMM reported on July 11:", "2025-07-11"),
    "June 12 News: text": ("June 12 News:", "2025-06-12"),
    "Jan. 19 (SMM) - text": ("Jan. 19 (SMM) -", "2025-01-19"),
    "SMM January 21 – text": ("SMM January 21 –", "2025-01-21"),
}


@pytest.mark.parametrize(("text", "line", "named"),
                         [(text, *found) for text, found in DATELINES.items()])
def test_datelines(text: str, line: str, named: str) -> None:
    match = match_dateline(text)
    assert match is not None
    reference = datetime(2025, 12, 1, tzinfo=SHANGHAI)
    named_date = dateline_date(match["md"], reference)
    assert (match["line"].strip(), named_date.isoformat() if named_date else None) == (line, named)


def test_dateline_in_early_january_names_december_of_the_year_before() -> None:
    named = dateline_date("Dec 31", datetime(2026, 1, 2, tzinfo=SHANGHAI))
    assert named is not None
    assert named.isoformat() == "2025-12-31"


def test_plain_text_has_no_dateline() -> None:
    assert match_dateline("Copper prices rose on June 12 as stocks fell.") is None

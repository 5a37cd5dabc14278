"""Every stats key smmnews writes, named once: the spider, pipelines, monitors and the run
summary read and write these, and the summary's sections are their prefixes."""

from __future__ import annotations

PREFIX = "smmnews/"

# Sections of the run summary (prefixes).
DROP = PREFIX + "drop/"
SKIPPED = PREFIX + "skipped/"
EXTRACTION = PREFIX + "extraction/"
NOT_ARTICLE = PREFIX + "not_article/"
BAD_PAGE = PREFIX + "bad_page/"
DISCOVERY = PREFIX + "discovery/"
# The first path part of the keys counted as faults in the summary (bad input of every kind).
FAULT_KINDS = ("http", "fetch_failed", "bad_page", "not_article", "robots_forbidden",
               "redirected_away", "redirect_loop", "sweep", "charset", "sitemap_limit",
               "offsite", "scheme", "ignored")

ERRORS = PREFIX + "errors"
REVISED = PREFIX + "revised"
REDIRECTED_AWAY = PREFIX + "redirected_away"
BAD_PAGE_NOT_TEXT = BAD_PAGE + "not_text"
DROP_DUPLICATE = DROP + "duplicate_in_run"
DROP_UNCHANGED = DROP + "unchanged"
DROP_INVALID = DROP + "invalid"
# Drops that are deduplication at work, not lost records.
DEDUP_DROPS = (DROP_UNCHANGED, DROP_DUPLICATE)
SKIPPED_KNOWN = SKIPPED + "known"
SKIPPED_BEFORE_SINCE = SKIPPED + "before_since"
SKIPPED_MAX_ITEMS = SKIPPED + "max_items"
# Inputs of `-a urls=` that were not used, each also logged.
SKIPPED_NOT_ARTICLE_URL = SKIPPED + "not_article_url"
SKIPPED_OFFSITE = SKIPPED + "offsite"
SKIPPED_REPEAT = SKIPPED + "repeat"
SWEEP_DONE = PREFIX + "sweep/done"
SITEMAP_FROM_ROBOTS = PREFIX + "sitemap/from_robots"
SITEMAP_ARTICLE_URLS = PREFIX + "sitemap/article_urls"
SITEMAP_NOT_A_SITEMAP = PREFIX + "sitemap/not_a_sitemap"
LISTING_ARTICLE_LINKS = PREFIX + "listing/article_links"
LISTING_STOPPED_AT_SINCE = PREFIX + "listing/stopped_at_since"
LISTING_NEXT_PAGES = PREFIX + "listing/next_pages"
LISTING_ENDPOINT_ITEMS = PREFIX + "listing/endpoint_items"
LISTING_ENDPOINT_NOT_JSON = PREFIX + "listing/endpoint_not_json"
# App shells fetched again through Chromium (SMMNEWS_RENDER=auto).
RENDER_REQUESTED = PREFIX + "render/requested"
MONITORS_FAILED = PREFIX + "monitors/failed"
# The archive (smmnews/archive/): responses written, and why one was not; reextract's scan.
ARCHIVE = PREFIX + "archive/"
ARCHIVE_RESPONSES = ARCHIVE + "responses"
ARCHIVE_WRITE_FAILED = ARCHIVE + "write_failed"
ARCHIVE_UNWRITABLE = ARCHIVE + "unwritable"
ARCHIVE_ARTICLE_RESPONSES = ARCHIVE + "article_responses"
ARCHIVE_PAGES = ARCHIVE + "pages"
# Damaged stretches of WARC files skipped while re-extracting (each logged).
ARCHIVE_DAMAGED = ARCHIVE + "damaged"
# An archived response that could not be read back although the scan found it.
ARCHIVE_UNREADABLE = ARCHIVE + "unreadable"
SKIPPED_NOT_SELECTED = SKIPPED + "not_selected"
SKIPPED_OLDER_FETCH = SKIPPED + "older_fetch"
REQUEUED_FROM_DEAD = PREFIX + "distributed/requeued_from_dead"
# 429/503 answers with Retry-After (smmnews/slowdown.py).
SLOWED_DOWN = PREFIX + "slowed_down"


def fault(stat: str) -> str:
    """A fetch fault (`smmnews.faults.Fault.stat`: "http/404", "fetch_failed/timeout", …)."""
    return PREFIX + stat


def discovery_fault(stat: str) -> str:
    return DISCOVERY + stat


def bad_page(reason: str) -> str:
    return BAD_PAGE + reason


def not_article(code: str) -> str:
    return NOT_ARTICLE + code


def extraction_source(field: str, source: str | None) -> str:
    return f"{EXTRACTION}{field}/{source}"

"""`smmnews fixture add CASE`: a real page becomes a test case in one step.

Takes an archived response (`--archive` WARC files or directories, and `--id` or `--url`) or a
saved page (`--page page.html --url …`), and writes `fixtures/articles/<CASE>/page.html` (the
body as served), `meta.json` and a draft `expected.json` from the current extractor, to be read
field by field before it is committed (fixtures/README.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smmnews.extract.dates import SHANGHAI, parse_iso
from smmnews.extract.urls import article_id_from_url

if TYPE_CHECKING:
    from smmnews.archive.reader import ArchivedPage

FIXTURES = Path("fixtures") / "articles"
# The keys the quality test compares (fixtures/README.md, "The expected record").
EXPECTED_KEYS = ("article_id", "canonical_url", "title", "title_tags", "published_at", "source",
                 "dateline", "summary", "body", "is_partial", "disclaimer", "contacts",
                 "related", "breadcrumbs", "tables")
CASE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class FixtureError(Exception):
    """A usage problem: one line for the user, exit status 2."""


def latest_archived(archives: list[Path], article_id: str) -> ArchivedPage:
    from smmnews.archive.reader import archive_files, article_responses  # Scrapy: only here

    found: ArchivedPage | None = None
    for path in archive_files(archives):
        for page in article_responses(path):
            if page.article_id == article_id and (found is None
                                                  or page.fetched_at >= found.fetched_at):
                found = page
    if found is None:
        raise FixtureError(f"article {article_id} is not in the archive")
    return found


def page_from_archive(archives: list[Path], article_id: str) -> tuple[bytes, str, datetime]:
    """Body, URL and "now" of the latest archived fetch of an article: the crawl's `-a now`
    when it had one, else the fetch time."""
    from smmnews.archive.reader import load_response

    page = latest_archived(archives, article_id)
    response = load_response(page.path, page.offset)
    return response.body, response.url, page.crawl_now or page.fetched_at


def draft_expected(page: bytes, url: str, now: datetime) -> dict[str, Any]:
    """The current extractor's record, cut to the compared keys: a draft to review."""
    from smmnews.extract.article import NotAnArticle
    from smmnews.extract.decode import BadPage
    from smmnews.record import build_record
    from smmnews.serialize import record_dict

    try:
        record = build_record(page, url, now)
    except BadPage as exc:
        raise FixtureError(f"not a page ({exc.reason}): {exc.detail}") from None
    if isinstance(record, NotAnArticle):
        raise FixtureError(f"not an article: {record}")
    written = record_dict(record)
    return {key: written[key] for key in EXPECTED_KEYS}


def write_case(folder: Path, page: bytes, meta: dict[str, Any],
               expected: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(page)  # as served: never re-encoded or reformatted
    for name, data in (("meta.json", meta), ("expected.json", expected)):
        (folder / name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")


def add_fixture_command(commands: Any) -> None:
    fixture = commands.add_parser("fixture", help="manage test fixtures")
    actions = fixture.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add", help="write fixtures/articles/<case>/ from an archived or saved page",
        description=__doc__)
    add.add_argument("case", help="folder name, <layout>-<family>-<what>: l2-modern-nickel-flash")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--archive", type=Path, nargs="+", help="WARC files or directories")
    source.add_argument("--page", type=Path, help="a saved page (bytes as served)")
    add.add_argument("--id", help="article id to take from the archive")
    add.add_argument("--url", help="the page's URL (for --page; or picks the id from it)")
    add.add_argument("--now", help="frozen 'now' (ISO 8601); default: the archived crawl's "
                     "`-a now`, else its fetch time")
    add.add_argument("--layout", default="", help="L1..L7 (fixtures/README.md)")
    add.add_argument("--family", default="", help="modern, html5 or table")
    add.add_argument("--page-type", default="", help="e.g. weekly_analysis")
    add.add_argument("--note", default="", help="what the case shows")
    add.add_argument("--dir", type=Path, default=FIXTURES, help="default: %(default)s")
    add.add_argument("--force", action="store_true", help="replace an existing case")
    add.set_defaults(func=run_fixture_add)


def gather(args: argparse.Namespace) -> tuple[bytes, str, datetime | None]:
    """Page bytes, URL and fetch time (None for a saved page) as the arguments name them."""
    if args.page is not None:
        if not args.url:
            raise FixtureError("--page needs --url (the URL it was fetched from)")
        return args.page.read_bytes(), args.url, None
    article_id = args.id or (article_id_from_url(args.url) if args.url else None)
    if not article_id:
        raise FixtureError("--archive needs --id or an article --url")
    return page_from_archive(args.archive, str(article_id))


def run_fixture_add(args: argparse.Namespace) -> int:
    try:
        if not CASE_NAME.fullmatch(args.case):
            raise FixtureError(f"case name must be lowercase letters, digits and -: {args.case}")
        folder = args.dir / args.case
        if folder.exists() and not args.force:
            raise FixtureError(f"{folder} exists (--force replaces it)")
        page, url, fetched = gather(args)
        now = parse_iso(args.now) if args.now else fetched
        if now is None:
            raise FixtureError("give --now (ISO 8601): relative dates need a frozen 'now'")
        expected = draft_expected(page, url, now)
    except (FixtureError, OSError) as exc:
        print(f"smmnews fixture add: {exc}", file=sys.stderr)
        return 2
    meta = {"url": url, "now": now.astimezone(SHANGHAI).isoformat(), "layout": args.layout,
            "family": args.family, "page_type": args.page_type, "note": args.note}
    write_case(folder, page, meta, expected)
    print(f"smmnews fixture add: wrote {folder}/ (page.html, meta.json, expected.json). "
          "expected.json is the current extractor's output: read it field by field and fix "
          "it before committing.", file=sys.stderr)
    return 0

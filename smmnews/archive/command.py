"""`smmnews reextract ARCHIVE… [-O out.jsonl] [--ids …] [--since …] [--processes N]`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smmnews.extract.dates import parse_iso
from smmnews.options import OptionError, _ids, _since

if TYPE_CHECKING:
    from smmnews.archive.reextract import Selection


def add_reextract_command(commands: Any) -> None:
    parser = commands.add_parser(
        "reextract", help="re-run extraction over archived pages (WARC), no crawling",
        description="The spider's record path over the article responses of WARC files: "
                    "one record per article id (its latest fetch), crawled_at = the fetch time.")
    parser.add_argument("archives", nargs="+", type=Path,
                        help="WARC files (.warc.gz, .warc) or directories holding them")
    parser.add_argument("-O", "--output", type=Path, default=Path("reextracted.jsonl"),
                        help="JSON Lines output, replaced when complete (default: %(default)s)")
    parser.add_argument("--ids", help="only these article ids: 103815000-103815400,103491388")
    parser.add_argument("--since", help="only pages fetched from this date (2025-07-01, "
                                        "Shanghai midnight) or ISO time on")
    parser.add_argument("--processes", type=int, default=None,
                        help="worker processes (default: one per core)")
    parser.add_argument("--now", help="ISO time relative dates resolve against (default: each "
                                      "page's fetch time; give the crawl's -a now= if it had one)")
    parser.set_defaults(func=run_reextract)


def selection_from(args: argparse.Namespace) -> Selection:
    from smmnews.archive.reextract import Selection

    return Selection(ids=_ids(args.ids) if args.ids else (),
                     since=_since(args.since) if args.since else None)


def run_reextract(args: argparse.Namespace) -> int:
    # Scrapy is imported here, not when the parser is built: `smmnews extract` stays light.
    from smmnews.archive.reader import archive_files
    from smmnews.archive.reextract import reextract

    logging.basicConfig(level=logging.WARNING, format="smmnews: %(message)s")
    try:
        selection = selection_from(args)
    except OptionError as exc:
        print(f"smmnews reextract: {exc}", file=sys.stderr)
        return 2
    now = parse_iso(args.now) if args.now else None
    if args.now and now is None:
        print(f"smmnews reextract: --now: not an ISO 8601 time: {args.now!r}", file=sys.stderr)
        return 2
    if args.processes is not None and args.processes < 1:
        print("smmnews reextract: --processes must be at least 1", file=sys.stderr)
        return 2
    missing = [str(p) for p in args.archives if not p.exists()]
    if missing:
        print(f"smmnews reextract: no such file or directory: {missing[0]}", file=sys.stderr)
        return 2
    if not archive_files(args.archives):
        print("smmnews reextract: no WARC files (*.warc.gz, *.warc) there", file=sys.stderr)
        return 2
    result = reextract(args.archives, args.output, selection=selection, now=now,
                       processes=args.processes)
    faults = sum(result["faults"].values())
    print(f"smmnews reextract: {result['items']} records from {result['pages']} pages "
          f"({len(result['archives'])} archive files) written to {args.output} in "
          f"{result['elapsed_seconds']:.1f} s; dropped {result['dropped'] or 'none'}, "
          f"{faults} faults{damage_note(result['archive'])}", file=sys.stderr)
    return 0


def damage_note(archive: dict[str, int]) -> str:
    """What the summary line adds when archive files were damaged (logged one by one above)."""
    parts = [f"{n} {what}" for what, n in (("damaged stretches skipped", archive["damaged"]),
                                            ("unreadable responses", archive["unreadable"]))
             if n]
    return f"; archive: {', '.join(parts)}" if parts else ""

"""`smmnews` command line: `extract` pages offline, `demo` the main job on the sample site,
`probe` a site before the first crawl."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from smmnews.extract.article import NotAnArticle
from smmnews.extract.dates import parse_iso
from smmnews.extract.decode import BadPage
from smmnews.record import build_record


def _parse_now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    value = parse_iso(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"--now: not an ISO 8601 time: {text!r}")
    return value


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def _url_for(path: str, urls: list[str], index: int) -> str | None:
    if urls:
        return urls[index] if len(urls) > 1 else urls[0]
    meta = Path(path).with_name("meta.json")
    if path != "-" and meta.is_file():
        return str(json.loads(meta.read_text(encoding="utf-8"))["url"])
    return None


def _extract_one(path: str, url: str | None, now: datetime) -> bool:
    if url is None:
        print(f"smmnews: {path}: no --url given and no meta.json beside it", file=sys.stderr)
        return False
    try:
        result = build_record(_read(path), url, now)
    except OSError as exc:
        print(f"smmnews: {path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return False
    except BadPage as exc:
        print(f"smmnews: {path}: bad input ({exc.reason}): {exc.detail}", file=sys.stderr)
        return False
    if isinstance(result, NotAnArticle):
        print(f"smmnews: {path}: not an article: {result.reason}", file=sys.stderr)
        return False
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return True


def cmd_extract(args: argparse.Namespace) -> int:
    if args.url and len(args.url) not in (1, len(args.pages)):
        print("smmnews: give one --url, or one per page", file=sys.stderr)
        return 2
    try:
        now = _parse_now(args.now)
    except argparse.ArgumentTypeError as exc:
        print(f"smmnews: {exc}", file=sys.stderr)
        return 2
    results = [_extract_one(p, _url_for(p, args.url or [], i), now)
               for i, p in enumerate(args.pages)]
    return 0 if all(results) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smmnews", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract", help="print one JSON record per page (JSON Lines), as the spider would")
    extract.add_argument("pages", nargs="+", help="HTML files; - reads stdin")
    extract.add_argument("--url", action="append",
                         help="the URL the page was fetched from (once, or once per page); "
                              "default: the url of a meta.json beside the page")
    extract.add_argument("--now", help="ISO 8601 time that relative dates resolve against "
                                       "(default: the current time)")
    extract.set_defaults(func=cmd_extract)
    from smmnews.demo import add_demo_command
    from smmnews.probe.command import add_probe_command

    add_demo_command(commands)
    add_probe_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`smmnews` command line: `extract` pages offline, `demo` the main job on the sample site,
`probe` a site before the first crawl, `reextract` archived pages, `diff` two outputs,
`fixture add` a page as a test case."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from smmnews.extract.dates import parse_iso


def _parse_now(text: str | None) -> datetime | None:
    if not text:
        return None
    value = parse_iso(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"--now: not an ISO 8601 time: {text!r}")
    return value


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def _meta_beside(path: str) -> dict[str, str]:
    """The fixture `meta.json` beside a page (its URL and frozen "now"), {} when there is none."""
    meta = Path(path).with_name("meta.json")
    if path == "-" or not meta.is_file():
        return {}
    data: dict[str, str] = json.loads(meta.read_text(encoding="utf-8"))
    return data


def _url_for(path: str, urls: list[str], index: int) -> str | None:
    if urls:
        return urls[index] if len(urls) > 1 else urls[0]
    return _meta_beside(path).get("url")


def _now_for(path: str, now: datetime | None) -> datetime:
    """--now, else the fixture's frozen clock, so relative times match its expected record."""
    if now is not None:
        return now
    frozen = _meta_beside(path).get("now")
    return (parse_iso(frozen) if frozen else None) or datetime.now(UTC)


def _import_extraction() -> None:
    """Import the extraction path without Scrapy. itemadapter (under itemloaders) imports Scrapy,
    when installed, only to recognise `scrapy.Item`; records are dataclasses, so `smmnews
    extract` hides Scrapy from that probe and starts in a fraction of the time
    (bench/speed.py measures it). Scrapy stays importable afterwards."""
    hidden = "scrapy" not in sys.modules
    if hidden:
        sys.modules["scrapy"] = None  # type: ignore[assignment]  # makes `import scrapy` fail
    try:
        import smmnews.record  # noqa: F401
    finally:
        if hidden:
            del sys.modules["scrapy"]


def _extract_one(path: str, url: str | None, now: datetime) -> bool:
    from smmnews.extract.article import NotAnArticle
    from smmnews.extract.decode import BadPage
    from smmnews.record import build_record
    from smmnews.serialize import record_json

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
        print(f"smmnews: {path}: not an article: {result}", file=sys.stderr)
        return False
    sys.stdout.write(record_json(result) + "\n")
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
    _import_extraction()
    results = [_extract_one(p, _url_for(p, args.url or [], i), _now_for(p, now))
               for i, p in enumerate(args.pages)]
    return 0 if all(results) else 1


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; `only="extract"` builds just that command (a fast start)."""
    parser = argparse.ArgumentParser(prog="smmnews", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract", help="print one JSON record per page (JSON Lines), as the spider would")
    extract.add_argument("pages", nargs="+", help="HTML files; - reads stdin")
    extract.add_argument("--url", action="append",
                         help="the URL the page was fetched from (once, or once per page); "
                              "default: the url of a meta.json beside the page")
    extract.add_argument("--now", help="ISO 8601 time that relative dates resolve against "
                                       "(default: the now of a meta.json beside the page, "
                                       "else the current time)")
    extract.set_defaults(func=cmd_extract)
    if only == "extract":
        return parser  # the other commands' modules cost a third of a one-page extraction
    from smmnews.archive.command import add_reextract_command
    from smmnews.demo import add_demo_command
    from smmnews.diff import add_diff_command
    from smmnews.fixture import add_fixture_command
    from smmnews.probe.command import add_probe_command

    add_demo_command(commands)
    add_probe_command(commands)
    add_reextract_command(commands)
    add_diff_command(commands)
    add_fixture_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words[0] if words[:1] == ["extract"] else None).parse_args(words)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

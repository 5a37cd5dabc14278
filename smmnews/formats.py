"""Feed formats other than plain JSON Lines: reading a published file back, and writing one
from the run's journal.

A CSV, JSON array or XML document cannot be continued by appending bytes after a crash, and
`-o` on one (appending a second array or header to the first) gives a file no reader accepts.
So for these formats the crawl writes a JSON Lines *journal* (the `.part`, resumable line by
line like any JSON Lines output) and the file in its format is written whole from it when the
run publishes: the records already published first (`-o`, or an unfinished `-O` run's), then
the journal's, through the format's exporter, to a staging file that is then renamed into
place. Reading a file back with the format's own reader says which records it holds, which is
what the state store commits.
"""

from __future__ import annotations

import csv
import io
import json
import marshal
import pickle
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from scrapy.exporters import BaseItemExporter

# Scrapy's format names whose file is the journal itself (written and resumed line by line).
JSON_LINES_FORMATS = ("jsonlines", "jsonl", "jl", "ndjson")
# The format an output left by another run is in, from its name (Scrapy's -o does the same).
BY_EXTENSION = {".jsonl": "jsonlines", ".jl": "jsonlines", ".ndjson": "jsonlines",
                ".json": "json", ".csv": "csv", ".xml": "xml", ".pickle": "pickle",
                ".marshal": "marshal"}
# The first line of a journal that continues the published file of an unfinished `-O` run:
# rendered after that file's records, not instead of them. Holds no article_id, so every
# reader of records skips it.
CONTINUES = {"smmnews_journal": "continues the published file"}
CONTINUES_LINE = (json.dumps(CONTINUES) + "\n").encode()


class FormatError(ValueError):
    """A file that is not a valid file of its format (or not one smmnews can add to)."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


def format_of(path: Path) -> str:
    return BY_EXTENSION.get(path.suffix.lower(), "jsonlines")


def is_lines(feed_format: str) -> bool:
    return feed_format in JSON_LINES_FORMATS


def journal_records(path: Path) -> Iterator[dict[str, Any]]:
    """The complete records of a journal (a half-written last line is not one)."""
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "article_id" in record:
                yield record


def continues(path: Path) -> bool:
    """The journal continues the published file (see CONTINUES)."""
    with path.open("rb") as handle:
        return handle.readline() == CONTINUES_LINE


def _xml_names(options: dict[str, Any]) -> tuple[str, str]:
    kwargs = options.get("item_export_kwargs") or {}
    return str(kwargs.get("root_element", "items")), str(kwargs.get("item_element", "item"))


def records_in(path: Path, feed_format: str,
               options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every record of a published file, read with the format's reader (values as that format
    gives them back: text in CSV and XML). Raises FormatError when the file does not parse."""
    options = options or {}
    try:
        if is_lines(feed_format):
            return list(journal_records(path))
        if feed_format == "json":
            data = json.loads(path.read_bytes() or b"null")
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise FormatError("not a JSON array of objects")
            return data
        if feed_format == "csv":
            with path.open(encoding=options.get("encoding") or "utf-8", newline="") as handle:
                reader = csv.DictReader(handle, **_csv_kwargs(options))
                rows = list(reader)
                if reader.fieldnames is None or "article_id" not in reader.fieldnames:
                    raise FormatError("no header line naming article_id")
                return rows
        if feed_format == "xml":
            root_name, item_name = _xml_names(options)
            root = ET.parse(path).getroot()
            if root.tag != root_name:
                raise FormatError(f"its root element is <{root.tag}>, not <{root_name}>")
            return [{child.tag: child.text or "" for child in item}
                    for item in root if item.tag == item_name]
        if feed_format in ("pickle", "marshal"):
            load = pickle.load if feed_format == "pickle" else marshal.load
            found: list[dict[str, Any]] = []
            with path.open("rb") as handle:
                while handle.peek(1):
                    record = load(handle)
                    if not isinstance(record, dict):
                        raise FormatError("a value that is not a record")
                    found.append(record)
            return found
    except FormatError as exc:
        raise FormatError(str(exc), path) from None
    except (ValueError, EOFError, csv.Error, ET.ParseError, pickle.UnpicklingError,
            UnicodeDecodeError, TypeError) as exc:
        raise FormatError(f"not a valid {feed_format} file ({exc})", path) from None
    raise FormatError(f"smmnews cannot read the {feed_format} format back", path)


def keys_in(path: Path, feed_format: str,
            options: dict[str, Any] | None = None) -> set[tuple[str, str]]:
    """(article id, content hash) of every record of a file: a revision is another key."""
    return {(str(r.get("article_id")), str(r.get("content_hash")))
            for r in records_in(path, feed_format, options)}


def journal_keys(path: Path) -> set[tuple[str, str]]:
    return {(str(r["article_id"]), str(r.get("content_hash"))) for r in journal_records(path)}


def _csv_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    # Reader options the exporter's csv.writer was given (FEEDS item_export_kwargs).
    kwargs = options.get("item_export_kwargs") or {}
    return {k: v for k, v in kwargs.items() if k in ("delimiter", "quotechar", "escapechar",
                                                     "doublequote", "quoting")}


def _export(exporter: BaseItemExporter, records: Iterator[dict[str, Any]]) -> None:
    exporter.start_exporting()
    for record in records:
        exporter.export_item(record)
    exporter.finish_exporting()


def render(journal: Path, out: IO[bytes], feed_format: str, make: Any,
           options: dict[str, Any], prefix: Path | None) -> None:
    """Write the file in `feed_format` to `out`: the records of `prefix` (a published file of
    this output, kept as it is where the format allows), then the journal's. `make(file,
    **overrides)` builds the format's exporter over a file. Raises FormatError when `prefix`
    is not a file of its format that can be added to."""
    new = journal_records(journal)
    if prefix is None:
        _export(make(out), new)
        return
    if feed_format == "json":
        # An array cannot be extended in place: the whole array is written again.
        old = records_in(prefix, "json", options)
        _export(make(out), iter([*old, *new]))
    elif feed_format == "csv":
        _append_csv(prefix, out, make, options, new)
    elif feed_format == "xml":
        _append_xml(prefix, out, make, options, new)
    else:  # pickle, marshal: a sequence of records; one file after another is one file
        records_in(prefix, feed_format, options)
        out.write(prefix.read_bytes())
        _export(make(out), new)


def _append_csv(prefix: Path, out: IO[bytes], make: Any, options: dict[str, Any],
                new: Iterator[dict[str, Any]]) -> None:
    """The published rows as they are, then the new ones under the same header (one header
    line in all: a second one would read as a row)."""
    records_in(prefix, "csv", options)
    fresh = io.BytesIO()
    _export(make(fresh), iter([]))  # just the header line, as the exporter writes it
    header = fresh.getvalue()
    data = prefix.read_bytes()
    if not data.startswith(header):
        raise FormatError("its header line is not the columns this crawl writes")
    if not data.endswith(b"\n"):
        raise FormatError("its last line is incomplete")
    out.write(data)
    _export(make(out, include_headers_line=False), new)


def _append_xml(prefix: Path, out: IO[bytes], make: Any, options: dict[str, Any],
                new: Iterator[dict[str, Any]]) -> None:
    """The published document up to its closing root tag, the new items, the closing tag."""
    records_in(prefix, "xml", options)
    root_name, _ = _xml_names(options)
    closing = f"</{root_name}>".encode()
    data = prefix.read_bytes()
    end = data.rfind(closing)
    fresh = io.BytesIO()
    _export(make(fresh), new)
    rendered = fresh.getvalue()
    opening = f"<{root_name}>".encode()
    start = rendered.find(opening)
    stop = rendered.rfind(closing)
    if end < 0 or start < 0 or stop < 0:
        raise FormatError(f"no <{root_name}> element to add items to")
    out.write(data[:end])
    out.write(rendered[start + len(opening):stop].lstrip(b"\n") if data[:end].endswith(b"\n")
              else rendered[start + len(opening):stop])
    out.write(data[end:])

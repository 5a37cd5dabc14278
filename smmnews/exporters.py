"""Feed exporters for every built-in Scrapy format, writing the record as documented.

Scrapy's stock exporters would write an `Article`'s datetimes in their own formats and its
nested lists as Python reprs in CSV; each exporter here first turns the record into its JSON
form (`smmnews.serialize`), so every format carries the same values, in the same key order.

Writing to a crash-safe output's journal (smmnews/formats.py), the exporters of the formats that
cannot be continued after a crash (CSV, JSON, XML, pickle, marshal) write JSON lines instead;
the file in their format is written from the journal when the output is published.
"""

from __future__ import annotations

import json
from typing import IO, Any, cast

from scrapy.exporters import (
    BaseItemExporter,
    CsvItemExporter,
    JsonItemExporter,
    JsonLinesItemExporter,
    MarshalItemExporter,
    PickleItemExporter,
    XmlItemExporter,
)

from smmnews.items import Article
from smmnews.serialize import record_dict, record_json


def _plain(item: Any) -> Any:
    return record_dict(item) if isinstance(item, Article) else item


class Journaled:
    """Writes JSON lines when its file is a journal (a file with a true `journal` attribute:
    smmnews.feeds.GuardedFile of a non-JSON-Lines output), the format otherwise (stdout:, or
    the rendering of the published file)."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        self.journal: IO[bytes] | None = file if getattr(file, "journal", False) else None
        # A mixin before a Scrapy exporter class: super() is that exporter.
        cast("Any", super()).__init__(file, **kwargs)

    def start_exporting(self) -> None:
        if self.journal is None:
            cast("Any", super()).start_exporting()

    def finish_exporting(self) -> None:
        if self.journal is None:
            cast("Any", super()).finish_exporting()

    def export_item(self, item: Any) -> None:
        if self.journal is None:
            cast("Any", super()).export_item(_plain(item))
            return
        record = record_json(item) if isinstance(item, Article) else json.dumps(
            item, ensure_ascii=False)
        self.journal.write(record.encode("utf-8") + b"\n")
        self.journal.flush()


class RecordJsonLinesExporter(JsonLinesItemExporter):
    """JSON Lines in the documented key order, UTF-8 without \\u escapes, flushed per record
    so a crash loses at most the record being written."""

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        kwargs["encoding"] = "utf-8"
        super().__init__(file, **kwargs)  # type: ignore[arg-type]  # any binary file works
        self._file = file

    def export_item(self, item: Article) -> None:
        self._file.write(record_json(item).encode("utf-8") + b"\n")
        self._file.flush()


class RecordJsonExporter(Journaled, JsonItemExporter):
    """One JSON array; UTF-8 text, not \\u escapes."""

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)


class RecordCsvExporter(Journaled, CsvItemExporter):
    """One row per record; lists and objects (contacts, related, tables, …) as JSON text, so a
    spreadsheet or `pandas.read_csv` gets them back with `json.loads`. A file without records
    still has its header line (a file of zero bytes is no CSV to pandas)."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)

    def finish_exporting(self) -> None:
        if self.journal is None and self._headers_not_written and self.fields_to_export:
            self._headers_not_written = False
            self._write_headers_and_set_fields_to_export(None)
        super().finish_exporting()


class RecordXmlExporter(Journaled, XmlItemExporter):
    pass


class RecordPickleExporter(Journaled, PickleItemExporter):
    """Plain dicts, so unpickling needs no smmnews installed."""


class RecordMarshalExporter(Journaled, MarshalItemExporter):
    pass


# Scrapy's format names, each with its exporter (FEED_EXPORTERS).
EXPORTERS: dict[str, type[BaseItemExporter]] = {
    "jsonlines": RecordJsonLinesExporter,
    "jsonl": RecordJsonLinesExporter,
    "jl": RecordJsonLinesExporter,
    "ndjson": RecordJsonLinesExporter,
    "json": RecordJsonExporter,
    "csv": RecordCsvExporter,
    "xml": RecordXmlExporter,
    "pickle": RecordPickleExporter,
    "marshal": RecordMarshalExporter,
}

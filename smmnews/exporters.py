"""Feed exporters for every built-in Scrapy format, writing the record as documented.

Scrapy's stock exporters would write an `Article`'s datetimes in their own formats and its
nested lists as Python reprs in CSV; each exporter here first turns the record into its JSON
form (`smmnews.serialize`), so every format carries the same values, in the same key order.
"""

from __future__ import annotations

import json
from typing import IO, Any

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


class RecordJsonExporter(JsonItemExporter):
    """One JSON array; UTF-8 text, not \\u escapes."""

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)  # type: ignore[arg-type]  # any binary file works

    def export_item(self, item: Any) -> None:
        super().export_item(_plain(item))


class RecordCsvExporter(CsvItemExporter):
    """One row per record; lists and objects (contacts, related, tables, …) as JSON text, so a
    spreadsheet or `pandas.read_csv` gets them back with `json.loads`."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)

    def export_item(self, item: Any) -> None:
        super().export_item(_plain(item))


class RecordXmlExporter(XmlItemExporter):
    def export_item(self, item: Any) -> None:
        super().export_item(_plain(item))


class RecordPickleExporter(PickleItemExporter):
    """Plain dicts, so unpickling needs no smmnews installed."""

    def export_item(self, item: Any) -> None:
        super().export_item(_plain(item))


class RecordMarshalExporter(MarshalItemExporter):
    def export_item(self, item: Any) -> None:
        super().export_item(_plain(item))


# Scrapy's format names, each with its exporter (FEED_EXPORTERS).
EXPORTERS: dict[str, type[BaseItemExporter]] = {
    "jsonlines": RecordJsonLinesExporter,
    "jsonl": RecordJsonLinesExporter,
    "jl": RecordJsonLinesExporter,
    "json": RecordJsonExporter,
    "csv": RecordCsvExporter,
    "xml": RecordXmlExporter,
    "pickle": RecordPickleExporter,
    "marshal": RecordMarshalExporter,
}

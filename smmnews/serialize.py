"""The one place a record becomes JSON: datetimes become ISO 8601 strings here and nowhere else."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

from smmnews.items import Article

_SCALARS = (str, int, float, bool, type(None))
# Field names per record class, looked up once: a record is serialised twice per crawled page
# (validation, then the feed), with a hundred nested values.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def to_json(value: Any) -> Any:
    """A record (or part of one) as JSON-ready values, in field order."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {name: to_json(getattr(value, name)) for name in _field_names(type(value))}
    return value


def record_dict(article: Article) -> dict[str, Any]:
    """The record as the JSON object every output writes (keys in the documented order)."""
    data: dict[str, Any] = to_json(article)
    return data


def record_json(article: Article) -> str:
    """One JSON Lines line (without the newline): UTF-8 text, no \\u escapes."""
    return json.dumps(record_dict(article), ensure_ascii=False)

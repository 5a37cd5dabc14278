"""The one place a record becomes JSON: datetimes become ISO 8601 strings here and nowhere else."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

from smmnews.items import Article


def to_json(value: Any) -> Any:
    """A record (or part of one) as JSON-ready values, in field order."""
    if isinstance(value, datetime | date):
        return value.isoformat(timespec="seconds") if isinstance(value, datetime) \
            else value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def record_dict(article: Article) -> dict[str, Any]:
    """The record as the JSON object every output writes (keys in the documented order)."""
    data: dict[str, Any] = to_json(article)
    return data


def record_json(article: Article) -> str:
    """One JSON Lines line (without the newline): UTF-8 text, no \\u escapes."""
    return json.dumps(record_dict(article), ensure_ascii=False)

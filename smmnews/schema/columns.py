"""Column types for downstream tools, derived from the `Article` declaration.

JSON carries no types, so readers guess them per file: DuckDB types a column that is empty in
one file as `JSON[]` and a column that is null throughout as `"NULL"`, and pandas reads
`article_id` as an integer. Passing these specs makes every file read into the same table.
"""

from __future__ import annotations

import types
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any, Union, get_args, get_origin, get_type_hints

from smmnews.items import Article

_SQL = {str: "VARCHAR", int: "BIGINT", bool: "BOOLEAN", datetime: "TIMESTAMPTZ"}
_PANDAS = {str: "string", int: "Int64", bool: "boolean"}


def _bare(hint: Any) -> Any:
    """The type inside `X | None`."""
    if get_origin(hint) in (Union, types.UnionType):
        return next(a for a in get_args(hint) if a is not type(None))
    return hint


def sql_type(hint: Any) -> str:
    """The DuckDB type of a record field's Python type."""
    hint = _bare(hint)
    origin = get_origin(hint)
    if origin is list:
        return sql_type(get_args(hint)[0]) + "[]"
    if origin is dict:
        key, value = get_args(hint)
        return f"MAP({sql_type(key)}, {sql_type(value)})"
    if isinstance(hint, type) and is_dataclass(hint):
        return "STRUCT(" + ", ".join(f'"{name}" {kind}' for name, kind
                                     in _columns(hint).items()) + ")"
    return _SQL[hint]


def _columns(cls: type) -> dict[str, str]:
    hints = get_type_hints(cls)
    return {f.name: f.metadata.get("column") or sql_type(hints[f.name]) for f in fields(cls)}


def duckdb_columns() -> dict[str, str]:
    """`columns=` for DuckDB's `read_json`: every field, in output order."""
    return _columns(Article)


def duckdb_read_json(path: str) -> str:
    """A `read_json(...)` table expression for DuckDB SQL with the fixed column types."""
    spec = ", ".join(f"'{name}': '{kind}'" for name, kind in duckdb_columns().items())
    escaped = path.replace("'", "''")
    return f"read_json('{escaped}', format='newline_delimited', columns={{{spec}}})"


def pandas_dtypes() -> dict[str, str]:
    """`dtype=` for `pandas.read_json(lines=True)`: text stays text, numbers nullable."""
    hints = get_type_hints(Article)
    return {name: _PANDAS[kind] for name, kind in ((f.name, _bare(hints[f.name]))
                                                   for f in fields(Article)) if kind in _PANDAS}


def pandas_dates() -> list[str]:
    """`convert_dates=` for pandas: the fields that are times (timezone-aware)."""
    hints = get_type_hints(Article)
    return [f.name for f in fields(Article) if _bare(hints[f.name]) is datetime]

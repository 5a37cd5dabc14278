"""The shipped JSON Schema of the article record."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


@cache
def article_schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def article_validator() -> Draft202012Validator:
    return Draft202012Validator(article_schema())


def schema_errors(record: dict[str, Any]) -> list[str]:
    """Human-readable schema violations of a record, [] when it is valid."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}"
            for e in article_validator().iter_errors(record)]

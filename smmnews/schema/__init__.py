"""The shipped JSON Schema of the article record, and validation against it.

Every crawled record is validated, so the check is on the hot path: a compiled validator
(fastjsonschema, about 10x faster) answers "valid or not"; jsonschema explains the failures.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator


@cache
def article_schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def article_validator() -> Draft202012Validator:
    return Draft202012Validator(article_schema())


@cache
def _compiled() -> Callable[[Any], Any]:
    # fastjsonschema knows drafts 4-7; the schema uses nothing newer than draft 7 but "$defs",
    # which it resolves as a plain JSON pointer.
    # A deep copy: the compiler resolves references in place, and article_schema() is cached.
    schema = {**copy.deepcopy(article_schema()),
              "$schema": "http://json-schema.org/draft-07/schema#"}
    validate: Callable[[Any], Any] = fastjsonschema.compile(schema)
    return validate


def schema_errors(record: dict[str, Any]) -> list[str]:
    """Human-readable schema violations of a record, [] when it is valid."""
    try:
        _compiled()(record)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return []
    return [f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}"
            for e in article_validator().iter_errors(record)]

"""JSON for requests in the shared queue (SCHEDULER_SERIALIZER), instead of scrapy-redis's pickle.

A queue that several machines read must not run code from its contents (pickle does), and JSON
keeps the queue readable with `redis-cli`. `Request.to_dict()` is JSON apart from bytes: header
names and values and the body travel as latin-1 text, which maps each byte to one character and
back. Anything else that JSON cannot carry (say an object in `meta`) is refused when the request
is scheduled, so a non-serialisable request fails loudly on the worker that made it.
"""

from __future__ import annotations

import json
from typing import Any

_BYTES = "latin-1"


class NotSerialisable(TypeError):
    """A request that cannot travel through the shared queue."""


def _encode_headers(headers: dict[bytes, list[bytes]]) -> dict[str, list[str]]:
    return {name.decode(_BYTES): [value.decode(_BYTES) for value in values]
            for name, values in headers.items()}


def _decode_headers(headers: dict[str, list[str]]) -> dict[bytes, list[bytes]]:
    return {name.encode(_BYTES): [value.encode(_BYTES) for value in values]
            for name, values in headers.items()}


def dumps(request: dict[str, Any]) -> str:
    """`Request.to_dict()` -> JSON text; keys sorted so one request always has one encoding."""
    data = dict(request)
    data["headers"] = _encode_headers(data.get("headers") or {})
    data["body"] = (data.get("body") or b"").decode(_BYTES)
    try:
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        url = data.get("url")
        raise NotSerialisable(f"request {url} cannot be queued as JSON: {exc}") from None


def loads(text: str | bytes) -> dict[str, Any]:
    """JSON text -> a dict for `scrapy.utils.request.request_from_dict()`."""
    data: dict[str, Any] = json.loads(text)
    data["headers"] = _decode_headers(data.get("headers") or {})
    data["body"] = data.get("body", "").encode(_BYTES)
    return data

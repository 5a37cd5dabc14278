"""State blobs: the article as client-side code receives it (`__NEXT_DATA__`, `window.__NUXT__`,
`window.__INITIAL_STATE__ = …`, JSON-LD `articleBody`).

Client-rendered pages show nothing until scripts run; the article then exists only in such a
blob. It is read when the visible page has no article, never in preference to a visible one:
`blob_article_html` renders the blob's article as plain HTML for the ordinary extraction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from html import escape
from typing import Any

from parsel import Selector

from smmnews.extract.dates import parse_epoch, parse_iso
from smmnews.extract.markers import (
    BLOB_BODY_KEYS,
    BLOB_SOURCE_KEYS,
    CDATA_CLOSE,
    CDATA_OPEN,
    JSONLD_CSS,
    NEXT_DATA_ID,
    NEXT_DATE_KEYS,
    NEXT_TITLE_KEYS,
    STATE_ASSIGNMENT_RE,
)

_MAX_BLOB_NODES = 20_000
_MAX_SCRIPT_CHARS = 8_000_000


def load_json(text: str | None) -> Any:
    if not text or len(text) > _MAX_SCRIPT_CHARS:
        return None
    if CDATA_OPEN in text[:64]:
        text = unwrap_cdata(text)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def unwrap_cdata(text: str) -> str:
    """A script's text without the `//<![CDATA[ ... //]]>` guard XHTML templates put around it."""
    text = text.strip()
    for prefix in ("//" + CDATA_OPEN, "/*" + CDATA_OPEN + "*/", CDATA_OPEN):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    for suffix in ("//" + CDATA_CLOSE, "/*" + CDATA_CLOSE + "*/", CDATA_CLOSE):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    return text


def state_blobs(sel: Selector) -> list[Any]:
    """Every parsed state blob of the page: `__NEXT_DATA__` first, then assigned states."""
    blobs = []
    next_data = load_json(next((s.text for s in sel.root.iter("script")
                                if s.get("id") == NEXT_DATA_ID and s.text), None))
    if next_data is not None:
        blobs.append(next_data)
    for script in sel.root.iter("script"):
        text = script.text or ""
        if "__" not in text[:200] or script.get("src"):
            continue  # cheap test before the regex: most scripts assign nothing
        match = STATE_ASSIGNMENT_RE.match(text)
        if match:
            data = load_json(match["json"])
            if data is not None:
                blobs.append(data)
    return blobs


def walk(data: Any) -> Iterator[dict[str, Any]]:
    """Dicts of a blob, breadth first and bounded (blobs can be megabytes)."""
    queue: list[Any] = [data]
    seen = 0
    while queue and seen < _MAX_BLOB_NODES:
        node = queue.pop(0)
        seen += 1
        if isinstance(node, dict):
            yield node
            queue.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            queue.extend(v for v in node if isinstance(v, dict | list))


def _first_text(node: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _as_html(body: str) -> str:
    """HTML from a content API as it is; plain text (articleBody) one paragraph per line."""
    if "<" in body and ">" in body:
        return body
    return "".join(f"<p>{escape(line.strip(), quote=False)}</p>"
                   for line in body.splitlines() if line.strip())


def _date(node: dict[str, Any]) -> datetime | None:
    value = next((node[k] for k in NEXT_DATE_KEYS if node.get(k)), None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_epoch(float(value))
    return parse_iso(value) if isinstance(value, str) else None


def blob_article_html(sel: Selector) -> str | None:
    """The article of the page's state blobs or JSON-LD as HTML: title, source, text."""
    nodes = [node for blob in state_blobs(sel) for node in walk(blob)]
    for text in sel.css(JSONLD_CSS).getall():
        nodes += list(walk(load_json(text)))
    for node in nodes:
        title = _first_text(node, NEXT_TITLE_KEYS)
        body = _first_text(node, BLOB_BODY_KEYS)
        if not title or not body:
            continue
        source = _first_text(node, BLOB_SOURCE_KEYS)
        parts = [f"<h1>{escape(title, quote=False)}</h1>"]
        date = _date(node)
        if date is not None:
            # Shown under the title as a page would, so the header is found as on any page.
            parts.append(f"<div>{date:%Y-%m-%d %H:%M:%S}</div>")
        if source:
            parts.append(f"<div>Source: {escape(source, quote=False)}</div>")
        parts.append(f"<div>{_as_html(body)}</div>")
        return "<article>" + "".join(parts) + "</article>"
    return None

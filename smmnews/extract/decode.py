"""Turn response bytes into HTML text, or say clearly why the input is not a page."""

from __future__ import annotations

import re

from w3lib.encoding import html_to_unicode

# Pages over this size are not news articles (real ones are well under 1 MB).
MAX_PAGE_BYTES = 8 * 1024 * 1024
# Share of U+FFFD replacement characters above which the text is noise, not a page.
MAX_REPLACEMENT_SHARE = 0.05
_CLOSING_TAG_RE = re.compile(rb"</\s*(?:html|body)\s*>", re.IGNORECASE)
_TAG_RE = re.compile(rb"<\s*(?:!doctype|html|head|body|div|p|title|table|article)\b", re.I)


class BadPage(ValueError):
    """Input that is not an HTML page; `reason` is a stable short code for stats."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def decode_page(body: bytes, declared_encoding: str | None = None) -> str:
    """HTML text of a response body; raises BadPage for empty, binary, truncated or huge input."""
    if not body.strip():
        raise BadPage("empty", "the page has no content")
    if len(body) > MAX_PAGE_BYTES:
        raise BadPage("too_large", f"{len(body)} bytes is over the {MAX_PAGE_BYTES} byte limit")
    head = body[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadPage("binary", "the content has NUL bytes: not a text page")
    if not _TAG_RE.search(body[:65536]):
        raise BadPage("not_html", "no HTML markup in the first 64 KiB")
    if not _CLOSING_TAG_RE.search(body[-65536:]) and not body.rstrip().endswith(b">"):
        # HTML may omit </body> and </html>; a page cut in transfer ends mid-text or mid-tag.
        raise BadPage("truncated", "the page ends mid-text, before </body> or </html>")
    content_type = f"charset={declared_encoding}" if declared_encoding else None
    _, text = html_to_unicode(content_type, body)
    if text.count("\ufffd") > MAX_REPLACEMENT_SHARE * max(len(text), 1):
        raise BadPage("undecodable", "most of the text does not decode in any known encoding")
    return text

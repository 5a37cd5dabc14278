"""Turn response bytes into HTML text, or say clearly why the input is not a page."""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_to_unicode

# Pages over this size are not news articles (real ones are well under 1 MB).
MAX_PAGE_BYTES = 8 * 1024 * 1024
# Share of U+FFFD replacement characters above which the text is noise, not a page.
MAX_REPLACEMENT_SHARE = 0.05
_CLOSING_TAG_RE = re.compile(rb"</\s*(?:html|body)\s*>", re.IGNORECASE)
_TAG_RE = re.compile(rb"<\s*(?:!doctype|html|head|body|div|p|title|table|article)\b", re.I)
# libxml2 spends quadratic time on one element's attributes (40,000 of them: 13 s) and deep
# nesting is slow too; no news page comes near these bounds. A byte-level pre-scan refuses such
# pages before the parser sees them.
MAX_ATTRIBUTES = 1000
MAX_NESTING = 2000
# Only tags longer than this can hold MAX_ATTRIBUTES attributes worth counting.
_LONG_TAG_RE = re.compile(rb"<[A-Za-z][^<>]{4096,}")
_OPEN_OR_CLOSE_RE = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9]*)")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr "
                  b"p li option td th tr dt dd".split())  # the last ones usually left open


class BadPage(ValueError):
    """Input that is not an HTML page; `reason` is a stable short code for stats."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def nesting_depth(body: bytes) -> int:
    """How deep elements nest, counted from the tags alone (void and usually-unclosed ones
    skipped). Only pages with more tags than MAX_NESTING are scanned: fewer cannot nest deeper."""
    if body.count(b"<") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for closing, name in _OPEN_OR_CLOSE_RE.findall(body):
        if name.lower() in _VOID:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def pathological(body: bytes) -> str | None:
    """Why the parser must not see this page (attribute count or nesting), or None."""
    for tag in _LONG_TAG_RE.findall(body):
        count = len(tag.split()) - 1
        if count > MAX_ATTRIBUTES:
            return f"an element with about {count} attributes (limit {MAX_ATTRIBUTES})"
    depth = nesting_depth(body)
    if depth > MAX_NESTING:
        return f"elements nested {depth} deep (limit {MAX_NESTING})"
    return None


def charset_mismatch(body: bytes, declared_encoding: str | None) -> bool:
    """The server names a legacy charset but the bytes are UTF-8 with non-ASCII text in it:
    decoding as declared would give mojibake ("â€™" for "’")."""
    if not declared_encoding or body.isascii():
        return False
    try:
        if codecs.lookup(declared_encoding).name in ("utf-8", "utf-8-sig"):
            return False
        body.decode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _utf16(body: bytes, declared_encoding: str | None) -> bool:
    """UTF-16 text: a byte order mark (which outranks any declaration, as in browsers) or a
    UTF-16 charset in the header."""
    if body.startswith(_UTF16_BOMS):
        return True
    if not declared_encoding or "16" not in declared_encoding:
        return False
    try:
        return codecs.lookup(declared_encoding).name.startswith("utf-16")
    except LookupError:
        return False


def decode_page(body: bytes, declared_encoding: str | None = None) -> str:
    """HTML text of a response body; raises BadPage for empty, binary, truncated or huge input."""
    if not body.strip():
        raise BadPage("empty", "the page has no content")
    if len(body) > MAX_PAGE_BYTES:
        raise BadPage("too_large", f"{len(body)} bytes is over the {MAX_PAGE_BYTES} byte limit")
    if _utf16(body, declared_encoding):
        # Every byte test below reads ASCII markup; UTF-16 interleaves it with NULs.
        body = body.decode("utf-16" if body.startswith(_UTF16_BOMS) else declared_encoding or "",
                           "replace").encode("utf-8")
        declared_encoding = "utf-8"
    head = body[:4096]
    if b"\x00" in head:
        raise BadPage("binary", "the content has NUL bytes: not a text page")
    if not _TAG_RE.search(body[:65536]):
        raise BadPage("not_html", "no HTML markup in the first 64 KiB")
    if not _CLOSING_TAG_RE.search(body[-65536:]) and not body.rstrip().endswith(b">"):
        # HTML may omit </body> and </html>; a page cut in transfer ends mid-text or mid-tag.
        raise BadPage("truncated", "the page ends mid-text, before </body> or </html>")
    if (reason := pathological(body)) is not None:
        raise BadPage("pathological", reason)
    if charset_mismatch(body, declared_encoding):
        declared_encoding = "utf-8"  # the bytes say so; the header is wrong
    content_type = f"charset={declared_encoding}" if declared_encoding else None
    _, text = html_to_unicode(content_type, body)
    if text.count("\ufffd") > MAX_REPLACEMENT_SHARE * max(len(text), 1):
        raise BadPage("undecodable", "most of the text does not decode in any known encoding")
    return text

"""Faults the mirror injects, each turned into the reply the server writes.

A fault is a dict such as `{"kind": "flaky", "status": 503, "times": 2}`; the kinds and their
parameters are listed in `KINDS`. Everything a fault makes up (PNG noise, bad bytes) is seeded
by the request path, so a fault answers the same bytes every time.
"""

from __future__ import annotations

import gzip
import random
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from smmnews.mirror.site import HTML, Fault, Page, error_page

# kind -> required parameters (other parameters have defaults below).
KINDS: dict[str, tuple[str, ...]] = {
    "status": ("status",),
    "flaky": (),
    "slow": (),
    "reset": (),
    "truncated": (),
    "redirect": ("to",),
    "binary": (),
    "huge": (),
    "garbage_encoding": (),
    # gzip of `mb` MiB of zeros, sent as Content-Encoding: gzip (a decompression bomb).
    "gzip_bomb": (),
    # The page's UTF-8 bytes under a header naming another charset.
    "wrong_charset": (),
    # One element with `count` attributes inside the article (quadratic in libxml2).
    "attributes": (),
}
TRUNCATED_FRACTION = 0.4
_CHUNK = 64 * 1024
# Bytes that are not valid UTF-8 where they stand: cp1252 quote, Latin-1 e-acute, 0xFF, a lead
# byte followed by ASCII, a lone continuation byte.
_BAD_BYTES = (b"\x92", b"\xe9", b"\xff", b"\xc3(", b"\xa0")
_BAD_EVERY = 12  # one bad sequence per this many spaces of text: still readable


@dataclass(frozen=True)
class Reply:
    """What the server writes: status, headers, body chunks, and how to misbehave."""

    status: int
    content_type: str
    length: int
    chunks: Iterable[bytes]
    location: str | None = None
    delay: float = 0.0
    reset: bool = False
    send_limit: int | None = None  # write only this many body bytes, then close
    content_encoding: str | None = None
    retry_after: str | None = None


def check_fault(fault: Fault | None) -> Fault | None:
    """Return `fault` if it is well formed; raise ValueError naming the problem otherwise."""
    if fault is None:
        return None
    kind = fault.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r} in {fault!r}")
    missing = [name for name in KINDS[kind] if name not in fault]
    if missing:
        raise ValueError(f"fault {fault!r} lacks {', '.join(missing)}")
    return fault


def reply_for(page: Page, key: str, attempt: int, base: str) -> Reply:
    """The reply to the `attempt`-th request (1-based) for normalised path `key`."""
    fault = page.fault
    if fault is None:
        return plain(page)
    kind = fault["kind"]
    if kind == "status":
        return error_reply(int(fault["status"]))
    if kind == "flaky":
        failing = attempt <= int(fault.get("times", 2))
        if not failing:
            return plain(page)
        retry_after = fault.get("retry_after")  # seconds, or an HTTP date
        return replace(error_reply(int(fault.get("status", 503))),
                       retry_after=None if retry_after is None else str(retry_after))
    if kind == "slow":
        return replace(plain(page), delay=float(fault.get("seconds", 10)))
    if kind == "reset":
        return Reply(0, "", 0, (), reset=True)
    if kind == "truncated":
        return replace(plain(page), send_limit=int(len(page.body) * TRUNCATED_FRACTION))
    if kind == "redirect":
        return Reply(302, HTML, 0, (), location=urljoin(base + "/", fault["to"]))
    if kind == "binary":
        return plain(Page(body=png_noise(random.Random(key)), content_type="image/png"))
    if kind == "huge":
        size = int(float(fault.get("mb", 12)) * 1024 * 1024)
        return Reply(200, HTML, size, huge_html(size))
    if kind == "gzip_bomb":
        body = gzip_bomb(int(float(fault.get("mb", 64)) * 1024 * 1024))
        return Reply(200, HTML, len(body), (body,), content_encoding="gzip")
    if kind == "wrong_charset":
        charset = str(fault.get("charset", "iso-8859-1"))
        return replace(plain(page), content_type=f"text/html; charset={charset}")
    if kind == "attributes":
        attributes = " ".join(f'data-a{i}="x"' for i in range(int(fault.get("count", 40000))))
        body = page.body.replace(b"<body>", f"<body><div {attributes}></div>".encode(), 1)
        return plain(replace(page, body=body))
    if kind == "garbage_encoding":
        return plain(replace(page, body=sprinkle_invalid_utf8(page.body, random.Random(key))))
    raise ValueError(f"unknown fault kind {kind!r}")


def plain(page: Page) -> Reply:
    return Reply(page.status, page.content_type, len(page.body), (page.body,))


def error_reply(status: int) -> Reply:
    return plain(error_page(status))


_BOMBS: dict[int, bytes] = {}


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped (about 1/1000 of it), built once per size."""
    if size not in _BOMBS:
        _BOMBS[size] = gzip.compress(bytes(size), compresslevel=9)
    return _BOMBS[size]


def png_noise(rng: random.Random, size: int = 2048) -> bytes:
    """A PNG signature and a valid IHDR chunk followed by random bytes."""
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    ihdr = b"IHDR" + header
    chunk = struct.pack(">I", len(header)) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk + rng.randbytes(size)


def huge_html(size: int) -> Iterator[bytes]:
    """Exactly `size` bytes of an HTML page of price-archive rows, streamed in chunks."""
    head = (
        b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>SMM Price Archive'
        b" - Shanghai Metals Market (SMM)</title></head><body>\n"
    )
    tail = b"</body></html>\n"
    row = b"<p>SMM spot price archive: copper 98,140 yuan/mt; aluminium 20,610 yuan/mt.</p>\n"
    block = row * (_CHUNK // len(row))
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        piece = block[:left]
        left -= len(piece)
        yield piece
    yield tail


def sprinkle_invalid_utf8(body: bytes, rng: random.Random) -> bytes:
    """`body` with bytes that are not UTF-8 put before some spaces of its text.

    Only text after `<body` and outside tags is touched, so the markup and the `<title>` still
    parse and most words survive, as on a page mis-saved from a legacy encoding.
    """
    start = max(body.find(b"<body"), 0)
    out = bytearray(body[:start])
    in_tag, spaces = False, 0
    for byte in body[start:]:
        if byte == 0x3C:  # <
            in_tag = True
        elif byte == 0x3E:  # >
            in_tag = False
        elif byte == 0x20 and not in_tag:
            spaces += 1
            if spaces % _BAD_EVERY == 0:
                out += rng.choice(_BAD_BYTES)
        out.append(byte)
    return bytes(out)

"""E-mail addresses hidden by Cloudflare's e-mail obfuscation, put back into the page.

A site behind Cloudflare gets every address in its HTML replaced by a link whose text reads
"[email protected]" and whose `data-cfemail` attribute (or `#fragment` of a
`/cdn-cgi/l/email-protection` link) holds the address XOR-ed with its first byte; a browser's
script decodes it. The site notes say addresses may vanish this way (docs/site.md), and the
contact lines then lose them, so the same decoding is done here, on the parsed tree.
"""

from __future__ import annotations

import re
from typing import Any

# Cheap test on the page text before any tree walk: most pages have none.
MARKERS = ("data-cfemail", "email-protection#")
_PROTECTED = re.compile(r"/cdn-cgi/l/email-protection#([0-9a-fA-F]+)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FIND = ("//*[@data-cfemail]|//a[contains(@href, 'email-protection#')]")


def decode(hex_text: str) -> str | None:
    """The address an obfuscated string holds, or None when it holds none."""
    try:
        data = bytes.fromhex(hex_text)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    text = bytes(byte ^ key for byte in data[1:]).decode("utf-8", errors="replace")
    return text if _EMAIL.fullmatch(text) else None


def reveal(root: Any, html: str) -> None:
    """Replace each obfuscated address's element content with the address (in place)."""
    if not any(marker in html for marker in MARKERS):
        return
    for element in root.xpath(_FIND):
        found = element.get("data-cfemail")
        if found is None:
            match = _PROTECTED.search(element.get("href") or "")
            found = match[1] if match else None
        address = decode(found) if found else None
        if address is None:
            continue
        for child in list(element):
            element.remove(child)  # the "[email protected]" spans; the tail text goes too
        element.text = address
        if element.tag == "a":
            element.set("href", f"mailto:{address}")

"""HTML text to a parsel Selector, parsed once with lxml's plain HTML parser.

parsel's own `Selector(text=...)` builds lxml.html elements, whose per-element class lookup
costs about a third of a page's extraction time; the plain etree parser gives the same tree.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from parsel import Selector

from smmnews.extract.cfemail import reveal

# recover: broken markup is the norm; huge_tree: deep nesting must not abort the parse.
_PARSER = etree.HTMLParser(recover=True, huge_tree=True, remove_comments=True, remove_pis=True,
                           no_network=True)
_EMPTY = "<html></html>"
# XHTML pages open with `<?xml version="1.0" encoding="utf-8"?>`; lxml refuses a str that
# declares an encoding (ValueError), which would leave an empty document.
_XML_DECLARATION_RE = re.compile(r"^[\ufeff\s]*<\?xml\b[^>]*\?>")
# libxml2 does not know <wbr> (a line-break opportunity inside a word) and opens it as a
# container: the rest of the word, or with </p> omitted the rest of the page, becomes its child.
# It shows nothing, so it goes before parsing.
_WBR_RE = re.compile(r"<wbr\s*/?>", re.IGNORECASE)


def parse_html(html: str) -> Selector:
    """A Selector over the document; an empty document for text lxml cannot parse at all."""
    if html.startswith("<?xml") or html[:1].isspace() or html[:1] == "\ufeff":
        html = _XML_DECLARATION_RE.sub("", html, count=1)
    html = _WBR_RE.sub("", html)  # one scan; the same str back when there is none
    try:
        root: Any = etree.fromstring(html or _EMPTY, parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        root = etree.fromstring(_EMPTY, parser=_PARSER)
    reveal(root, html)
    return Selector(root=root, type="html")

"""Linearise any page markup into text blocks, as a reader sees them.

No real article HTML is known (notes §0), so extraction never keys on class names: it walks the
tree once, cuts the text at block boundaries (div soup, semantic HTML5 and 1990s tables alike)
and keeps a few structure signals per block (heading, list item, table row, link share, inside
nav/footer). The walk is iterative: hostile pages nest 10,000 deep.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from smmnews.extract.markers import BLOCK_TAGS, BREADCRUMB_HINTS, CHROME_TAGS, DROP_TAGS

_CHROME_ROLES = frozenset({"navigation", "contentinfo", "complementary", "banner", "dialog"})


@dataclass(slots=True)
class Block:
    """One visible line of the page."""

    text: str
    kind: str  # "p", "h1".."h6", "li", "row", "cell"
    link_chars: int = 0
    hrefs: tuple[str, ...] = ()
    chrome: bool = False
    crumb: bool = False
    cells: tuple[str, ...] = ()
    # Identity of the element around the block's own element: blocks of one text body share it.
    container: int = 0

    @property
    def link_ratio(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @property
    def is_heading(self) -> bool:
        return self.kind.startswith("h") and len(self.kind) == 2


@dataclass(slots=True)
class Image:
    src: str
    alt: str
    href: str | None
    position: int  # index of the next block: where the image sits in reading order
    chrome: bool


@dataclass(slots=True)
class Page:
    blocks: list[Block] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


def collapse(text: str) -> str:
    """Collapse runs of whitespace (NBSP and ideographic spaces included) to one space."""
    return " ".join(text.replace("\u200b", "").split())


def _tag(el: Any) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _is_data_table(table: Any) -> bool:
    """A table of values (cells of plain text) rather than a 2013-era layout table."""
    if table.xpath(".//table|.//p|.//div|.//ul|.//ol|.//h1|.//h2|.//h3|.//br[2]"):
        return False
    rows = table.xpath(".//tr")
    if len(table.xpath(".//a[@href]")) * 2 >= len(rows):
        return False  # a list of links laid out as a table (related news), not values
    return len(rows) >= 2 and any(len(row.xpath("./td|./th")) >= 2 for row in rows)


def _marks(el: Any) -> str:
    return " ".join(
        (el.get(name) or "") for name in ("class", "id", "aria-label", "role", "itemprop")
    ).lower()


class _Walker:
    def __init__(self) -> None:
        self.page = Page()
        self.parts: list[str] = []
        self.link_chars = 0
        self.hrefs: list[str] = []
        self.kind_stack: list[str] = ["p"]
        self.element_stack: list[int] = [0, 0]
        self.elements = 0  # numbering, not id(): lxml proxies die and their ids get reused
        self.kind: str | None = None
        self.anchors: list[str | None] = []
        self.chrome = 0
        self.crumb = 0

    def add_text(self, text: str | None) -> None:
        if not text:
            return
        if self.kind is None:
            if not text.strip():
                return
            self.kind = self.kind_stack[-1]
        self.parts.append(text)
        if self.anchors:
            self.link_chars += len(collapse(text))
            href = self.anchors[-1]
            if href and href not in self.hrefs:
                self.hrefs.append(href)

    def flush(self) -> None:
        if self.parts:
            text = collapse("".join(self.parts))
            if text:
                self.page.blocks.append(Block(
                    text=text, kind=self.kind or "p", link_chars=min(self.link_chars, len(text)),
                    hrefs=tuple(self.hrefs), chrome=self.chrome > 0, crumb=self.crumb > 0,
                    container=self.element_stack[-2],
                ))
        self.parts.clear()
        self.hrefs.clear()
        self.link_chars = 0
        self.kind = None

    def add_table(self, table: Any) -> None:
        self.flush()
        chrome = self.chrome > 0
        for caption in table.xpath("./caption"):
            text = collapse(caption.text_content())
            if text:
                self.page.blocks.append(Block(text=text, kind="h3", chrome=chrome))
        for row in table.xpath(".//tr"):
            cells = tuple(
                c for c in (collapse(cell.text_content()) for cell in row.xpath("./td|./th")) if c
            )
            if cells:
                self.page.blocks.append(
                    Block(text=" | ".join(cells), kind="row", chrome=chrome, cells=cells)
                )

    def add_image(self, el: Any) -> None:
        src = el.get("src") or el.get("data-src") or ""
        self.page.images.append(Image(
            src=src.strip(), alt=collapse(el.get("alt") or ""),
            href=self.anchors[-1] if self.anchors else None,
            position=len(self.page.blocks), chrome=self.chrome > 0,
        ))

    def start(self, el: Any, tag: str) -> bool:
        """Open an element; False when its subtree is to be skipped."""
        if tag in DROP_TAGS or el.get("hidden") is not None or el.get("aria-hidden") == "true":
            return False
        if tag == "table" and _is_data_table(el):
            self.add_table(el)
            return False
        if tag == "img":
            self.add_image(el)
            return False
        if tag == "br":
            self.flush()
            return False
        marks = _marks(el)
        if tag in CHROME_TAGS or (el.get("role") or "").lower() in _CHROME_ROLES:
            self.chrome += 1
        if any(hint in marks for hint in BREADCRUMB_HINTS):
            self.crumb += 1
        if tag == "a":
            self.anchors.append(el.get("href"))
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind_stack.append(tag if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "li")
                                   else self.kind_stack[-1] if tag in ("p", "span") else "p")
            self.elements += 1
            self.element_stack.append(self.elements)
        self.add_text(el.text)
        return True

    def end(self, el: Any, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind_stack.pop()
            self.element_stack.pop()
        if tag == "a" and self.anchors:
            self.anchors.pop()
        if any(hint in _marks(el) for hint in BREADCRUMB_HINTS):
            self.crumb -= 1
        if tag in CHROME_TAGS or (el.get("role") or "").lower() in _CHROME_ROLES:
            self.chrome -= 1


def _events(root: Any) -> Iterator[tuple[Any, bool]]:
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        yield el, closing
        if not closing:
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))


def linearise(root: Any) -> Page:
    """Blocks and images of a parsed document, in reading order."""
    walker = _Walker()
    skipping: Any = None
    for el, closing in _events(root):
        if skipping is not None:
            if el is skipping and closing:
                skipping = None
                walker.add_text(el.tail)
            continue
        tag = _tag(el)
        if tag is None:  # comments and processing instructions: only their tail is text
            if closing:
                walker.add_text(el.tail)
            continue
        if not closing:
            if not walker.start(el, tag):
                skipping = el
            continue
        walker.end(el, tag)
        walker.add_text(el.tail)
    walker.flush()
    return walker.page

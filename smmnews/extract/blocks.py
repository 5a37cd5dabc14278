"""Linearise any page markup into text blocks, as a reader sees them.

No real article HTML is known (docs/site.md), so extraction never keys on class names: it walks the
tree once, cuts the text at block boundaries (div soup, semantic HTML5 and 1990s tables alike)
and keeps a few structure signals per block (heading, list item, table row, link share, inside
nav/footer). The walk is iterative: hostile pages nest 10,000 deep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from smmnews.extract.markers import BLOCK_TAGS, BREADCRUMB_HINT, CHROME_TAGS, DROP_TAGS

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
    # is_chrome() is asked several times per block while segmenting; computed once.
    chrome_verdict: bool | None = None

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


def _is_data_table(table: Any) -> bool:
    """A table of values (cells of plain text) rather than a 2013-era layout table."""
    # First hit ends the scan: layout tables hold the whole page.
    inner = next(table.iterdescendants("table", "p", "div", "ul", "ol", "h1", "h2", "h3"), None)
    if inner is not None:
        return False
    if len(table.xpath(".//br[position() < 3]")) > 1:
        return False
    rows = table.xpath(".//tr")
    if len(table.xpath(".//a[@href]")) * 2 >= len(rows):
        return False  # a list of links laid out as a table (related news), not values
    return len(rows) >= 2 and any(len(row.xpath("./td|./th")) >= 2 for row in rows)


_HEADING_OR_LI = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "li"})


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
        self.flagged: dict[Any, tuple[bool, bool]] = {}  # element -> (chrome, crumb) it opened
        self.chrome = 0
        self.crumb = 0

    def add_text(self, text: str | None) -> None:
        if not text:
            return
        if self.kind is None:
            if text.isspace():
                return
            self.kind = self.kind_stack[-1]
        self.parts.append(text)
        if self.anchors:
            self.link_chars += len(text.strip())
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
            self.parts = []
            self.hrefs = []
            self.link_chars = 0
        self.kind = None

    def add_table(self, table: Any) -> None:
        self.flush()
        chrome = self.chrome > 0
        for caption in table.xpath("./caption"):
            text = collapse("".join(caption.itertext()))
            if text:
                self.page.blocks.append(Block(text=text, kind="h3", chrome=chrome))
        for row in table.xpath(".//tr"):
            cells = tuple(
                c for c in (collapse("".join(cell.itertext())) for cell in row.xpath("./td|./th"))
                if c
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
        if tag == "img":
            self.add_image(el)
            return False
        if tag == "br":
            self.flush()
            return False
        names = el.keys()  # one call; most elements carry no attribute that matters here
        if names and ("hidden" in names or el.get("aria-hidden") == "true"):
            return False
        if tag == "table" and _is_data_table(el):
            self.add_table(el)
            return False
        chrome = tag in CHROME_TAGS
        crumb = False
        if names:
            role = el.get("role")
            chrome = chrome or (role is not None and role.lower() in _CHROME_ROLES)
            for attr in ("class", "id", "aria-label"):
                value = el.get(attr) if attr in names else None
                if value and BREADCRUMB_HINT in value.lower():
                    crumb = True
                    break
        if chrome or crumb:
            self.flagged[el] = (chrome, crumb)
            self.chrome += chrome
            self.crumb += crumb
        if tag == "a":
            self.anchors.append(el.get("href"))
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind_stack.append(tag if tag in _HEADING_OR_LI
                                   else self.kind_stack[-1] if tag == "p" else "p")
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
        flags = self.flagged.pop(el, None)
        if flags is not None:
            self.chrome -= flags[0]
            self.crumb -= flags[1]


def _prune(root: Any) -> None:
    """Remove what a reader never sees, keeping the text that follows it (tails)."""
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *DROP_TAGS,
                         with_tail=False)


def linearise(root: Any) -> Page:
    """Blocks and images of a parsed document, in reading order (the tree is pruned in place)."""
    _prune(root)
    walker = _Walker()
    skipped: Any = None
    walk = etree.iterwalk(root, events=("start", "end"))
    for event, el in walk:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        tag = tag.lower()
        if event == "start":
            if not walker.start(el, tag):
                walk.skip_subtree()
                skipped = el
            continue
        if el is skipped:
            skipped = None
        else:
            walker.end(el, tag)
        walker.add_text(el.tail)
    walker.flush()
    return walker.page

"""Linearise any page markup into text blocks, as a reader sees them.

No real article HTML is known (docs/site.md), so extraction never keys on class names: it walks the
tree once, cuts the text at block boundaries (div soup, semantic HTML5 and 1990s tables alike)
and keeps a few structure signals per block (heading, list item, table row, link share, inside
nav/footer). The walk is iterative: hostile pages nest 10,000 deep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lxml import etree

from smmnews.extract.markers import (
    BLOCK_TAGS,
    BREADCRUMB_HINT,
    CHROME_TAGS,
    DROP_TAGS,
    HIDDEN_STYLE_RE,
    INVISIBLE_CHARS,
    LAZY_SRC_ATTRS,
    SUMMARY_HINT_RE,
)

_CHROME_ROLES = frozenset({"navigation", "contentinfo", "complementary", "banner", "dialog"})


# How many enclosing elements a piece remembers: enough to find a related item's wrapper.
PIECE_PATH_DEPTH = 16


class Piece(NamedTuple):
    """Text between two element edges: `<a>Title</a><span>3 hours ago</span>` is two pieces
    even with no whitespace between them (the block's text glues them)."""

    text: str
    href: str | None
    path: tuple[int, ...]  # numbers of the enclosing elements, outermost first (bounded)
    raw: str  # the text as written, whitespace kept: pieces of one link rejoin exactly


@dataclass(slots=True)
class Block:
    """One visible line of the page."""

    text: str
    kind: str  # "p", "h1".."h6", "li", "row", "cell"
    link_chars: int = 0
    hrefs: tuple[str, ...] = ()
    chrome: bool = False
    crumb: bool = False
    lead: bool = False  # inside an element whose class or id names a summary
    cells: tuple[str, ...] = ()
    # Identity of the element around the block's own element: blocks of one text body share it.
    container: int = 0
    # is_chrome() is asked several times per block while segmenting; computed once.
    chrome_verdict: bool | None = None
    pieces: tuple[Piece, ...] = ()
    table: int = 0  # rows of one <table> share a number (1, 2, ...): tables stay apart
    datetime: str | None = None  # a <time datetime="..."> inside the block
    # Segmenting asks for the title key and the word count of the same blocks many times
    # (every title/date pair, every region tried); computed once on first use. Not init
    # fields, so a `replace(block, text=...)` copy starts without them.
    _key: str | None = field(default=None, init=False, repr=False, compare=False)
    _words: int = field(default=-1, init=False, repr=False, compare=False)

    @property
    def key(self) -> str:
        """The text's title key (see `title_key`)."""
        if self._key is None:
            self._key = title_key(self.text)
        return self._key

    @property
    def words(self) -> int:
        if self._words < 0:
            self._words = len(self.text.split())
        return self._words

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
    # href -> the first label a link carries besides its text (title=, aria-label=, img alt=):
    # the headline of a related item whose visible text is only "Read More".
    link_labels: dict[str, str] = field(default_factory=dict)


def title_key(text: str) -> str:
    """Texts equal up to case and whitespace share a key."""
    return " ".join(text.casefold().split())


def collapse(text: str) -> str:
    """Collapse runs of whitespace (NBSP and ideographic spaces included) to one space, and
    drop the characters that show nothing (soft hyphens, zero-width spaces and joiners, a
    BOM inside the text)."""
    if not text.isascii():
        for char in INVISIBLE_CHARS:
            if char in text:  # one scan each; replace() would copy the text every time
                text = text.replace(char, "")
    return " ".join(text.split())


def _is_data_table(table: Any) -> bool:
    """A table of values (cells of plain text) rather than a 2013-era layout table."""
    # First hit ends the scan: layout tables hold the whole page.
    inner = next(table.iterdescendants("table", "ul", "ol", "h1", "h2", "h3"), None)
    if inner is not None:
        return False
    # Editors wrap single cell values in <p>/<div>/<span>; a layout cell holds several blocks.
    for cell in table.iterdescendants("td", "th"):
        if sum(1 for child in cell if child.tag in _CELL_WRAPPERS) > 1:
            return False
    if len(table.xpath(".//br[position() < 3]")) > 1:
        return False
    rows = table.xpath(".//tr")
    if len(table.xpath(".//a[@href]")) * 2 >= len(rows):
        return False  # a list of links laid out as a table (related news), not values
    return len(rows) >= 2 and any(len(row.xpath("./td|./th")) >= 2 for row in rows)


_CELL_WRAPPERS = frozenset({"p", "div", "section"})
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
        # Per open element, in step with `path`: the (chrome, crumb, lead) flags it opened, or
        # None (most elements). A stack, not a dict keyed by element: hashing an lxml proxy on
        # every end event cost more than the flags themselves.
        self.flagged: list[tuple[bool, bool, bool] | None] = []
        self.chrome = 0
        self.crumb = 0
        self.lead = 0
        # Every open element's number (block or inline), for the pieces' paths.
        self.path: list[int] = []
        self.numbered = 0
        self.tables = 0
        self.datetime: str | None = None
        self.pieces: list[Piece] = []
        self.piece_parts: list[str] = []
        self.piece_href: str | None = None
        self.piece_path: tuple[int, ...] = ()

    def cut_piece(self) -> None:
        """An element edge: the text so far is one piece, whatever whitespace there is."""
        if self.piece_parts:
            raw = "".join(self.piece_parts)
            text = collapse(raw)
            if text:
                self.pieces.append(Piece(text, self.piece_href, self.piece_path, raw))
            elif self.pieces:  # whitespace between two elements still separates their words
                last = self.pieces[-1]
                self.pieces[-1] = last._replace(raw=last.raw + " ")
            self.piece_parts = []

    def add_text(self, text: str | None) -> None:
        if not text:
            return
        if self.kind is None:
            if text.isspace():
                return
            self.kind = self.kind_stack[-1]
        self.parts.append(text)
        if not self.piece_parts:
            self.piece_href = self.anchors[-1] if self.anchors else None
            self.piece_path = tuple(self.path[-PIECE_PATH_DEPTH:])
        self.piece_parts.append(text)
        if self.anchors:
            self.link_chars += len(text.strip())
            href = self.anchors[-1]
            if href and href not in self.hrefs:
                self.hrefs.append(href)

    def flush(self) -> None:
        if not self.parts:
            # Nothing since the last edge (most block edges: nested divs): text parts, pieces
            # and the kind are only ever set together, so only the <time> value is left.
            self.datetime = None
            return
        self.cut_piece()
        text = collapse("".join(self.parts))
        if text:
            self.page.blocks.append(Block(
                text=text, kind=self.kind or "p", link_chars=min(self.link_chars, len(text)),
                hrefs=tuple(self.hrefs), chrome=self.chrome > 0, crumb=self.crumb > 0,
                lead=self.lead > 0, container=self.element_stack[-2], pieces=tuple(self.pieces),
                datetime=self.datetime,
            ))
        self.parts = []
        self.hrefs = []
        self.link_chars = 0
        self.pieces = []
        self.datetime = None
        self.kind = None

    def add_table(self, table: Any) -> None:
        self.flush()
        self.tables += 1
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
                    Block(text=" | ".join(cells), kind="row", chrome=chrome, cells=cells,
                          table=self.tables, container=self.element_stack[-1])
                )

    def add_image(self, el: Any) -> None:
        src = el.get("src") or ""
        if not src or src.startswith("data:"):
            src = next((v for v in map(el.get, LAZY_SRC_ATTRS) if v), src)
        if self.anchors and self.anchors[-1]:
            self.label(self.anchors[-1], el.get("alt"))
        self.page.images.append(Image(
            src=src.strip(), alt=collapse(el.get("alt") or ""),
            href=self.anchors[-1] if self.anchors else None,
            position=len(self.page.blocks), chrome=self.chrome > 0,
        ))

    def label(self, href: str, value: str | None) -> None:
        if value and href not in self.page.link_labels:
            text = collapse(value)
            if text:
                self.page.link_labels[href] = text

    def start(self, el: Any, tag: str) -> bool:
        """Open an element; False when its subtree is to be skipped."""
        if tag == "img":
            self.add_image(el)
            return False
        if tag == "br":
            self.flush()
            return False
        names = el.keys()  # one call; most elements carry no attribute that matters here
        if names and ("hidden" in names or el.get("aria-hidden") == "true"
                      or ("style" in names and HIDDEN_STYLE_RE.search(el.get("style") or ""))):
            return False
        if tag == "table" and _is_data_table(el):
            self.add_table(el)
            return False
        chrome = tag in CHROME_TAGS
        crumb = lead = False
        if names:
            role = el.get("role")
            chrome = chrome or (role is not None and role.lower() in _CHROME_ROLES)
            for attr in ("class", "id", "aria-label"):
                value = el.get(attr) if attr in names else None
                if value and BREADCRUMB_HINT in value.lower():
                    crumb = True
                    break
            # A lead's container is a block element named so by its class.
            value = el.get("class") if tag in BLOCK_TAGS and "class" in names else None
            lead = bool(value and SUMMARY_HINT_RE.search(value))
        if chrome or crumb or lead:
            self.flagged.append((chrome, crumb, lead))
            self.chrome += chrome
            self.crumb += crumb
            self.lead += lead
        else:
            self.flagged.append(None)
        if self.piece_parts:
            self.cut_piece()
        self.numbered += 1
        self.path.append(self.numbered)
        if tag == "a":
            href = el.get("href")
            self.anchors.append(href)
            if href and names:
                self.label(href, el.get("title") or el.get("aria-label"))
        elif tag == "time" and names:
            self.datetime = el.get("datetime") or self.datetime
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind_stack.append(tag if tag in _HEADING_OR_LI
                                   else self.kind_stack[-1] if tag == "p" else "p")
            self.elements += 1
            self.element_stack.append(self.elements)
        if el.text:
            self.add_text(el.text)
        return True

    def end(self, tag: str) -> None:
        if self.piece_parts:
            self.cut_piece()
        # Every element whose start returned True pushed one path number and one flag entry.
        self.path.pop()
        flags = self.flagged.pop()
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind_stack.pop()
            self.element_stack.pop()
        if tag == "a" and self.anchors:
            self.anchors.pop()
        if flags is not None:
            self.chrome -= flags[0]
            self.crumb -= flags[1]
            self.lead -= flags[2]


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
            walker.end(tag)
        tail = el.tail
        if tail:  # most elements have none: no call for them
            walker.add_text(tail)
    walker.flush()
    return walker.page

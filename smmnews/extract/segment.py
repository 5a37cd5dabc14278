"""Split a linearised page into header, body and tail (docs/site.md, "Layouts" L1-L7).

Positions come from text patterns: the title and the date line mark the header, the cut markers
of docs/site.md ("Boilerplate") end the body, a dateline starts it when the page shows no header
(L3), and the
portal rendering that puts the header after the body (L4 a) is recognised by an empty region
after the header.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from smmnews.extract.blocks import Block, Page
from smmnews.extract.boilerplate import (
    contacts_in,
    is_chrome,
    is_chrome_text,
    is_cut_marker,
    is_disclaimer,
    is_disclaimer_complete,
    is_feedback_phone,
    is_promo,
    is_site_suffix_line,
    merge_contacts,
    strip_inline_promo,
)
from smmnews.extract.dates import (
    date_line_parts,
    is_relative_time,
    is_time_line,
    match_dateline,
    parse_header_date,
)
from smmnews.extract.markers import (
    BYLINE_RE,
    DISCLAIMER_MAX_LINES,
    DISCLAIMER_PREFIX,
    HEADER_DATE_RE,
    HEADER_SOURCE_BULLET_RE,
    HOME_CRUMB,
    PAYWALL_HINT_RE,
    RELATED_HEADING_RE,
    SOURCE_LINE_RE,
)
from smmnews.extract.related import (
    article_link,
    is_link_line,
    merge_related,
    parse_related,
    related_from_images,
    related_from_links,
    title_key,
)
from smmnews.extract.urls import article_id_from_url
from smmnews.items import Contact, Related

# How far apart (in blocks) a title and its date line may be: L5 puts "smm insight" between.
HEADER_MAX_GAP = 8
# An L4 (a) page has its header after the body: fewer words than this after the header.
EMPTY_REGION_WORDS = 25
BODY_FIRST_MIN_WORDS = 60
# A <time> element makes a line the date line only in a line this short ("Published: <time>").
DATE_LINE_MAX_WORDS = 8
# A short text after the header is the article (a summary-only page) unless at least this
# much text stands before the title.
MIN_TEXT_BEFORE_WORDS = 12
# The next article of an infinite-scroll page: a title of at most this many words, and at least
# this many paragraphs of this many words under its date line.
NEXT_TITLE_MAX_WORDS = 40
NEXT_MAX_LINK_RATIO = 0.5  # a paragraph may end in a promo link
NEXT_DATE_GAP = 3  # blocks from a title to its date line (a byline, a source between)
NEXT_BODY_PARAGRAPHS = 2
NEXT_PARAGRAPH_WORDS = 12
_CRUMB_SEPARATORS = ("/", ">", "»", "›", "|")
_TAG_MAX_WORDS = 4


@dataclass(slots=True)
class Segments:
    body: list[str] = field(default_factory=list)
    body_rows: list[Block] = field(default_factory=list)
    body_span: tuple[int, int] = (0, 0)
    body_links: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    date_line: str | None = None
    date_attr: str | None = None  # the date line's <time datetime> value
    source: str | None = None
    disclaimer: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    breadcrumbs: list[str] = field(default_factory=list)
    method: str = "header"
    paywall_hint: bool = False


def _source_of(text: str) -> str | None:
    match = SOURCE_LINE_RE.match(text) or HEADER_SOURCE_BULLET_RE.match(text)
    return match["source"].strip() if match else None


def _header_source(text: str) -> str | None:
    """A source in a header placed after the body (L4 a), where it is a bare "- SMM" item."""
    return _source_of(text) or ("SMM" if text == "SMM" else None)


def _is_date_line(block: Block) -> bool:
    """A date line: a date in a fixed form, a relative time ("3 hours ago"), or a short line
    around a <time datetime> element."""
    # Table rows ("… | yuan/mt | Mar 20,2026") are values, never a header line in parts.
    parts = [block.text] if block.kind == "row" else date_line_parts(block.text)
    return bool(any(parse_header_date(part) or is_relative_time(part) for part in parts)
                or (block.datetime and block.words <= DATE_LINE_MAX_WORDS))


def _date_lines(blocks: list[Block]) -> list[int]:
    """Indices of the date lines outside chrome (computed once: the header and the next
    article's search both ask)."""
    return [i for i, b in enumerate(blocks) if not b.chrome and _is_date_line(b)]


def _header(blocks: list[Block], title: str | None,
            dates: list[int]) -> tuple[int | None, int | None]:
    """Indices of the displayed title and the date line that belongs to it."""
    key = title_key(title) if title else None
    titles = [i for i, b in enumerate(blocks) if key and b.key == key and not b.crumb]
    # The header's title is not a link when some showing is not: a linked one is the article
    # in another's related news (an infinite-scroll page's next article links back to it).
    unlinked = [i for i in titles if not blocks[i].link_chars]
    titles = unlinked or titles
    cut = next((i for i, b in enumerate(blocks) if is_cut_marker(b.text)), len(blocks))
    # The header's date stands right under the title: not past the article text's end, not
    # below a paragraph of text (related-news times, sign-off dates).
    pairs = [(d - t, t, d) for t in titles for d in dates
             if 0 < d - t <= HEADER_MAX_GAP and not (t < cut < d)
             and _words(blocks[t + 1:d]) < EMPTY_REGION_WORDS]
    if pairs:
        _, t, d = min(pairs)
        return t, d
    first_title = titles[0] if titles else None
    after = first_title if first_title is not None else -1
    date = next((d for d in dates if after < d < cut), None)
    if date is not None and first_title is not None and _words(
            blocks[first_title + 1:date]) >= EMPTY_REGION_WORDS:
        date = None  # a date below the article text (a sign-off) is not the header's
    return first_title, date


def _breadcrumbs(blocks: list[Block], before: int, title: str | None) -> list[str]:
    crumbs = [b.text for b in blocks[:before] if b.crumb]
    if not crumbs:
        line = next((b.text for b in blocks[:before] if b.text.startswith(HOME_CRUMB)
                     and any(s in b.text for s in _CRUMB_SEPARATORS)), None)
        crumbs = [line] if line else []
    parts: list[str] = []
    for crumb in crumbs:
        text = crumb
        if title and text.endswith(title) and text != title:
            text = text[: -len(title)]
        for sep in _CRUMB_SEPARATORS[1:]:
            text = text.replace(sep, "/")
        # "yuan/mt" inside a title is not a separator: split on spaced slashes when there are any.
        pieces = text.split(" / ") if " / " in text else text.split("/")
        parts += [p.strip(" /") for p in pieces if p.strip(" /")]
    if parts and title and title_key(parts[-1]) == title_key(title):
        parts.pop()
    return parts


def _region(blocks: list[Block], title_at: int | None, date_at: int | None) -> tuple[int, int, str]:
    """Start, end and method of the body region."""
    header_end = max((i for i in (title_at, date_at) if i is not None), default=None)
    if header_end is None:
        start = next((i for i, b in enumerate(blocks) if match_dateline(b.text)), 0)
        method = "dateline" if start else "page"
    else:
        start, method = header_end + 1, "header"
        while start < len(blocks) and (_source_of(blocks[start].text) or is_chrome(blocks[start])
                                       or BYLINE_RE.match(blocks[start].text)):
            start += 1
    end = _cut(blocks, start, len(blocks))
    words = _words(blocks[start:end])
    if header_end is not None and title_at is not None:
        first = next((i for i in range(title_at) if not is_chrome(blocks[i])), title_at)
        before_end = _cut(blocks, first, title_at)
        # Trails ending in the title and bare time lines (tickers) are no article text.
        title = blocks[title_at].text
        before = _words([b for b in blocks[first:before_end]
                         if not b.text.endswith(title) and not is_time_line(b.text)])
        if ((words < EMPTY_REGION_WORDS and before > max(words, MIN_TEXT_BEFORE_WORDS))
                or (before >= BODY_FIRST_MIN_WORDS and before >= 3 * words)):
            return first, before_end, "body_first"
    return start, end, method


def _next_article(blocks: list[Block], title_at: int | None, date_at: int | None,
                  start: int, dates: frozenset[int]) -> int | None:
    """Where the next article of an infinite-scroll page starts: below the body, a header of
    the same shape as this page's (an unlinked line of the title's kind, a date line right
    under it) and paragraphs of text before any other date line. Its boilerplate and related
    news are not ours."""
    if title_at is None:
        return None
    kind, own = blocks[title_at].kind, blocks[title_at].key
    # A page that shows no date line: only a second <h1> is a header of the same shape.
    dated = date_at is not None and 0 < date_at - title_at <= NEXT_DATE_GAP
    if not dated and kind != "h1":
        return None
    for t in range(start, len(blocks)):
        block = blocks[t]
        # Cheapest tests first: this runs over every block below the body's start.
        if (block.kind != kind or block.link_chars or block.chrome or block.text[-1] == "."
                or not 3 <= block.words <= NEXT_TITLE_MAX_WORDS or block.key == own
                or is_cut_marker(block.text)
                or any(b.key == block.key for b in blocks[max(t - 2, 0):t])):  # a card's copy
            continue
        date = _date_under(blocks, t, dates) if dated else t
        if date is None:
            continue
        if _text_follows(blocks, date + 1, block.key, dates):
            # Its trail ("Home / Metal News / <its title>") is its header too.
            while t > start and (blocks[t - 1].crumb or blocks[t - 1].text.endswith(block.text)):
                t -= 1
            return t
    return None


def _date_under(blocks: list[Block], title_at: int, dates: frozenset[int]) -> int | None:
    """The date line right under a title: the next line, or one after a short line (a
    byline, a source)."""
    for d in range(title_at + 1, min(title_at + 1 + NEXT_DATE_GAP, len(blocks))):
        if d in dates:
            return d
        if blocks[d].words > DATE_LINE_MAX_WORDS:
            return None
    return None


def _text_follows(blocks: list[Block], start: int, title: str, dates: frozenset[int]) -> bool:
    """Paragraphs of text from `start` on, before any date line or cut marker: mostly unlinked
    texts shown once each (a related card repeats its headline)."""
    counts: dict[str, int] = {}
    for index in range(start, len(blocks)):
        block = blocks[index]
        if is_chrome(block):
            continue  # "Updated: <date>", share bars
        if index in dates or is_cut_marker(block.text):
            break
        # Every text counts its showings, linked or not: a card's unlinked copy of its
        # linked headline is no paragraph.
        counts[block.key] = counts.get(block.key, 0) + (
            1 if block.words >= NEXT_PARAGRAPH_WORDS and block.link_ratio < NEXT_MAX_LINK_RATIO
            and block.key != title else 2)
    return sum(1 for n in counts.values() if n == 1) >= NEXT_BODY_PARAGRAPHS


def _cut(blocks: list[Block], start: int, stop: int) -> int:
    return next((i for i in range(start, stop) if is_cut_marker(blocks[i].text)), stop)


def _words(blocks: list[Block]) -> int:
    return sum(b.words for b in blocks if not is_chrome(b))


def _trailing_tags(body: list[Block]) -> int:
    """How many short label lines close the body ("Market review"): tag lines, not text."""
    count = 0
    for block in reversed(body):
        text = block.text
        if (block.kind == "row" or len(text.split()) > _TAG_MAX_WORDS
                or text[-1] in ".:!?;)%" or any(ch.isdigit() for ch in text)):
            break
        count += 1
    return count if count < len(body) else 0


class _Collector:
    """Routes each block of the body region to the body or to the field it belongs to."""

    def __init__(self, segments: Segments, base_url: str, own_id: str | None,
                 title: str | None) -> None:
        self.seg = segments
        self.base_url = base_url
        self.own_id = own_id
        self.title_key = title_key(title) if title else None
        self.kept: list[Block] = []
        self.inline_related: list[Block] = []
        self.open_disclaimer = False

    def take(self, block: Block) -> None:
        at = block.text.find(DISCLAIMER_PREFIX)
        if at > 0:
            # The statement glued to the last paragraph: two blocks, text and statement.
            self.take(replace(block, text=block.text[:at].rstrip(), chrome_verdict=None))
            self.take(replace(block, text=block.text[at:], chrome_verdict=None))
            return
        text = strip_inline_promo(block.text)
        if text != block.text:
            block = replace(block, text=text, chrome_verdict=None)
        if self.open_disclaimer and self.seg.disclaimer:
            # The statement split over several lines: continue it until its last word.
            self.seg.disclaimer = f"{self.seg.disclaimer} {text}"
            self.open_disclaimer = not is_disclaimer_complete(self.seg.disclaimer)
            return
        if is_disclaimer(text):
            if self.seg.disclaimer is None:
                self.seg.disclaimer = text
                self.open_disclaimer = not is_disclaimer_complete(text)
            return
        found = contacts_in(text)
        if found is not None:
            self.seg.contacts += found
            return
        source = _source_of(text)
        if source:
            self.seg.source = self.seg.source or source
            return
        if is_promo(text):
            self.seg.paywall_hint = self.seg.paywall_hint or bool(PAYWALL_HINT_RE.search(text))
            return
        if (is_feedback_phone(text) or is_site_suffix_line(text)
                or title_key(text) == self.title_key):
            return
        link = article_link(block, self.base_url)
        if (link and is_link_line(block) and article_id_from_url(link) != self.own_id
                and not is_chrome_text(block.text)):  # "Next: <headline>" is no related item
            self.inline_related.append(block)
            self.seg.body_links.append(link)
            return
        if is_chrome(block):
            return
        self.kept.append(block)


def _lead(body: list[Block]) -> tuple[list[Block], list[str]]:
    """Drop the summary's second showing; the repeated lead is the shown summary."""
    if len(body) > 1:
        lead = body[0].key
        for later in body[1:6]:
            if later.key == lead:
                return body[1:], [body[0].text]
    return body, []


def _shown_summary(body: list[Block]) -> list[str]:
    """A lead shown once above the body in its own container (not repeated in the text)."""
    if len(body) < 3:
        return []
    lead = body[0]
    if lead.is_heading or lead.words < 8:
        return []
    if lead.lead and not body[1].lead:
        return [lead.text]  # its element is named a summary
    # The text's own blocks share containers (lists and tables bring their own); the lead
    # sits in none of them.
    later = [b.container for b in body[1:]]
    if lead.container not in later and len(set(later)) < len(later):
        return [lead.text]
    return []


def _tail(blocks: list[Block], seg: Segments, skip: range, base_url: str, now: datetime,
          stop_at: int | None, labels: dict[str, str]) -> None:
    """Disclaimer, contacts and related news outside the body region."""
    continued = -1
    for index, block in enumerate(blocks):
        if index in skip or index <= continued:
            continue
        if is_disclaimer(block.text):
            text, continued = _whole_disclaimer(blocks, index)
            seg.disclaimer = seg.disclaimer or text
        elif (found := contacts_in(block.text)) is not None:
            seg.contacts += found
        elif seg.source is None and not block.chrome and (source := _source_of(block.text)):
            seg.source = source
        if RELATED_HEADING_RE.match(block.text):
            # A related block placed before the body (a sidebar first in DOM order) ends
            # where the body starts.
            end = next((j for j in range(index + 1, len(blocks))
                        if is_cut_marker(blocks[j].text) or j in (stop_at, skip.start)),
                       len(blocks))
            seg.related = merge_related(seg.related,
                                        parse_related(blocks[index + 1:end], base_url, now,
                                                      block, labels))


def _whole_disclaimer(blocks: list[Block], index: int) -> tuple[str, int]:
    """The statement starting at `index`, joined over the lines it was split into; and the
    index of its last line."""
    text, last = blocks[index].text, index
    for later in range(index + 1, min(len(blocks), index + DISCLAIMER_MAX_LINES)):
        if is_disclaimer_complete(text):
            break
        line = blocks[later].text
        if is_cut_marker(line) or contacts_in(line) is not None:
            break
        text, last = f"{text} {line}", later
    return text, last


def _header_summary(blocks: list[Block], date_at: int | None, stop: int) -> list[str]:
    """L4 (a): the summary line under the date in a header that follows the body."""
    if date_at is None:
        return []
    for block in blocks[date_at + 1:stop]:
        if _header_source(block.text) or is_chrome(block):
            continue
        if is_cut_marker(block.text) or is_disclaimer(block.text):
            return []
        return [block.text]
    return []


def segment(page: Page, title: str | None, url: str, now: datetime,
            base_url: str | None = None) -> Segments:
    """`url` is the page's (its article id is its own), `base_url` what its links resolve
    against (its <base href>; default the page URL)."""
    own_id = article_id_from_url(url)
    base_url = base_url or url
    blocks = page.blocks
    seg = Segments()
    dates = _date_lines(blocks)
    title_at, date_at = _header(blocks, title, dates)
    if date_at is not None:
        seg.date_line = blocks[date_at].text
        seg.date_attr = blocks[date_at].datetime
        glued = HEADER_DATE_RE.match(seg.date_line)
        if glued and glued["source"]:
            seg.source = glued["source"].strip()
    if title_at is not None:
        seg.breadcrumbs = _breadcrumbs(blocks, title_at, title)
    for block in blocks[: max((i for i in (title_at, date_at) if i is not None), default=-1) + 1]:
        seg.source = seg.source or _source_of(block.text)
    start, end, seg.method = _region(blocks, title_at, date_at)
    next_at = (_next_article(blocks, title_at, date_at, start, frozenset(dates))
               if seg.method == "header" else None)
    if next_at is not None:
        end = min(end, next_at)
        blocks = blocks[:next_at]
    if seg.method == "body_first":
        for block in blocks[(date_at or 0) + 1:]:
            seg.source = seg.source or _header_source(block.text)
    collector = _Collector(seg, base_url, own_id, title)
    for block in blocks[start:end]:
        collector.take(block)
    kept = collector.kept
    tags = _trailing_tags(kept)
    kept = kept[: len(kept) - tags]
    kept, seg.summaries = _lead(kept)
    if not seg.summaries and seg.method == "header":
        seg.summaries = _shown_summary(kept)
    if seg.method == "body_first":
        seg.summaries = _header_summary(blocks, date_at, len(blocks))
    seg.body = [b.text for b in kept]
    seg.body_rows = [b for b in kept if b.kind == "row"]
    seg.body_span = (start, end)
    _tail(blocks, seg, range(start, end), base_url, now, title_at if title_at and title_at > end
          else None, page.link_labels)
    images = [i for i in page.images if next_at is None or i.position < next_at]
    related = merge_related(related_from_links(collector.inline_related, base_url),
                            seg.related, related_from_images(images, base_url))
    # Never the article itself (its own pages "?page=2" under the related block, a template
    # that lists the current article among its neighbours).
    seg.related = [r for r in related if not own_id or article_id_from_url(r.url or "") != own_id]
    seg.contacts = merge_contacts(seg.contacts)
    return seg

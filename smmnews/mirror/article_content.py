"""One article's content, independent of any markup, and the record it must give.

The renderer (render.py) turns an `ArticleContent` into HTML in many ways; every one of them
must extract to `expected_record(content)`. Content comes from a fixture's reviewed
`expected.json` or is invented from a seed (mirror/content.py's wording).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from smmnews.mirror.content import METALS, invent_article
from smmnews.mirror.templates import ANALYSTS, STATEMENT_V1, STATEMENT_V2

SHANGHAI = timezone(timedelta(hours=8))
SITE = "https://news.metal.com"
_LINKED_ID = re.compile(r"/newscontent/(\d{5,})")
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s")


@dataclass(frozen=True)
class BodyBlock:
    """One block of the article text: a paragraph, a sub-heading candidate, a list item or a
    table row (`cells`, `table` numbers the table it belongs to)."""

    text: str
    kind: str = "p"  # "p", "heading", "li", "row"
    cells: tuple[str, ...] = ()
    table: int = 0


@dataclass(frozen=True)
class RelatedItem:
    title: str
    url: str
    summary: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class ArticleContent:
    article_id: str
    url: str
    now: datetime
    title: str
    published_at: datetime | None
    summary: str | None
    summary_is_lead: bool  # the summary is the body's first block (shown above it, or repeated)
    body: tuple[BodyBlock, ...]
    dateline: str | None
    source: str | None
    disclaimer: str | None
    contacts: tuple[tuple[str | None, str | None], ...]
    related: tuple[RelatedItem, ...]
    breadcrumbs: tuple[str, ...]
    is_partial: bool
    title_tags: tuple[str, ...] | None = None  # known only for reviewed fixtures
    extra: dict[str, Any] = field(default_factory=dict)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(SHANGHAI).isoformat()


def contact_line(name: str | None, email: str | None) -> str:
    """The site's wording of one contact (notes §4.2)."""
    if name:
        return f"For queries, please contact {name} at {email or '[email protected]'}"
    if email == "service.en@smm.cn":
        return ("For more information on how to access our research reports, please email "
                "service.en@smm.cn")
    return f"For any inquiries or to learn more information, please contact: {email}"


def expected_record(content: ArticleContent) -> dict[str, Any]:
    """The record every rendering of `content` must give (the fields the gate compares)."""
    tables: dict[int, list[list[str]]] = {}
    for block in content.body:
        if block.kind == "row":
            tables.setdefault(block.table, []).append(list(block.cells))
    record: dict[str, Any] = {
        "article_id": content.article_id,
        "canonical_url": f"{SITE}/newscontent/{content.article_id}",
        "title": content.title,
        "published_at": iso(content.published_at),
        "source": content.source,
        "dateline": content.dateline,
        "summary": content.summary,
        "body": "\n\n".join(block.text for block in content.body),
        "is_partial": content.is_partial,
        "disclaimer": content.disclaimer,
        "contacts": [{"name": n, "email": e} for n, e in content.contacts],
        "related": [_related_record(r) for r in content.related],
        "breadcrumbs": list(content.breadcrumbs),
        "tables": list(tables.values()),
    }
    if content.title_tags is not None:
        record["title_tags"] = list(content.title_tags)
    return record


def _related_record(item: RelatedItem) -> dict[str, Any]:
    linked = _LINKED_ID.search(item.url)
    article_id = linked[1] if linked else None
    return {"title": item.title, "url": item.url, "article_id": article_id,
            "canonical_url": f"{SITE}/newscontent/{article_id}" if article_id else None,
            "summary": item.summary, "published_at": iso(item.published_at)}


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def from_expected(expected: dict[str, Any], meta: dict[str, Any]) -> ArticleContent:
    """The content of a fixture case, read from its reviewed expected record."""
    texts = expected["body"].split("\n\n")
    blocks: list[BodyBlock] = []
    table = 0
    for index, text in enumerate(texts):
        if " | " in text:
            if index == 0 or " | " not in texts[index - 1]:
                table += 1
            blocks.append(BodyBlock(text, "row", tuple(text.split(" | ")), table))
        elif _NUMBERED.match(text):
            blocks.append(BodyBlock(text, "li"))
        elif len(text.split()) <= 8 and text[-1:] not in ".:;!?%)":
            blocks.append(BodyBlock(text, "heading"))
        else:
            blocks.append(BodyBlock(text))
    summary = expected["summary"]
    return ArticleContent(
        article_id=expected["article_id"], url=meta["url"], now=_required(meta["now"]),
        title=expected["title"], published_at=_parse(expected["published_at"]),
        summary=summary, summary_is_lead=bool(summary) and texts[0] == summary,
        body=tuple(blocks), dateline=expected["dateline"], source=expected["source"],
        disclaimer=expected["disclaimer"],
        contacts=tuple((c["name"], c["email"]) for c in expected["contacts"]),
        related=tuple(RelatedItem(r["title"], r["url"], r["summary"], _parse(r["published_at"]))
                      for r in expected["related"]),
        breadcrumbs=tuple(expected.get("breadcrumbs", [])), is_partial=expected["is_partial"],
        title_tags=tuple(expected.get("title_tags", [])),
    )


def _required(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


_HEADINGS = ("Market Review", "Supply Side", "Demand Side", "Outlook", "Price Trend Analysis")
_DATELINE_FORMS = (
    (r"^(SHANGHAI, \w+ \d+ \(SMM\) -)", "SMM"),
    (r"^(SMM News on \w+ \d+:)", None),
    (r"^(SMM \w+ \d+ News:)", None),
)


def generate(seed: int, now: datetime | None = None) -> ArticleContent:
    """Invented content: metals-news wording, sub-headings, lists, tables, related news."""
    rng = random.Random(seed)
    now = now or datetime(2026, 3, 20, 12, 0, tzinfo=SHANGHAI)
    published = now - (timedelta(hours=rng.randint(1, 23)) if rng.random() < 0.15
                       else timedelta(minutes=rng.randint(30, 60 * 24 * 400)))
    article_id = 103_000_000 + rng.randint(0, 999_999)
    article = invent_article(article_id, rng, published)
    paragraphs = list(article.paragraphs[1:])
    blocks: list[BodyBlock] = []
    for index, text in enumerate(paragraphs):
        if index and rng.random() < 0.25:
            blocks.append(BodyBlock(rng.choice(_HEADINGS), "heading"))
        blocks.append(BodyBlock(text))
    if rng.random() < 0.3:
        at = rng.randint(0, len(blocks))
        items = [BodyBlock(f"{n}. {s}", "li") for n, s in enumerate(
            rng.sample(("Inventories fell for a third week.", "Spot premiums held steady.",
                        "Smelters kept operating rates unchanged.", "Imports rose on the month."),
                       rng.randint(2, 4)), 1)]
        blocks[at:at] = items
    if rng.random() < 0.35:
        blocks[len(blocks) // 2:len(blocks) // 2] = _table(rng, article.metal)
    summary_is_lead = rng.random() < 0.8
    summary: str | None = article.summary
    if summary_is_lead:
        blocks.insert(0, BodyBlock(article.summary))
    elif rng.random() < 0.3:
        summary = None
    dateline, source = None, "SMM" if article.source_line else None
    for pattern, dateline_source in _DATELINE_FORMS:
        match = re.match(pattern, article.summary)
        if match and summary_is_lead:
            dateline = match[1]
            source = source or dateline_source
    partial = summary_is_lead and rng.random() < 0.05
    if partial:
        blocks = blocks[:1]
    disclaimer = rng.choice((STATEMENT_V1, STATEMENT_V2, None))
    analyst = rng.choice(ANALYSTS)
    contacts: tuple[tuple[str | None, str | None], ...] = rng.choice((
        ((analyst[0], analyst[1]), (None, "service.en@smm.cn")),
        ((None, analyst[1]), (None, "service.en@smm.cn")),
        (),
    ))
    related: list[RelatedItem] = []
    for offset in range(rng.randint(0, 4)):
        item = _related(rng, now, article_id + offset + 1)
        # Two related articles may share a headline (daily comments): still two items.
        if item.title != article.title:
            related.append(item)
    return ArticleContent(
        article_id=str(article_id), url=f"{SITE}{article.path}", now=now, title=article.title,
        published_at=published, summary=summary, summary_is_lead=summary_is_lead,
        body=tuple(blocks), dateline=dateline, source=source, disclaimer=disclaimer,
        contacts=contacts, related=tuple(related),
        breadcrumbs=rng.choice((("Home", "Metal News"), ())), is_partial=partial,
    )


def _table(rng: random.Random, metal: str) -> list[BodyBlock]:
    table = rng.randint(1, 1000)
    product = METALS[metal][1]
    rows = [("Product", "Unit", "Price", "Change")]
    for grade in rng.sample(("#1", "Grade A", "99.99%", "Spot", "Premium"), rng.randint(2, 4)):
        price = rng.randint(10_000, 90_000)
        rows.append((f"{grade} {product}", "yuan/mt", f"{price:,}", f"{rng.randint(-900, 900)}"))
    return [BodyBlock(" | ".join(row), "row", row, table) for row in rows]


def _related(rng: random.Random, now: datetime, article_id: int) -> RelatedItem:
    published = now - rng.choice((timedelta(minutes=rng.randint(1, 59)),
                                  timedelta(hours=rng.randint(1, 23)),
                                  timedelta(minutes=rng.randint(60 * 24, 60 * 24 * 90))))
    article = invent_article(article_id, rng, published)
    summary = article.summary if rng.random() < 0.4 else None
    return RelatedItem(article.title, f"{SITE}{article.path}", summary,
                       published if rng.random() < 0.9 else None)

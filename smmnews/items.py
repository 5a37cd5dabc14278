"""The article record: every field declared once, in output order, documented where declared.

`Article` is what the extractor produces, what pipelines see and what the feed exporter writes;
the JSON Schema (`smmnews/schema/article.schema.json`) and the README's field tables are
generated from it (`python -m smmnews.schema`). Values keep their Python types (datetimes stay
datetimes) until `smmnews.serialize.record_json` writes the record. Imports no Scrapy, so the
extraction path stays light.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import Any

# 1.1: related items carry article_id and canonical_url.
SCHEMA_VERSION = "1.1"

# JSON Schema fragments shared by several fields.
ISO_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"
ISO_UTC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$"
HASH_PATTERN = r"^sha256:[0-9a-f]{64}$"


def spec(doc: str, *, default: Any = MISSING, factory: Any = MISSING, column: str | None = None,
         **schema: Any) -> Any:
    """A field with its documentation, the JSON Schema keywords its type does not imply, and
    (`column`) a SQL column type where the Python type says less (a date kept as text)."""
    metadata = {"doc": doc, "schema": schema, "column": column}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(slots=True)
class Contact:
    """One e-mail named by a contact line ("For queries, please contact Lemon Zhao at …")."""

    name: str | None = spec("the person the line names; null when it names nobody",
                            default=None)
    email: str | None = spec("the e-mail address; null when the page hides it", default=None)


@dataclass(slots=True)
class Image:
    """A picture inside the article text (site icons and related-news thumbnails excluded)."""

    url: str = spec("absolute URL of the picture", default="")
    alt: str | None = spec("its alt text; null when empty", default=None)


@dataclass(slots=True)
class Related:
    """One item of a related-news block, once although pages repeat each title 3-4 times."""

    title: str = spec("the headline", default="", minLength=1)
    url: str | None = spec("absolute URL of the related article as linked; null when not linked",
                           default=None)
    article_id: str | None = spec("the related article's id, to join it with its own record; null "
                                  "when the link names none", default=None, pattern=r"^\d{5,}$")
    canonical_url: str | None = spec(
        "`https://news.metal.com/newscontent/<id>` of the related article (whatever host it was "
        "linked from); null when the link names no id", default=None,
        pattern=r"^https://news\.metal\.com/newscontent/\d{5,}$")
    summary: str | None = spec("its summary line, when the block shows one", default=None)
    published_at: datetime | None = spec(
        "its time, ISO 8601 with offset; relative times (\"3 hours ago\") resolved against the "
        "crawl time", default=None, pattern=ISO_WITH_OFFSET)


@dataclass(slots=True)
class Article:
    """One SMM news article. Field order is the JSON Lines key order."""

    schema_version: str = spec(f"`\"{SCHEMA_VERSION}\"`; the minor number grows when fields are "
                               "added, the major one when a field changes meaning",
                               default=SCHEMA_VERSION, const=SCHEMA_VERSION)
    article_id: str = spec("SMM's numeric article id, the only stable key (every URL form of "
                           "the site gives it)", default="", pattern=r"^\d{5,}$")
    url: str = spec("the URL as fetched", default="", pattern=r"^https?://")
    canonical_url: str = spec("`https://news.metal.com/newscontent/<id>`", default="",
                              pattern=r"^https://news\.metal\.com/newscontent/\d{5,}$")
    title: str = spec("headline as displayed, bracket tags kept, site suffixes "
                      "(\" - Shanghai Metals Market (SMM)\") removed", default="", minLength=1)
    title_tags: list[str] = spec("the title's bracket tags without brackets: `[SMM Analysis]`, "
                                 "`【SMM Analysis】` → `\"SMM Analysis\"`", factory=list)
    published_at: datetime | None = spec(
        "ISO 8601 with offset and seconds, `+08:00`: the site states no zone, SMM is in "
        "Shanghai. A date without time is midnight; a `GMT` time is converted. Null when the page "
        "shows no date (a dateline then dates the article)", default=None,
        pattern=ISO_WITH_OFFSET)
    published_raw: str | None = spec(
        "the date as the page shows it (`Aug 21, 2025 14:03`, `Jan 19, 2026, at 11:55 am`, "
        "`Jul 31,2017`), else the metadata value", default=None, minLength=1)
    dateline: str | None = spec("the body's dateline (`SMM News on July 14:`, "
                                "`SHANGHAI, Mar 10 (SMM) -`); it also stays in `body`",
                                default=None, minLength=1)
    dateline_date: str | None = spec("`YYYY-MM-DD` the dateline names (its year from "
                                     "`published_at`)", default=None,
                                     pattern=r"^\d{4}-\d{2}-\d{2}$", column="DATE")
    source: str | None = spec("`\"SMM\"`, or a syndication source such as `\"INTERFAX-CHINA\"`",
                              default=None, minLength=1)
    summary: str | None = spec("the lead shown under the date, else the page's description "
                               "metadata", default=None, minLength=1)
    body: str = spec("article text only: paragraphs, sub-headings, list items, table rows "
                     "(cells joined by ` | `), blocks joined by a blank line. The summary appears "
                     "once. Never disclaimer, contacts, promo (`》…`), related news or chrome",
                     default="", minLength=1)
    is_partial: bool = spec("the page carries only the summary (members-only pages)",
                            default=False)
    disclaimer: str | None = spec("the \"Data Source Statement\" verbatim (both site variants)",
                                  default=None, minLength=1)
    contacts: list[Contact] = spec("from the contact lines, one per e-mail", factory=list)
    related: list[Related] = spec("the related-news items, once each", factory=list)
    breadcrumbs: list[str] = spec("the trail shown above the title, without the title "
                                  "(`[\"Home\", \"Metal News\"]`)", factory=list)
    images: list[Image] = spec("the pictures inside the article text", factory=list)
    tables: list[list[list[str]]] = spec("data tables of the article text, as rows of cells",
                                         factory=list)
    metals: list[str] = spec("metals the article is about (in title or summary, or twice in the "
                             "body); aluminium/aluminum fold to `\"aluminium\"`", factory=list,
                             uniqueItems=True)
    language: str = spec("ISO 639 code of the page language, `\"en\"`", default="en",
                         pattern=r"^[a-z]{2,3}$")
    content_hash: str = spec("`sha256:` of title and body: what changes when the article is "
                             "edited", default="", pattern=HASH_PATTERN)
    revision: int = spec("1, then 2, 3… each time a later crawl finds the article changed",
                         default=1, minimum=1)
    previous_content_hash: str | None = spec("the content hash of the revision before; null on "
                                             "revision 1", default=None, pattern=HASH_PATTERN)
    extraction: dict[str, str | None] = spec(
        "where `title`, `published_at`, `summary` and `body` came from (`jsonld`, `og`, "
        "`article_meta`, `next_data`, `h1`, `title_tag`, `text`, …), for monitoring site "
        "changes", factory=dict)
    crawled_at: datetime | None = spec("UTC time of the fetch, ISO 8601", default=None,
                                       pattern=ISO_UTC)


# The JSON Lines keys, in order (FEED_EXPORT_FIELDS, the schema's `required`).
RECORD_FIELDS = tuple(f.name for f in fields(Article))

"""HTML of the mirror's pages: two article designs, two listing designs, login and error pages.

The markup is invented (no news.metal.com HTML is known, docs/site.md); the visible text,
boilerplate strings and date forms are those of docs/site.md ("Layouts", "Boilerplate", "Listings").
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from html import escape
from http import HTTPStatus

from smmnews.mirror.content import Article

SITE_SUFFIX = " - Shanghai Metals Market (SMM)"
STATEMENT_V1 = (
    "Data Source Statement: Except for publicly available information, all other data are "
    "processed by SMM based on publicly available information, market communication, and relying "
    "on SMM\u2018s internal database model. They are for reference only and do not constitute "
    "decision-making recommendations."
)
STATEMENT_V2 = (
    "Data Source Statement: Except for publicly available information, all other data are "
    "processed by SMM based on publicly available information, market exchanges, and relying on "
    "SMM's internal database model, for reference only and do not constitute decision-making "
    "recommendations."
)
CONTACTS_NEW = (
    "For any inquiries or to learn more information, please contact: lemonzhao@smm.cn",
    "For more information on how to access our research reports, please contact:service.en@smm.cn",
)
CONTACTS_OLD = (
    "For queries, please contact {name} at {email}",
    "For more information on how to access our research reports, please email service.en@smm.cn",
)
ANALYSTS = (
    ("Lemon Zhao", "lemonzhao@smm.cn"),
    ("William Gu", "williamgu@smm.cn"),
    ("Michael Jiang", "michaeljiang@smm.cn"),
)
LISTING_BLURB = "Exclusive analysis article with latest market updates, and in-time news feeds."
_attr = escape
_text = partial(escape, quote=False)
_HASH_ALPHABET = string.digits + string.ascii_letters
_NAV = (
    ("/", "News"),
    ("/en/copper", "Copper"),
    ("/en/aluminium", "Aluminium"),
    ("/list/industry/aluminium", "Industry"),
    ("/en/login", "Sign In"),
)


@dataclass(frozen=True)
class Teaser:
    """A link to an article as listings and related-news blocks show it."""

    title: str
    href: str
    summary: str | None
    published: datetime


@lru_cache(maxsize=256)
def css(name: str, build: int) -> str:
    """A CSS-module class name (`title___1baLV`) whose hash changes with the build."""
    digest = hashlib.blake2s(f"{build}:{name}".encode(), digest_size=8).digest()
    number, letters = int.from_bytes(digest, "big"), []
    for _ in range(5):
        number, index = divmod(number, len(_HASH_ALPHABET))
        letters.append(_HASH_ALPHABET[index])
    return f"{name}___{''.join(letters)}"


def display_date(moment: datetime) -> str:
    """`Mar 5, 2026 21:06`: article headers, day not padded (docs/site.md, "Dates")."""
    return f"{moment:%b} {moment.day}, {moment:%Y %H:%M}"


def relative_time(moment: datetime, now: datetime) -> str:
    """`46 mins ago` / `7 hours ago` as listings show it; absolute after a day."""
    minutes = max(int((now - moment).total_seconds() // 60), 1)
    if minutes < 60:
        return "1 min ago" if minutes == 1 else f"{minutes} mins ago"
    if minutes < 24 * 60:
        hours = minutes // 60
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    return f"{moment:%b %d, %Y %H:%M}"


def _head(title: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(title)}{SITE_SUFFIX}</title>\n{extra}</head>\n"
    )


def _page(title: str, body: str, meta: str = "") -> bytes:
    """A whole page: the shared head, then the body markup of one design."""
    return f"{_head(title, meta)}<body>\n{body}</body>\n</html>\n".encode()


def _paragraphs(texts: tuple[str, ...] | list[str]) -> str:
    return "".join(f"<p>{_text(text)}</p>\n" for text in texts)


def render_article_l2(article: Article, related: list[Teaser], now: datetime) -> bytes:
    """The "Published:" design: semantic HTML, v1 statement, new contacts, Related News."""
    iso = article.published.isoformat()
    meta = (
        f'<meta name="description" content="{_attr(article.summary)}">\n'
        f'<meta property="og:title" content="{_attr(article.title)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="article:published_time" content="{iso}">\n'
    )
    source = '<div class="news-source">Source: SMM</div>\n' if article.source_line else ""
    nav = "".join(f'<a href="{href}">{label}</a> ' for href, label in _NAV)
    body = (
        f'<header class="site-header"><nav>{nav}</nav>'
        f'</header>\n<main>\n<article class="news-article">\n<h1>{_text(article.title)}</h1>\n'
        f'<div class="news-meta">Published: <time datetime="{iso}">'
        f"{display_date(article.published)}</time></div>\n{source}"
        f'<div class="news-summary">{_text(article.summary)}</div>\n'
        f'<div class="news-content">\n{_paragraphs(article.paragraphs)}</div>\n'
        f'<div class="news-statement">\n{_paragraphs([STATEMENT_V1, *CONTACTS_NEW])}</div>\n'
        f"</article>\n{_related_cards(related, now)}</main>\n"
        "<footer><p>\u00a9 2026 Shanghai Metals Market (SMM). All rights reserved.</p>"
        '<a href="/en/login">Sign In</a></footer>\n'
    )
    return _page(article.title, body, meta)


def _related_cards(related: list[Teaser], now: datetime) -> str:
    # Card, hover overlay and text variant: each title shows four times (docs/site.md).
    items = []
    for item in related:
        title, href = _text(item.title), _attr(item.href)
        when = relative_time(item.published, now)
        summary = f"<p>{_text(item.summary)}</p>" if item.summary else ""
        items.append(
            f'<div class="related-item">\n<a class="related-card" href="{href}"><h3>{title}</h3>'
            f'<span>{when}</span></a>\n<div class="related-overlay"><h3>{title}</h3>'
            f'<a href="{href}">Read More</a></div>\n<div class="related-text"><h4>{title}</h4>'
            f'<a href="{href}">{title}</a>{summary}<span>{when}</span></div>\n</div>\n'
        )
    return f'<aside class="related-news">\n<h2>Related News</h2>\n{"".join(items)}</aside>\n'


def render_article_l1(article: Article, related: list[Teaser], now: datetime, build: int) -> bytes:
    """The breadcrumb design: hashed div soup, icon date, v2 statement, old contacts."""
    c = partial(css, build=build)
    name, email = ANALYSTS[article.id % len(ANALYSTS)]
    tail = [STATEMENT_V2, CONTACTS_OLD[0].format(name=name, email=email), CONTACTS_OLD[1]]
    source = f'<span class="{c("source")}">Source:SMM</span>' if article.source_line else ""
    nav = "".join(f'<div class="{c("navItem")}"><a href="{h}">{t}</a></div>' for h, t in _NAV)
    links = "".join(
        f'<div class="{c("relatedItem")}"><a href="{_attr(item.href)}">{_text(item.title)}</a>'
        f'<span class="{c("relatedTime")}">{relative_time(item.published, now)}</span></div>\n'
        for item in related
    )
    body = (
        f'<div id="root"><div class="{c("layout")}">\n'
        f'<div class="{c("header")}">{nav}</div>\n<div class="{c("breadcrumb")}">'
        f'<a href="/">Home</a><span> / </span><a href="/">Metal News</a><span> / </span>'
        f'<span>{_text(article.title)}</span></div>\n<div class="{c("newsDetail")}">\n'
        f'<div class="{c("title")}">{_text(article.title)}</div>\n<div class="{c("info")}">'
        f'<span class="{c("time")}"><img src="https://static.metal.com/common.metal.com/images/'
        f'time.png" alt="icon">{display_date(article.published)}</span>{source}</div>\n'
        f'<div class="{c("summary")}">{_text(article.summary)}</div>\n'
        f'<div class="{c("content")}">\n{_paragraphs(article.paragraphs)}'
        f"{'<p>&nbsp;</p>' * 3}\n{_paragraphs(tail)}</div>\n</div>\n"
        f'<div class="{c("related")}"><div class="{c("relatedTitle")}">Related news</div>\n'
        f'{links}</div>\n<div class="{c("footer")}">Shanghai Metals Market (SMM)</div>\n'
        "</div></div>\n"
    )
    return _page(article.title, body)


def render_listing(heading: str, items: list[Teaser], now: datetime, build: int) -> bytes:
    """The 2026 listing design (docs/site.md): title, optional summary, relative time."""
    c = partial(css, build=build)
    nav = "".join(f'<a href="{href}">{label}</a>' for href, label in _NAV)
    rows = "".join(
        f'<div class="{c("newsItem")}"><a href="{_attr(item.href)}"><div class="{c("title")}">'
        f"{_text(item.title)}</div></a>"
        + (f'<div class="{c("summary")}">{_text(item.summary)}</div>' if item.summary else "")
        + f'<div class="{c("time")}">{relative_time(item.published, now)}</div></div>\n'
        for item in items
    )
    return _page(heading, (
        f'<div id="root"><div class="{c("header")}">{nav}</div>\n'
        f'<div class="{c("newsPage")}"><h1 class="{c("pageTitle")}">{_text(heading)}</h1>\n'
        f'<div class="{c("pageDesc")}">{LISTING_BLURB}</div>\n<div class="{c("latest")}">'
        f'<h2>Latest News</h2>\n<div class="{c("newsList")}">\n{rows}</div></div></div>\n'
        "</div>\n"
    ))


def render_listing_2024(heading: str, items: list[Teaser]) -> bytes:
    """The 2024 list design with the class names third-party scrapers used (docs/site.md)."""
    rows = "".join(
        f'<div class="newsItem___wZtKx"><div class="newsItemContent___2oFIU">'
        f'<a href="{_attr(item.href)}"><div class="title___1baLV">{_text(item.title)}</div></a>'
        + (
            f'<div class="description___z7ktb descriptionspec___lj3uG">{_text(item.summary)}</div>'
            if item.summary
            else ""
        )
        + f'<div class="typeAndTime___3oQRN"><div class="date___3dzkE">'
        f"{item.published:%b %d, %Y %H:%M}</div></div></div></div>\n"
        for item in items
    )
    body = (
        f'<div id="root"><div class="content___2Tn7D">\n'
        f'<div class="listTitle___1Xc9B">{_text(heading)}</div>\n<div class="newsList___3kPqM">'
        f'\n{rows}</div>\n<div class="footer___PvIjk"><span>More News</span></div>\n'
        "</div></div>\n"
    )
    return _page(heading, body)


def render_login() -> bytes:
    """The sign-in page a members-only article redirects to: a form, no article."""
    body = (
        '<main class="login">\n<h1>Sign In</h1>\n'
        '<form action="/en/login" method="post">\n'
        '<label>Account <input name="account" type="text"></label>\n'
        '<label>Password <input name="password" type="password"></label>\n'
        '<button type="submit">Sign In</button></form>\n</main>\n'
    )
    return _page("Sign In", body)


def render_error(status: int) -> bytes:
    """A small HTML body for error statuses."""
    phrase = HTTPStatus(status).phrase
    return (
        f"<!DOCTYPE html>\n<html><head><title>{status} {phrase}</title></head>\n"
        f"<body><h1>{status} {phrase}</h1><p>The page you requested is not available.</p>"
        "</body></html>\n"
    ).encode()

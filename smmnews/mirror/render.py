"""Render one article's content as HTML in any of many markups, drawn from seeded axes.

The real site's markup is unknown (notes §0), so the extractor must give the same record
whatever the markup: each axis below is one way pages differ (class names, paragraph elements,
whitespace between inline elements, DOM order, related-news layouts, date forms and places,
chrome, boilerplate splitting, page kinds such as AMP, print and client-rendered shells with
the article only in a state blob). `render(content, seed)` draws every axis independently from
`seed`; `overrides` pins axes (used to shrink a failing rendering to a minimal one).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from smmnews.mirror.article_content import (
    ArticleContent,
    BodyBlock,
    RelatedItem,
    contact_line,
    generate,
)

# Every axis and its values; the first value is the plainest (what shrinking falls back to).
AXES: dict[str, tuple[str, ...]] = {
    "classes": ("none", "hashed", "bem", "semantic"),
    "page_kind": ("normal", "amp", "mobile", "print", "ssr_blob", "shell"),
    "blob": ("next_data", "nuxt", "initial_state", "jsonld"),
    "paragraphs": ("p", "div", "section", "br"),
    "headings": ("h3", "h2", "h4", "strong", "b", "p"),
    "lists": ("ol", "ul", "lines"),
    "cells": ("plain", "p", "span"),
    "tight": ("no", "yes"),
    "entities": ("no", "numeric", "nbsp"),
    "inline_markup": ("no", "yes"),
    "related_position": ("after", "before"),
    "related_layout": ("list", "cards", "table", "carousel"),
    "related_anchor": ("siblings", "one"),
    "related_copies": ("1", "2", "3", "4"),
    "related_attrs": ("no", "yes"),
    "related_time": ("after", "before"),
    "related_time_form": ("absolute", "relative", "iso", "dmy", "dotted", "day_month", "slashed"),
    "related_read_more": ("no", "yes"),
    "related_heading": ("Related News", "Related news", "Recommended News", "Related Articles",
                        "You May Also Like", "Related Stories", "See Also:", "Related"),
    "date_place": ("both", "text", "meta"),
    "date_text_form": ("display", "published", "iso", "dmy", "dotted", "at", "day_month",
                       "posted", "slashed", "relative", "iso_t", "dmy_dots"),
    "date_meta_form": ("offset", "zulu", "epoch_s", "epoch_ms", "time_element", "publishdate",
                       "empty_time", "jsonld_graph"),
    "date_decoys": ("no", "yes"),
    "summary_place": ("shown", "repeated", "meta"),
    "counters": ("no", "yes"),
    "app_banner": ("no", "yes"),
    "share": ("no", "yes"),
    "cookies": ("no", "yes"),
    "chrome_between": ("no", "yes"),
    "title_suffix": (" - Shanghai Metals Market (SMM)", " | SMM", " - SMM",
                     " | Shanghai Metals Market (SMM)", " - SMM - Shanghai Metals Market", ""),
    "disclaimer_split": ("no", "p", "br", "glued"),  # glued: in the last paragraph's element
    "spacers": ("no", "yes"),
    "contacts_as": ("p", "list", "table"),
    "promo": ("no", "yes"),
    "crumbs": ("line", "classed", "jsonld"),
    # Added beyond the issue's list: what hand-edited and templated HTML also does.
    "related_chip": ("no", "linked", "plain"),  # a category chip in each related item
    "related_title_text": ("shown", "labels_only"),
    "og_title_suffix": ("no", "yes"),  # a site suffix markers.py does not list
    "summary_in_content": ("no", "yes"),
    "date_line_extras": ("no", "author_before", "category_after"),
    "byline": ("no", "By", "Author:"),
    "related_title_markup": ("plain", "inline"),
    "hidden_copies": ("no", "yes"),  # display:none / hidden duplicates (mobile variants)
    "hard_wrap": ("no", "yes"),  # paragraph text wrapped over lines, as editors save it
    "tag_case": ("lower", "upper"),
    "end_tags": ("closed", "omitted"),  # </p> and </li> left out, as HTML allows
    "doc_end": ("closed", "omitted"),  # no </body></html> either
    # Added for markups nobody has seen (the real site's HTML is unknown): how the bytes are
    # encoded and declared (meta only, header only, BOMs), XHTML, how links resolve, invisible
    # characters, and what news templates put around the text.
    "encoding": ("utf-8", "utf-8-bom", "windows-1252", "windows-1252-header", "gbk",
                 "gbk-header", "utf-16"),
    "xml_prolog": ("no", "xhtml"),  # XML declaration, XHTML doctype, xmlns, <br />, CDATA
    "link_base": ("page", "base_href", "protocol_relative"),
    "invisible": ("no", "yes"),  # soft hyphens, zero-width spaces, <wbr>, comments in words
    "also_read": ("no", "yes"),  # "Also read: <related headline>" between paragraphs
    "side_list": ("no", "before", "after"),  # "Most Read"/"Hot News" lists: not related news
    "after_text": ("no", "share_tags", "prev_next", "pagination", "newsletter"),
    "comments": ("no", "yes"),  # readers' comments under the article
    "footer_cn": ("no", "yes"),  # the Chinese company footer with its ICP licence line
    "next_article": ("no", "yes"),  # infinite scroll: the next article in full under this one
    "figure": ("no", "caption", "lazy"),  # a chart with a caption (lazy: data-src, placeholder)
}
# How each `encoding` value is written: (codec, declared in a <meta>, declared in the header).
ENCODINGS: dict[str, tuple[str, str | None, str | None]] = {
    "utf-8": ("utf-8", "utf-8", None),
    "utf-8-bom": ("utf-8-sig", None, None),
    "windows-1252": ("cp1252", "windows-1252", None),
    "windows-1252-header": ("cp1252", None, "windows-1252"),
    "gbk": ("gbk", "gbk", None),
    "gbk-header": ("gbk", None, "gbk"),
    "utf-16": ("utf-16", None, None),  # a BOM, and no declaration
}
_SIDE_LIST_HEADINGS = ("Most Read", "Hot News", "Latest News", "Trending Now", "Top Stories",
                       "Most Popular", "Editor's Picks")
_SIDE_LIST_TITLES = ("Copper Cathode Social Inventory Fell Again This Week",
                     "Lithium Carbonate Futures Hit a Three-Month High",
                     "Indonesian Nickel Ore Quota Talks Drag On",
                     "Alumina Prices Slip as New Capacity Ramps Up",
                     "Tin Ingot Exports Surge in February")


@dataclass(frozen=True)
class Rendering:
    html: str
    axes: dict[str, str]
    seed: int
    body: bytes = b""  # the page as served: `html` in the `encoding` axis's codec
    header_encoding: str | None = None  # the charset a Content-Type header names, if any


def draw_axes(seed: int, overrides: dict[str, str] | None = None) -> dict[str, str]:
    rng = random.Random(seed)
    axes = {name: rng.choice(values) for name, values in AXES.items()}
    axes.update(overrides or {})
    return axes


def render(content: ArticleContent, seed: int,
           overrides: dict[str, str] | None = None) -> Rendering:
    axes = draw_axes(seed, overrides)
    _make_consistent(content, axes)
    page = _Page(content, axes, random.Random(seed * 7 + 1))
    html = page.html()
    if axes["end_tags"] == "omitted":
        html = re.sub(r"</(?:p|li)>", "", html)
    if axes["doc_end"] == "omitted":
        html = html.replace("</body>", "").replace("</html>", "").rstrip()
    if axes["tag_case"] == "upper":
        html = re.sub(r"<(/?)([a-z][a-z0-9]*)", lambda m: f"<{m[1]}{m[2].upper()}", html)
    codec, _, header = ENCODINGS[axes["encoding"]]
    # Characters the legacy codec lacks ("【", "’" in GBK) as numeric references, as CMSs do.
    body = html.encode(codec, "xmlcharrefreplace")
    return Rendering(html, axes, seed, body, header)


def _make_consistent(content: ArticleContent, axes: dict[str, str]) -> None:
    """Combinations that cannot carry the record are redrawn to ones that can."""
    if content.published_at is None:
        axes["date_place"] = "none"
    elif axes["date_place"] == "meta" and axes["page_kind"] == "print":
        axes["date_place"] = "both"
    if axes["page_kind"] == "shell" and axes["blob"] == "jsonld" and any(
            b.kind == "row" for b in content.body):
        axes["blob"] = "next_data"  # articleBody is plain text: no table survives in it
    if not content.summary_is_lead:
        axes["summary_place"] = "meta" if content.summary else "none"
    if not _time_forms(content):
        axes["date_place"] = "meta" if content.published_at else "none"
    if axes["page_kind"] == "shell":
        axes["crumbs"] = "jsonld"  # a shell shows no header: its trail is metadata
    if axes["xml_prolog"] == "xhtml":
        axes["end_tags"] = axes["doc_end"] = "closed"  # XML: every element closed
        axes["tag_case"] = "lower"
    # Glued to the last paragraph below the lead (the lead may be shown on its own).
    if content.disclaimer is None or (axes["disclaimer_split"] == "glued" and not any(
            b.kind == "p" for b in content.body[1:])):
        axes["disclaimer_split"] = "no"


# --- small helpers ------------------------------------------------------------------------------


def _text(value: str, axes: dict[str, str]) -> str:
    """Escaped text; NBSP or numeric character references where the axis says."""
    out = escape(value, quote=False)
    if axes.get("entities") == "numeric":
        out = out.replace("'", "&#39;").replace("%", "&#37;")
    elif axes.get("entities") == "nbsp":
        out = out.replace(". ", ".&nbsp; ")
    return out


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _hashed(name: str) -> str:
    digest = hashlib.blake2s(name.encode(), digest_size=4).hexdigest()
    return f"{name}___{digest[:5]}"


def _month(moment: datetime) -> str:
    return f"{moment:%b}"


def _clock12(moment: datetime, dotted: bool) -> str:
    hour = moment.hour % 12 or 12
    suffix = ("a.m." if moment.hour < 12 else "p.m.") if dotted else (
        "am" if moment.hour < 12 else "pm")
    return f"{hour}:{moment:%M} {suffix}"


def date_text(moment: datetime, form: str) -> str | None:
    """The article's date as the page may show it; None when the form cannot carry it exactly."""
    if moment.second:
        return f"{moment:%Y-%m-%d %H:%M:%S}" if form == "iso" else None
    day = f"{_month(moment)} {moment.day}, {moment:%Y}"
    forms = {
        "display": f"{day} {moment:%H:%M}",
        "published": f"Published: {day} {moment:%H:%M}",
        "iso": f"{moment:%Y-%m-%d %H:%M:%S}",
        "dmy": f"{moment:%d/%m/%Y %H:%M}",
        "dotted": f"{_month(moment)}. {moment.day}, {moment:%Y}, {_clock12(moment, True)}",
        "at": f"{day}, at {_clock12(moment, False)}",
        "day_month": f"{moment.day} {moment:%B %Y %H:%M}",
        "posted": f"Posted on {day} {moment:%H:%M}",
        "slashed": f"{moment:%Y/%m/%d %H:%M}",
        "iso_t": moment.isoformat(),
        "dmy_dots": f"{moment:%d.%m.%Y %H:%M}",
    }
    return forms.get(form)


def _time_forms(content: ArticleContent) -> bool:
    return content.published_at is None or date_text(content.published_at, "iso") is not None


def related_time(moment: datetime, now: datetime, form: str) -> str:
    """A related item's time: relative when it is exactly representable, else absolute."""
    seconds = int((now - moment).total_seconds())
    if form == "relative" and 0 < seconds < 86400:
        if seconds % 3600 == 0:
            hours = seconds // 3600
            return f"{hours} hour ago" if hours == 1 else f"{hours} hours ago"
        if seconds % 60 == 0 and seconds < 3600:
            minutes = seconds // 60
            return f"{minutes} min ago" if minutes == 1 else f"{minutes} mins ago"
    text = date_text(moment, {"absolute": "display", "relative": "display"}.get(form, form))
    return text or f"{moment:%Y-%m-%d %H:%M:%S}"


# --- the page ----------------------------------------------------------------------------------


class _Page:
    def __init__(self, content: ArticleContent, axes: dict[str, str],
                 rng: random.Random) -> None:
        self.c = content
        self.a = axes
        self.rng = rng
        self.sep = "" if axes["tight"] == "yes" else "\n"
        # One template: the title element is the same for every article a page shows.
        self.title_in_h1 = axes["classes"] == "semantic" or rng.random() < 0.5
        if axes["next_article"] == "yes" and axes["date_place"] != "both" and axes.get(
                "date_place") != "text":
            # Two articles that show no date line are told apart by their <h1> titles only
            # (a title in a <div> and no date: not handled, see segment._next_article).
            self.title_in_h1 = True

    # class names in the family of the axis
    def cls(self, name: str) -> str:
        family = self.a["classes"]
        if family == "hashed":
            return f' class="{_hashed(name)}"'
        if family == "bem":
            return f' class="news-detail__{name} news-detail__{name}--v2"'
        return ""

    def t(self, value: str) -> str:
        return _text(value, self.a)

    @property
    def ascii_json(self) -> bool:
        """Script text is not markup: a legacy codec's page escapes JSON as \\uXXXX, never as
        character references."""
        return ENCODINGS[self.a["encoding"]][0] not in ("utf-8", "utf-8-sig", "utf-16")

    def html(self) -> str:
        kind = self.a["page_kind"]
        head = self.head()
        chrome_top = self.chrome_top()
        related = self.related() if self.c.related else ""
        article = "" if kind == "shell" else self.article()
        blob = self.blob() if kind in ("ssr_blob", "shell") else ""
        main = (related + article) if self.a["related_position"] == "before" else (
            article + related)
        if kind == "shell":
            main = (f'<noscript>You need to enable JavaScript to run this app.</noscript>'
                    f'<div id="root"{self.cls("root")}>{related}</div>')
        tag = "main" if self.a["classes"] == "semantic" else "div"
        html_attrs = ' lang="en" amp' if kind == "amp" else ' lang="en"'
        body_attrs = ' onload="window.print()"' if kind == "print" else ""
        doctype = "<!DOCTYPE html>"
        if self.a["xml_prolog"] == "xhtml":
            codec, meta, header = ENCODINGS[self.a["encoding"]]
            named = meta or header or codec.removesuffix("-sig")
            doctype = (f'<?xml version="1.0" encoding="{named}"?>' + self.sep
                       + '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                       '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')
            html_attrs += ' xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"'
        side = self.side_list() if self.a["side_list"] != "no" else ""
        before, after = (side, "") if self.a["side_list"] == "before" else ("", side)
        comments = self.comments() if self.a["comments"] == "yes" and kind != "shell" else ""
        if self.a["next_article"] == "yes" and kind != "shell":
            comments += self.sep + self.next_article()
        parts = [doctype, f"<html{html_attrs}>", head, f"<body{body_attrs}>",
                 chrome_top, before, f"<{tag}{self.cls('main')}>", main, comments, f"</{tag}>",
                 after, self.footer(), blob, "</body>", "</html>"]
        html = self.sep.join(p for p in parts if p)
        if self.a["xml_prolog"] == "xhtml":
            html = re.sub(r"<(br|img|meta|link|input)\b([^>]*?)/?>", r"<\1\2 />", html)
        return html

    def next_article(self) -> str:
        """The next article of the feed, in the same template, with its own boilerplate and
        related news (infinite scroll)."""
        seed = int(self.c.article_id)
        other = generate(seed + 1, self.c.now)
        # An article (not a summary-only page) with a headline of its own.
        while sum(b.kind == "p" for b in other.body) < 3 or other.title == self.c.title:
            seed += 1
            other = generate(seed + 1, self.c.now)
        page = _Page(other, {**self.a, "also_read": "no", "after_text": "no"},
                     random.Random(int(other.article_id)))
        page.title_in_h1 = self.title_in_h1
        related = page.related() if other.related else ""
        return (f"<div{self.cls('nextArticle')}>" + page.article() + self.sep + related
                + "</div>")

    def side_list(self) -> str:
        """A list of other articles under a heading that is not a related-news one."""
        heading = self.rng.choice(_SIDE_LIST_HEADINGS)
        items = []
        for n, title in enumerate(self.rng.sample(_SIDE_LIST_TITLES, self.rng.randint(3, 5))):
            href = self._href(f"https://news.metal.com/newscontent/{104_100_000 + n * 37}")
            items.append(f'<li><a href="{_attr(href)}">{self.t(title)}</a> '
                         f"<span{self.cls('time')}>{n + 1} hours ago</span></li>")
        tag = "aside" if self.a["classes"] == "semantic" and self.rng.random() < 0.5 else "div"
        return (f"<{tag}{self.cls('sideList')}><h3>{_text(heading, {})}</h3>"
                f"<ul>{self.sep.join(items)}</ul></{tag}>")

    def comments(self) -> str:
        return (f'<div id="comments"{self.cls("comments")}><h3>Comments (2)</h3>'
                "<div><span>John D.</span> <span>2 hours ago</span><p>Great analysis, thanks for "
                "sharing. I think the market will turn around very soon now.</p></div>"
                "<div><span>metaltrader88</span><p>Prices will keep falling until the "
                "inventories come down, in my view anyway.</p></div>"
                "<form><textarea></textarea><button>Post comment</button></form></div>")

    def head(self) -> str:
        c, a = self.c, self.a
        declared = ENCODINGS[a["encoding"]][1]
        parts = [f'<head><meta charset="{declared}">' if declared else "<head>",
                 f"<title>{escape(c.title)}{escape(a['title_suffix'])}</title>"]
        if a["link_base"] == "base_href":
            parts.append('<base href="https://news.metal.com/">')
        if a["page_kind"] == "amp":
            parts.append('<script async src="https://cdn.ampproject.org/v0.js"></script>'
                         "<style amp-custom>body{font-family:sans-serif}</style>"
                         f'<link rel="canonical" href="{_attr(c.url)}">')
        if a["page_kind"] != "shell" or a["blob"] != "jsonld":
            og_title = c.title + (" | SMM News" if a["og_title_suffix"] == "yes" else "")
            parts.append(f'<meta property="og:title" content="{_attr(og_title)}">')
        # A lead shown once above one or two paragraphs cannot be told from the text without
        # a description: the page then carries one.
        unmarked_lead = a["summary_in_content"] == "yes" and a["classes"] in ("none", "semantic")
        if c.summary and (a["summary_place"] == "meta" or len(c.body) < 3 or unmarked_lead
                          or self.rng.random() < 0.5):
            parts.append(f'<meta name="description" content="{_attr(c.summary)}">')
        if c.published_at and a["date_place"] in ("both", "meta"):
            parts.append(self.date_meta())
        if c.published_at and self.rng.random() < 0.3:
            # A later "modified" time: never the publication date.
            later = c.published_at.replace(year=c.published_at.year + 1)
            parts.append(f'<meta property="article:modified_time" content="{later.isoformat()}">')
        if a["crumbs"] == "jsonld" and c.breadcrumbs:
            items = [{"@type": "ListItem", "position": i + 1, "name": name}
                     for i, name in enumerate(c.breadcrumbs)]
            parts.append('<script type="application/ld+json">' + json.dumps(
                {"@context": "https://schema.org", "@type": "BreadcrumbList",
                 "itemListElement": items}) + "</script>")
        parts.append("</head>")
        return self.sep.join(parts)

    def date_meta(self) -> str:
        moment = self.c.published_at
        assert moment is not None
        form = self.a["date_meta_form"]
        if form in ("epoch_s", "epoch_ms"):
            stamp = int(moment.timestamp()) * (1000 if form == "epoch_ms" else 1)
            data = {"props": {"pageProps": {"news": {"title": self.c.title, "publishTime": stamp}}}}
            return ('<script id="__NEXT_DATA__" type="application/json">'
                    + json.dumps(data) + "</script>") if self.a["page_kind"] not in (
                        "ssr_blob", "shell") else ""
        if form == "time_element":
            return f'<meta itemprop="datePublished" content="{moment.isoformat()}">'
        if form == "jsonld_graph":
            # Yoast-style @graph: the WebPage node first, with a date of its own.
            graph = {"@context": "https://schema.org", "@graph": [
                {"@type": "WebSite", "name": "SMM", "url": "https://news.metal.com/"},
                {"@type": "WebPage", "@id": self.c.url,
                 "datePublished": moment.replace(year=moment.year - 3).isoformat()},
                {"@type": ["NewsArticle"], "headline": self.c.title,
                 "datePublished": moment.isoformat(), "isPartOf": {"@id": self.c.url}}]}
            text = json.dumps(graph, ensure_ascii=self.ascii_json).replace("</", "<\\/")
            if self.a["xml_prolog"] == "xhtml":
                text = f"//<![CDATA[\n{text}\n//]]>"
            return f'<script type="application/ld+json">{text}</script>'
        if form == "publishdate":
            return f'<meta name="publishdate" content="{moment:%Y-%m-%d %H:%M:%S}">'
        if form == "empty_time":
            return ""  # an empty <time datetime> in the page (see header())
        value = (moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if form == "zulu"
                 else moment.isoformat())
        return f'<meta property="article:published_time" content="{value}">'

    def chrome_top(self) -> str:
        a = self.a
        nav = "".join(f'<a href="{h}">{t}</a>{self.sep or " "}' for h, t in (
            ("/", "News"), ("/en/copper", "Copper"), ("/en/login", "Sign In")))
        parts = [f"<nav{self.cls('nav')}>{nav}</nav>" if a["classes"] == "semantic"
                 else f"<div{self.cls('header')}>{nav}</div>"]
        if a["page_kind"] == "mobile" or a["app_banner"] == "yes":
            parts.append(f"<div{self.cls('appBanner')}><span>Download the SMM App</span>"
                         f'<a href="/app">Open in App</a></div>')
        if a["cookies"] == "yes":
            parts.append(f"<div{self.cls('cookie')}><p>We use cookies to improve your "
                         "experience on our website.</p><span>Got it</span></div>")
        if a["date_decoys"] == "yes":
            parts.append(f"<div{self.cls('ticker')}><span>SHFE Copper</span><span>78,350</span>"
                         "<span>+0.42%</span></div>")
            if self.c.published_at:
                decoy = self.c.published_at.replace(year=self.c.published_at.year - 1)
                parts.append(f"<div{self.cls('tickerTime')}>{date_text(decoy, 'display')}</div>")
        return self.sep.join(parts)

    def footer(self) -> str:
        tag = "footer" if self.a["classes"] == "semantic" else "div"
        chinese = ("<p>上海有色网信息科技股份有限公司 版权所有</p><p>沪ICP备07004232号</p>"
                   "<p>关于我们 | 联系我们 | 法律声明</p>") if self.a["footer_cn"] == "yes" else ""
        return (f"<{tag}{self.cls('footer')}><p>\u00a9 2026 Shanghai Metals Market. All rights "
                f'reserved.</p>{chinese}<a href="/en/about">About Us</a></{tag}>')

    # --- the article -------------------------------------------------------------------------

    def crumbs(self) -> str:
        c, a = self.c, self.a
        if not c.breadcrumbs or a["crumbs"] == "jsonld":
            return ""
        links = "<span> / </span>".join(f'<a href="/">{self.t(n)}</a>' for n in c.breadcrumbs)
        if a["crumbs"] == "classed":
            return (f'<div class="breadcrumb {_hashed("crumbs")}">{links}<span> / </span>'
                    f"<span>{self.t(c.title)}</span></div>")
        return f"<div>{links}<span> / </span><span>{self.t(c.title)}</span></div>"

    def header(self) -> str:
        c, a = self.c, self.a
        semantic = a["classes"] == "semantic"
        title = (f"<h1{self.cls('title')}>{self.t(c.title)}</h1>" if self.title_in_h1
                 else f"<div{self.cls('title')}>{self.t(c.title)}</div>")
        parts = [self.crumbs(), title]
        if (c.published_at and a["date_place"] in ("both", "meta")
                and a["date_meta_form"] == "empty_time"):
            parts.append(f'<time datetime="{c.published_at.isoformat()}"></time>')
        info = []
        if c.published_at and a["date_place"] in ("both", "text"):
            shown: str | None = (
                related_time(c.published_at, c.now, "relative")
                if a["date_text_form"] == "relative"
                else date_text(c.published_at, a["date_text_form"])
                or date_text(c.published_at, "iso"))
            assert shown is not None
            extras = a["date_line_extras"]
            if extras == "author_before":
                shown = f"By SMM News | {shown}"
            elif extras == "category_after":
                shown = f"{shown} · Copper"
            if semantic:
                info.append(f'<time datetime="{c.published_at.isoformat()}">{shown}</time>')
            else:
                info.append(f"<span{self.cls('time')}>{shown}</span>")
        if c.source and not (c.dateline and "(SMM)" in c.dateline and c.source == "SMM"
                             and self.rng.random() < 0.5):
            info.append(f"<span{self.cls('source')}>Source: {self.t(c.source)}</span>")
        if info:
            parts += [f"<div{self.cls('info')}>{part}</div>" for part in info]
        if a["byline"] != "no":
            parts.append(f"<div{self.cls('author')}>{a['byline']} Lemon Zhao</div>")
        if a["counters"] == "yes":
            parts.append(f"<div{self.cls('views')}>{self.rng.randint(100, 9999):,} views</div>")
        if a["share"] == "yes":
            parts.append(f"<div{self.cls('share')}><span>Share:</span>"
                         '<a href="https://www.facebook.com/sharer">Facebook</a>'
                         '<a href="https://twitter.com/intent/tweet">Twitter</a>'
                         '<a href="https://www.linkedin.com/shareArticle">LinkedIn</a></div>')
        if c.published_at and a["date_decoys"] == "yes":
            later = c.published_at.replace(year=c.published_at.year + 1)
            parts.append(f"<div{self.cls('updated')}>Updated: {date_text(later, 'iso')}</div>")
        if a["hidden_copies"] == "yes":
            # The mobile header, hidden on desktop: a second title and an older date.
            old = c.published_at.replace(year=c.published_at.year - 2) if c.published_at else None
            parts.append(f'<div style="display: none"{self.cls("mobileHeader")}><h2>'
                         f"{self.t(c.title)}</h2>"
                         + (f"<span>{date_text(old, 'display')}</span>" if old else "")
                         + "<p>Open this article in the SMM app for live prices and charts.</p>"
                         "</div>")
        return self.sep.join(p for p in parts if p)

    def article(self) -> str:
        c, a = self.c, self.a
        body = list(c.body)
        summary = ""
        if c.summary_is_lead and a["summary_place"] in ("shown", "repeated"):
            summary = f"<div{self.cls('summary')}>{self.t(body[0].text)}</div>"
            if a["summary_place"] == "shown":
                body = body[1:]
                summary_first = True
            else:
                summary_first = False
        else:
            summary_first = False
        content = self.body_html(body, c.body[0] if summary_first else None)
        tail = self.tail()
        if a["hidden_copies"] == "yes" and body:
            tail = (f"<div hidden><p>{self.t(body[-1].text)}</p><p>Loading comments for this "
                    "article, please wait a moment.</p></div>") + tail
        wrapper = "article" if a["classes"] == "semantic" else "div"
        if a["summary_in_content"] == "yes" and summary:
            # The lead inside the text's own container: only its class (or a description)
            # tells it from the first paragraph.
            content, summary = summary + self.sep + content, ""
        inner = self.sep.join(p for p in (
            self.header(), summary,
            f"<div{self.cls('content')}>{content}{self.sep}{tail}</div>") if p)
        return f"<{wrapper}{self.cls('detail')}>{inner}</{wrapper}>"

    def body_html(self, blocks: list[BodyBlock], lead: BodyBlock | None) -> str:
        a = self.a
        out: list[str] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if block.kind == "row":
                run = [b for b in blocks[index:] if b.kind == "row" and b.table == block.table]
                run = run[: next((i for i, b in enumerate(blocks[index:])
                                  if b.kind != "row" or b.table != block.table), len(run))]
                out.append(self.table(run))
                index += len(run)
                continue
            if block.kind == "li" and a["lists"] != "lines":
                run = []
                while index < len(blocks) and blocks[index].kind == "li":
                    run.append(blocks[index])
                    index += 1
                out.append(self.list_html(run))
                continue
            last_text = index == len(blocks) - 1 or all(
                b.kind != "p" for b in blocks[index + 1:])
            out.append(self.block(block, promo=last_text and block.kind == "p"))
            if a["chrome_between"] == "yes" and index == 1:
                out.append(f"<div{self.cls('ad')}>Advertisement</div>")
            if a["figure"] != "no" and index == 0:
                out.append(self.figure())
            if a["also_read"] == "yes" and index == 1 and self.c.related:
                out.append(self.also_read(self.c.related[0]))
            index += 1
        if a["after_text"] != "no":
            out.append(self.after_text())
        if a["paragraphs"] == "br":
            # Paragraph runs as text separated by <br><br> in one element.
            return self._br_runs(out)
        return self.sep.join(out)

    def figure(self) -> str:
        """A chart under the first paragraph, with a caption that is no article text."""
        url = f"https://imgqn.smm.cn/usercenter/chart{self.c.article_id}.png"
        if self.a["figure"] == "lazy":
            img = (f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="{url}" '
                   'alt="chart">')
        else:
            img = f'<img src="{url}" alt="chart">'
        caption = self.rng.choice(("Chart: weekly operating rates of smelters",
                                   "Source: SMM database, compiled by SMM",
                                   "Figure 1: spot premiums since January"))
        return f"<figure{self.cls('figure')}>{img}<figcaption>{caption}</figcaption></figure>"

    def also_read(self, item: RelatedItem) -> str:
        """A related headline linked between paragraphs, behind a lead-in."""
        lead = self.rng.choice(("Also read:", "Read also:", "See also:", "Related:"))
        link = f'<a href="{_attr(self._href(item.url))}">{self.t(item.title)}</a>'
        if self.rng.random() < 0.5:
            return f"<p><strong>{lead}</strong> {link}</p>"
        return f"<div{self.cls('alsoRead')}>{lead} {link}</div>"

    def after_text(self) -> str:
        """What templates put right under the text, before the boilerplate."""
        kind = self.a["after_text"]
        own = int(self.c.article_id)
        if kind == "share_tags":
            return (f"<div{self.cls('shareBar')}><span>Share this article:</span> "
                    '<a href="https://www.facebook.com/sharer">f</a> '
                    '<a href="https://twitter.com/intent/tweet">t</a></div>'
                    f"<div{self.cls('tags')}>Tags: <a href=\"/tag/metals\">Metals</a>, "
                    '<a href="/tag/smm">SMM</a></div>')
        if kind == "prev_next":
            return (f"<div{self.cls('pager')}>"
                    f'<a href="/newscontent/{own - 1}">Previous: Copper Cathode Imports Fell in '
                    "February on Weak Demand</a> "
                    f'<a href="/newscontent/{own + 1}">Next: Nickel Ore Prices Steady as '
                    "Indonesian Quotas Tighten</a></div>")
        if kind == "pagination":
            return (f"<div{self.cls('pages')}>"
                    '<a href="?page=1">1</a> <a href="?page=2">2</a> <a href="?page=3">3</a> '
                    '<a href="?page=2">Next \u203a</a></div>')
        return (f"<div{self.cls('newsletter')}><h4>Subscribe to our newsletter</h4><p>Get the "
                "latest metals market news and analysis delivered to your inbox every morning."
                "</p><input type=\"email\"><button>Subscribe</button></div>")

    def _br_runs(self, out: list[str]) -> str:
        merged: list[str] = []
        run: list[str] = []
        for part in out:
            if part.startswith("\x00"):
                run.append(part[1:])
                continue
            if run:
                merged.append(f"<div{self.cls('text')}>{'<br><br>'.join(run)}</div>")
                run = []
            merged.append(part)
        if run:
            merged.append(f"<div{self.cls('text')}>{'<br><br>'.join(run)}</div>")
        return self.sep.join(merged)

    def inline(self, text: str) -> str:
        """Paragraph text, maybe hard-wrapped, maybe with an inline element around one word."""
        if self.a["hard_wrap"] == "yes":
            return self._wrapped(text)
        return self._marked(text)

    def _wrapped(self, text: str) -> str:
        lines, line = [], ""
        for word in text.split(" "):
            if line and len(line) + len(word) > 70:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        return "\n      ".join(self._marked(x) for x in lines)

    def _marked(self, text: str) -> str:
        if self.a["invisible"] == "yes":
            return self._invisible(text)
        if self.a["inline_markup"] == "yes":
            words = text.split(" ")
            if len(words) > 4:
                at = self.rng.randrange(1, len(words) - 1)
                tag = self.rng.choice(("b", "em", "span", "strong"))
                words[at] = f"<{tag}>{self.t(words[at])}</{tag}>"
                return " ".join(w if w.startswith("<") else self.t(w) for w in words)
        return self.t(text)

    def _invisible(self, text: str) -> str:
        """A character or element that shows nothing inside one long word."""
        words = text.split(" ")
        long = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
        if not long:
            return self.t(text)
        at = self.rng.choice(long)
        mark = self.rng.choice(("&shy;", "\u00ad", "\u200b", "&#8203;", "<wbr>", "\ufeff",
                                "<!-- ad -->", "\u2060"))
        if mark == "<wbr>" and self.a["xml_prolog"] == "xhtml":
            mark = "<wbr />"
        word = words[at]
        return " ".join(self.t(w) if i != at else self.t(word[:3]) + mark + self.t(word[3:])
                        for i, w in enumerate(words))

    def block(self, block: BodyBlock, promo: bool) -> str:
        a = self.a
        if block.kind == "heading":
            style = a["headings"]
            if style in ("strong", "b"):
                return f"<p><{style}>{self.t(block.text)}</{style}></p>"
            return f"<{style}>{self.t(block.text)}</{style}>"
        text = self.inline(block.text)
        if promo and a["promo"] == "yes":
            text += (f'{"" if a["tight"] == "yes" else " "}<a href="/en/price">》Click to view '
                     "SMM metal spot prices</a>")
        if promo and a["disclaimer_split"] == "glued" and self.c.disclaimer:
            text += " " + self.t(self.c.disclaimer)
        if a["paragraphs"] == "br":
            return "\x00" + text
        tag = a["paragraphs"]
        return f"<{tag}>{text}</{tag}>"

    def list_html(self, items: list[BodyBlock]) -> str:
        tag = self.a["lists"]
        lis = self.sep.join(f"<li>{self.t(i.text)}</li>" for i in items)
        return f"<{tag}>{lis}</{tag}>"

    def table(self, rows: list[BodyBlock]) -> str:
        wrap = self.a["cells"]

        def cell(value: str, header: bool) -> str:
            inner = self.t(value) if wrap == "plain" else f"<{wrap}>{self.t(value)}</{wrap}>"
            tag = "th" if header else "td"
            return f"<{tag}>{inner}</{tag}>"

        trs = self.sep.join(
            "<tr>" + "".join(cell(v, i == 0 and self.rng.random() < 0.5) for v in row.cells)
            + "</tr>" for i, row in enumerate(rows))
        return f'<table border="1"><tbody>{trs}</tbody></table>'

    def tail(self) -> str:
        c, a = self.c, self.a
        parts: list[str] = []
        if a["spacers"] == "yes":
            parts.append("<p>&nbsp;</p>" * self.rng.randint(1, 3))
        if c.disclaimer and a["disclaimer_split"] != "glued":
            parts.append(self.disclaimer(c.disclaimer))
        lines = [contact_line(n, e) for n, e in c.contacts]
        if lines:
            if a["contacts_as"] == "list":
                parts.append("<ul>" + "".join(f"<li>{self.t(x)}</li>" for x in lines) + "</ul>")
            elif a["contacts_as"] == "table":
                parts.append("<table><tbody>" + "".join(
                    f"<tr><td>{self.t(x)}</td></tr>" for x in lines) + "</tbody></table>")
            else:
                parts += [f"<p>{self.t(x)}</p>" for x in lines]
        return self.sep.join(parts)

    def disclaimer(self, statement: str) -> str:
        split = self.a["disclaimer_split"]
        if split == "no":
            return f"<p>{self.t(statement)}</p>"
        cuts = [m.end() for m in re.finditer(r", ", statement)]
        chosen = sorted(self.rng.sample(cuts, min(len(cuts), self.rng.randint(1, 2))))
        pieces, start = [], 0
        for cut in chosen:
            pieces.append(statement[start:cut].strip())
            start = cut
        pieces.append(statement[start:].strip())
        spacer = "<p>&nbsp;</p>"
        if split == "p":
            return spacer + "".join(f"<p>{self.t(p)}</p>" for p in pieces)
        return spacer + "<p>" + "<br>".join(self.t(p) for p in pieces) + "</p>"

    # --- related news ------------------------------------------------------------------------

    def related(self) -> str:
        a = self.a
        layout = a["related_layout"]
        items = [self.related_item(item, layout) for item in self.c.related]
        if layout == "carousel":
            # Infinite carousels clone the first slides after the last one.
            items += items[: self.rng.randint(1, len(items))]
        heading = f"<h2{self.cls('relatedTitle')}>{a['related_heading']}</h2>"
        if layout == "list":
            inner = "<ul>" + self.sep.join(items) + "</ul>"
        elif layout == "table":
            inner = "<table><tbody>" + self.sep.join(items) + "</tbody></table>"
        else:
            inner = f"<div{self.cls('track')}>" + self.sep.join(items) + "</div>"
        tag = "aside" if a["classes"] == "semantic" else "div"
        return f"<{tag}{self.cls('related')}>{heading}{self.sep}{inner}</{tag}>"

    def related_item(self, item: RelatedItem, layout: str) -> str:
        a = self.a
        href = _attr(self._href(item.url))
        title = self.t(item.title)
        if a["related_title_markup"] == "inline" and " " in item.title:
            # Inline markup inside the headline: "<b>[SMM Analysis]</b> Title".
            head, tail = item.title.split(" ", 1)
            title = f"<b>{self.t(head)}</b> {self.t(tail)}"
        copies = int(a["related_copies"])
        when = related_time(item.published_at, self.c.now, a["related_time_form"]) \
            if item.published_at else None
        time_html = "" if not when else (
            f'<time datetime="{item.published_at.isoformat()}">{when}</time>'
            if a["classes"] == "semantic" and item.published_at else
            f"<span{self.cls('time')}>{when}</span>")
        summary_html = f"<p>{self.t(item.summary)}</p>" if item.summary else ""
        attrs = (f' title="{_attr(item.title)}" aria-label="{_attr(item.title)}"'
                 if a["related_attrs"] == "yes" else "")
        image = (f'<img src="https://static.metal.com/news/{self.rng.randint(1, 999)}.jpg" '
                 f'alt="{_attr(item.title)}">') if a["related_attrs"] == "yes" else ""
        title_copies = [f"<h3>{title}</h3>"] + [
            self.rng.choice((f"<h4>{title}</h4>", f"<div>{title}</div>", f"<p>{title}</p>"))
            for _ in range(copies - 1)]

        def ordered(*parts: str) -> str:
            return "".join(p for p in parts if p)

        if a["related_title_text"] == "labels_only":
            # The headline only as title=/aria-label=/alt=; the visible link says "Read More".
            labelled = (f'<a href="{href}" title="{_attr(item.title)}" '
                        f'aria-label="{_attr(item.title)}"><img src="https://static.metal.com/'
                        f'news/1.jpg" alt="{_attr(item.title)}"></a>')
            parts = [labelled, time_html, summary_html, f'<a href="{href}">Read More</a>']
            if a["related_time"] == "before":
                parts[0], parts[1] = parts[1], parts[0]
            inner = "".join(p for p in parts if p)
            tag = "li" if layout == "list" else "div"
            if layout == "table":
                return f"<tr><td>{inner}</td></tr>"
            return f"<{tag}{self.cls('relatedItem')}>{inner}</{tag}>"

        if a["related_anchor"] == "one":
            body = ordered(image, *(
                (time_html, *title_copies) if a["related_time"] == "before"
                else (*title_copies, time_html)), summary_html,
                "<span>Read More</span>" if a["related_read_more"] == "yes" else "")
            cells = [f'<a href="{href}"{attrs}>{body}</a>']
        else:
            linked = f'<a href="{href}"{attrs}>{image}{title_copies[0]}</a>'
            rest = title_copies[1:]
            pieces = ([time_html, linked] if a["related_time"] == "before"
                      else [linked, time_html]) + rest + [summary_html]
            if a["related_read_more"] == "yes":
                pieces.append(f'<a href="{href}">Read More</a>')
            cells = [p for p in pieces if p]
        chip = a["related_chip"]
        if chip == "linked":
            cells.insert(0, '<a href="/en/copper">Copper</a>')
        elif chip == "plain":
            cells.insert(0, f"<span{self.cls('tag')}>SMM</span>")
        if layout == "table":
            return "<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>"
        tag = "li" if layout == "list" else "div"
        return f"<{tag}{self.cls('relatedItem')}>{''.join(cells)}</{tag}>"

    def _href(self, url: str) -> str:
        """As linked: absolute, site-relative, relative to a <base href>, or protocol-relative."""
        site = "https://news.metal.com/"
        if not url.startswith(site):
            return url
        base = self.a["link_base"]
        if base == "base_href" and self.rng.random() < 0.7:
            return url[len(site):]  # "newscontent/…": only the <base> makes it the right URL
        if base == "protocol_relative" and self.rng.random() < 0.7:
            return url[len("https:"):]
        if self.rng.random() < 0.5:
            return url[len(site) - 1:]
        return url

    # --- state blobs -------------------------------------------------------------------------

    def blob(self) -> str:
        c, a = self.c, self.a
        body = list(c.body)
        summary = c.summary
        content_html = _blob_blocks(body) + "".join(
            f"<p>{escape(x)}</p>" for x in ([c.disclaimer] if c.disclaimer else [])
            + [contact_line(n, e) for n, e in c.contacts])
        published = c.published_at
        stamp: object = None
        if published is not None:
            form = a["date_meta_form"]
            stamp = (int(published.timestamp()) * 1000 if form == "epoch_ms"
                     else int(published.timestamp()) if form == "epoch_s"
                     else published.isoformat())
        if a["blob"] == "jsonld":
            text_body = "\n\n".join(b.text for b in c.body) + "".join(
                f"\n\n{x}" for x in ([c.disclaimer] if c.disclaimer else [])
                + [contact_line(n, e) for n, e in c.contacts])
            data: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle",
                    "headline": c.title, "articleBody": text_body}
            if published is not None:
                data["datePublished"] = published.isoformat()
            if summary:
                data["description"] = summary
            if c.source:
                data["sourceOrganization"] = {"@type": "Organization", "name": c.source}
            return ('<script type="application/ld+json">'
                    + json.dumps(data, ensure_ascii=self.ascii_json) + "</script>")
        news: dict[str, object] = {"newsId": int(c.article_id), "title": c.title,
                                   "content": content_html}
        if stamp is not None:
            news["publishTime"] = stamp
        if summary:
            news["summary"] = summary
        if c.source:
            news["source"] = c.source
        state = {"detail": {"news": news}, "user": {"login": False}}
        payload = json.dumps(state, ensure_ascii=self.ascii_json).replace("</", "<\\/")
        writers: dict[str, Callable[[str], str]] = {
            "next_data": lambda p: ('<script id="__NEXT_DATA__" type="application/json">'
                                    '{"props":{"pageProps":' + p + "}}</script>"),
            "nuxt": lambda p: f"<script>window.__NUXT__={p};</script>",
            "initial_state": lambda p: f"<script>window.__INITIAL_STATE__ = {p};</script>",
        }
        return writers[a["blob"]](payload)


def _blob_blocks(blocks: list[BodyBlock]) -> str:
    """The article HTML a content API returns: paragraphs and one <table> per table."""
    out: list[str] = []
    table = None
    for block in blocks:
        if block.kind == "row":
            row = "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in block.cells) + "</tr>"
            if table == block.table:
                out[-1] = out[-1][: -len("</table>")] + row + "</table>"
            else:
                out.append(f"<table>{row}</table>")
            table = block.table
            continue
        table = None
        out.append(f"<p>{escape(block.text)}</p>")
    return "".join(out)

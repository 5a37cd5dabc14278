"""The next page of a listing: rel=next, a "Next" pager link, or the link to page N+1."""

from __future__ import annotations

from typing import Any

from smmnews.extract.markers import LOAD_MORE_RE, NEXT_TEXT_RE, PAGE_NUMBER_RE
from smmnews.extract.parse import parse_html
from smmnews.extract.urls import absolute_url


def page_number(url: str) -> int | None:
    match = PAGE_NUMBER_RE.search(url)
    return int(match["n"]) if match else None


def _is_next_text(text: str) -> bool:
    text = " ".join(text.split())
    return bool(text) and NEXT_TEXT_RE.fullmatch(text) is not None


def next_page_url(html: str, url: str) -> str | None:
    """The URL of the listing's next page, or None on the last page (or when there is no pager).

    Tried in order: `<link rel="next">` / `<a rel="next">`, a link whose text says "next",
    and a link whose URL names the page after this one (`/page/3` on page 2; page 2 on a
    first page whose URL names none).
    """
    sel = parse_html(html)
    for href in sel.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]"
                          "/@href | //a[contains(concat(' ', normalize-space(@rel), ' '), "
                          "' next ')]/@href").getall():
        if (found := _other_page(url, href)) is not None:
            return found
    anchors: list[Any] = sel.xpath("//a[@href]")
    for anchor in anchors:
        text = " ".join(anchor.xpath(".//text()").getall())
        if _is_next_text(text) and (found := _other_page(url, anchor.attrib["href"])):
            return found
    wanted = (page_number(url) or 1) + 1
    for anchor in anchors:
        link = _other_page(url, anchor.attrib["href"])
        if link is not None and page_number(link) == wanted:
            return link
    return None


def _other_page(url: str, href: str) -> str | None:
    link = absolute_url(url, href.strip())
    if link is None or link.split("#")[0] == url.split("#")[0]:
        return None
    return link


def has_load_more(html: str) -> bool:
    """A "Load More"/"More News" control that is not a link to a page: the list grows by a
    script's request, which SMMNEWS_LISTING_ENDPOINTS can describe."""
    sel = parse_html(html)
    for el in sel.xpath("//button | //a | //div | //span"):
        text = " ".join(" ".join(el.xpath(".//text()").getall()).split())
        if text and LOAD_MORE_RE.match(text):
            href = (el.attrib.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:")):
                return True
    return False

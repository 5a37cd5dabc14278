"""Recognise the template text around an article by its wording, not its markup
(docs/site.md, "Boilerplate").

The v2 Data Source Statement sits inside the content container on real pages, so text match is
the only reliable cut.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from smmnews.extract.blocks import Block
from smmnews.extract.markers import (
    CHROME_CJK_RE,
    CHROME_COOKIE_NEEDLE,
    CHROME_COOKIE_RE,
    CHROME_INBOX_NEEDLE,
    CHROME_LINE_RE,
    CHROME_LINES,
    CHROME_MAX_CHARS,
    CHROME_NEWSLETTER_NEEDLE,
    CHROME_NEWSLETTER_RE,
    CONTACT_RES,
    CUT_INITIALS,
    CUT_MARKER_RE,
    DISCLAIMER_END_RE,
    DISCLAIMER_PREFIX,
    EMAIL_RE,
    FEEDBACK_EMAIL_RE,
    FEEDBACK_PAIR_RE,
    FEEDBACK_PHONE_RE,
    INLINE_PROMO_RE,
    NAV_LINK_RATIO,
    NAV_MAX_WORDS,
    PROMO_RE,
    TITLE_SUFFIXES,
)
from smmnews.extract.urls import article_id_from_url
from smmnews.items import Contact

_BULLETS = "•·-–▪►"
# Bounded, so a long crawl's memory stays flat (a page has a few hundred distinct lines).
CUT_MARKER_CACHE_SIZE = 4096


def is_disclaimer(text: str) -> bool:
    return text.startswith(DISCLAIMER_PREFIX)


@lru_cache(maxsize=CUT_MARKER_CACHE_SIZE)
def is_cut_marker(text: str) -> bool:
    # Asked of one block's text by the header, the body region, the tail and the next-article
    # search: a verdict per distinct text (str hashes are cached; the pattern is a long one).
    return text[:1] in CUT_INITIALS and bool(CUT_MARKER_RE.match(text))


def is_promo(text: str) -> bool:
    return bool(PROMO_RE.search(text))


def is_feedback_phone(text: str) -> bool:
    return bool(FEEDBACK_PHONE_RE.match(text))


def strip_bullet(text: str) -> str:
    return text.lstrip(_BULLETS).strip()


def is_site_suffix_line(text: str) -> bool:
    """The trailing "<Title or summary start> - Shanghai Metals Market (SMM)" line (L2, 2022)."""
    return any(text.endswith(suffix) and len(text) > len(suffix) for suffix in TITLE_SUFFIXES[:4])


def links_elsewhere(block: Block) -> bool:
    """The block's links lead to non-article pages (menus, tags, share buttons)."""
    return not any(article_id_from_url(href) for href in block.hrefs)


def is_chrome_text(text: str) -> bool:
    """Site chrome recognised by its wording alone (docs/site.md, "Boilerplate"; footers and
    share widgets)."""
    folded = text.casefold()
    if folded in CHROME_LINES or strip_bullet(text).casefold() in CHROME_LINES:
        return True
    # Chrome lines are short; scanning every long paragraph for them is the costly part.
    if len(text) > CHROME_MAX_CHARS:
        return False
    # One alternation searched at every position cost more than the rest of this test: the
    # line patterns are anchored (one match() at 0), the other two only run when their cheap
    # prerequisite (a CJK character, the word "cookie") is there.
    return bool(CHROME_LINE_RE.match(text)
                or (CHROME_COOKIE_NEEDLE in folded and CHROME_COOKIE_RE.search(text))
                or ((CHROME_NEWSLETTER_NEEDLE in folded or CHROME_INBOX_NEEDLE in folded)
                    and CHROME_NEWSLETTER_RE.search(text))
                or (not text.isascii() and CHROME_CJK_RE.search(text)))


def strip_inline_promo(text: str) -> str:
    """A paragraph without the promo link glued to its end ("... week.》Click to view")."""
    if "》" not in text or text.startswith("》"):
        return text
    return INLINE_PROMO_RE.sub("", text)


def is_disclaimer_complete(text: str) -> bool:
    return bool(DISCLAIMER_END_RE.search(text))


def is_chrome(block: Block) -> bool:
    """Chrome by wording, by position (nav/footer/aside) or by shape (short menu links)."""
    if block.chrome_verdict is None:
        block.chrome_verdict = _is_chrome(block)
    return block.chrome_verdict


def _is_chrome(block: Block) -> bool:
    text = block.text
    bare = strip_bullet(text)
    if block.chrome or is_chrome_text(text):
        return True
    # "Share:FacebookTwitterLinkedIn": chrome words glued by markup with no whitespace.
    if len(block.pieces) > 1 and all(is_chrome_text(piece.text) for piece in block.pieces):
        return True
    if text[0] in _BULLETS and len(bare.split()) <= 3:
        return True  # category chips under portal pages: "• Selected News", "• Nickel"
    return (block.link_ratio >= NAV_LINK_RATIO and len(text.split()) <= NAV_MAX_WORDS
            and links_elsewhere(block))


def _emails(text: str) -> list[str]:
    return [e.rstrip(".") for e in EMAIL_RE.findall(text)]


def contacts_in(text: str) -> list[Contact] | None:
    """Contacts named by a contact line, [] for a contact line whose e-mail was stripped,
    None when the text is not a contact line."""
    if "ontact" not in text and "mail" not in text and "@" not in text:
        return None  # every contact line names a contact or an e-mail
    feedback = FEEDBACK_EMAIL_RE.match(text)
    if feedback:
        return [Contact(name=m["name"], email=m["email"])
                for m in FEEDBACK_PAIR_RE.finditer(feedback["pairs"])]
    for pattern in CONTACT_RES:
        match = pattern.match(text)
        if not match:
            continue
        name = match.groupdict().get("name")
        emails = _emails(match["emails"])
        if not emails:
            return [Contact(name=name, email=None)] if name else []
        return [Contact(name=name, email=email) for email in emails]
    return None


def merge_contacts(found: list[Contact]) -> list[Contact]:
    """One entry per e-mail (or per name when the e-mail is gone), the first name kept."""
    merged: list[Contact] = []
    by_key: dict[str, Contact] = {}
    for contact in found:
        key = (contact.email or contact.name or "").lower()
        if not key:
            continue
        if key in by_key:
            if not by_key[key].name and contact.name:
                by_key[key].name = contact.name
            continue
        entry = replace(contact)
        by_key[key] = entry
        merged.append(entry)
    return merged

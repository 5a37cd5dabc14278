"""Small text normalisers shared by the extractor and the item loader's processors."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from smmnews.extract.blocks import collapse
from smmnews.extract.markers import METAL_NAMES, NON_TITLES, TITLE_SUFFIXES, TITLE_TAG_RE

_LEAD_CONTEXT = re.compile(
    r"\b(?:(?:SHFE|LME|refined|primary|secondary|spot|recycled)\s+lead|lead\s+(?:price|ingot|"
    r"concentrate|market|inventor|smelter|futures|contract|batter|acid|output|production|premium)"
    r"\w*)\b|^Lead\b",
    re.IGNORECASE | re.MULTILINE,
)


def clean_title(value: str | None) -> str | None:
    """Collapse whitespace and strip the site's title suffixes; None when nothing is left."""
    if not value:
        return None
    title = collapse(value)
    stripped = True
    while stripped:
        stripped = False
        for suffix in TITLE_SUFFIXES:
            if title.endswith(suffix) and len(title) > len(suffix):
                title = title[: -len(suffix)].rstrip()
                stripped = True
    if not title or title.casefold() in NON_TITLES:
        return None
    return title


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = collapse(value)
    return text or None


def title_tags(title: str | None) -> list[str]:
    """Bracket tags of a title: "[SMM Analysis] X【Weekly Observation】" -> both names."""
    if not title:
        return []
    return [collapse(tag) for tag in TITLE_TAG_RE.findall(title)]


_WORD = re.compile(r"[a-z]+")
# Multi-word spellings ("iron ore") are counted as substrings, single words by a word count.
_PHRASES = {s: name for name, names in METAL_NAMES.items() for s in names if " " in s}
_WORDS = {s: name for name, names in METAL_NAMES.items() for s in names if " " not in s}


def _metal_counts(text: str) -> Counter[str]:
    """Mentions per canonical metal name: one word split, then dictionary look-ups."""
    lowered = text.lower()
    words = Counter(_WORD.findall(lowered))
    counts: Counter[str] = Counter()
    for spelling, name in _WORDS.items():
        if name != "lead":
            counts[name] += words[spelling] + words[spelling + "s"]
    for phrase, name in _PHRASES.items():
        counts[name] += lowered.count(phrase)
    # "lead" is mostly a verb: the context pattern is costly, so only where the word occurs.
    counts["lead"] = len(_LEAD_CONTEXT.findall(text)) if words["lead"] else 0
    return counts


def metals_in(title: str, summary: str, body: str) -> list[str]:
    """Metals named in the title or summary, or at least twice in the body; one name each."""
    head = _metal_counts(f"{title}\n{summary}")
    text = _metal_counts(body)
    return [name for name in METAL_NAMES if head[name] or text[name] >= 2]


def content_hash(title: str | None, body: str) -> str:
    """Stable over re-crawls: only what the article says, not when it was fetched."""
    digest = hashlib.sha256(f"{title or ''}\n{body}".encode()).hexdigest()
    return f"sha256:{digest}"

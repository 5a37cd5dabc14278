"""Pages that need JavaScript: an app shell is an empty mount point, scripts, and almost no text.

Such a page gives no article however good the extractor is; it must be counted as what it is
(`bad_page/needs_javascript`) and, when the operator allows it, rendered in a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smmnews.extract.blocks import Block, linearise
from smmnews.extract.markers import (
    APP_ROOT_RE,
    NOSCRIPT_JS_RE,
    SCRIPT_TAG_RE,
    SHELL_MAX_ROOT_WORDS,
    SHELL_MAX_VISIBLE_WORDS,
)
from smmnews.extract.parse import parse_html

NEEDS_JAVASCRIPT = "needs_javascript"


@dataclass(frozen=True, slots=True)
class AppShell:
    """Why a page looks client-rendered: what a log line and the probe report show."""

    visible_words: int
    app_root: str | None
    scripts: int
    noscript_hint: bool

    @property
    def detail(self) -> str:
        root = (f"empty app root {self.app_root}" if self.app_root
                else "a noscript JavaScript notice")
        return (f"app shell: {self.visible_words} words of visible text, {root}, "
                f"{self.scripts} scripts")


def visible_words(blocks: list[Block]) -> int:
    """Words a reader sees outside menus, footers and other page chrome."""
    return sum(len(b.text.split()) for b in blocks if not b.chrome)


def _root_words(tree: Any, name: str) -> int | None:
    """Words inside the mount point (`#root` or `[data-reactroot]`), None when it is absent."""
    if name.startswith("#"):
        found = tree.xpath("//*[@id=$id]", id=name[1:])
    else:
        found = tree.xpath(f"//*[@{name[1:-1]}]")
    if not found:
        return None
    return len(" ".join(found[0].itertext()).split())


def app_shell(html: str, words: int | None = None) -> AppShell | None:
    """The shell verdict for a page, or None when it is an ordinary server-rendered page.

    `words` is the visible word count when the caller has already walked the page.
    """
    scripts = len(SCRIPT_TAG_RE.findall(html))
    if not scripts:
        return None
    match = APP_ROOT_RE.search(html)
    noscript = NOSCRIPT_JS_RE.search(html) is not None
    if match is None and not noscript:
        return None
    tree: Any = parse_html(html).root
    name = None
    if match is not None:
        name = f"#{match['id']}" if match["id"] else f"[{match['attr']}]"
        in_root = _root_words(tree, name)
        if in_root is not None and in_root > SHELL_MAX_ROOT_WORDS:
            return None
    count = visible_words(linearise(tree).blocks) if words is None else words
    if count > SHELL_MAX_VISIBLE_WORDS:
        return None
    return AppShell(count, name, scripts, noscript)

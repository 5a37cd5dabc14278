"""Rendering pages that need JavaScript in a host-provided Chromium, through scrapy-playwright.

`SMMNEWS_RENDER`: `never` (default: app shells are counted as `bad_page/needs_javascript`),
`auto` (only a page detected as an app shell is requested again, rendered), `always` (every
article page is rendered). Only then are scrapy-playwright's download handlers installed; they
pass every request without `meta["playwright"]` to Scrapy's own handler, so robots.txt,
listings, sitemaps and server-rendered articles are fetched exactly as without rendering.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.settings import BaseSettings

RENDER_MODES = ("never", "auto", "always")
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Kept in meta so a rendered page that is still a shell is counted, never rendered again.
RENDERED = "smmnews_rendered"
# The browser fetches what the page needs to build the article (scripts, XHR); pictures, fonts
# and media only cost time.
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
# When the page counts as loaded (Playwright's goto): networkidle waits for the XHR that brings
# the article after the load event; `load` for a site that never goes idle (long polling).
WAIT_UNTIL = ("networkidle", "load", "domcontentloaded", "commit")


class RenderError(ValueError):
    """A render setting that cannot work; the message says what to change."""


def render_mode(settings: BaseSettings) -> str:
    mode = str(settings.get("SMMNEWS_RENDER") or "never").strip().lower()
    if mode not in RENDER_MODES:
        raise RenderError(f"SMMNEWS_RENDER must be one of {', '.join(RENDER_MODES)}, got {mode!r}")
    return mode


def missing_requirement(settings: BaseSettings) -> str | None:
    """Why rendering cannot start on this host, or None."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return "scrapy-playwright, which is not installed: pip install -e '.[render]'"
    browser = Path(str(settings.get("SMMNEWS_CHROMIUM_PATH") or ""))
    if not (browser.is_file() and os.access(browser, os.X_OK)):
        return (f"Chromium at SMMNEWS_CHROMIUM_PATH ({browser}), which is not there: "
                "apt-get install chromium, or set the path")
    return None


def abort_resource(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: skip resources the text of an article never depends on."""
    return str(getattr(request, "resource_type", "")) in SKIPPED_RESOURCES


def apply_render_settings(settings: BaseSettings) -> None:
    """Install the playwright handlers and the Chromium launch options (spider priority)."""
    if render_mode(settings) == "never":
        return
    handlers = {"http": HANDLER, "https": HANDLER}
    timeout_ms = int(settings.getfloat("SMMNEWS_RENDER_TIMEOUT") * 1000)
    settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"), **handlers},
                 priority="spider")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="spider")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {
        "executable_path": settings.get("SMMNEWS_CHROMIUM_PATH"),
        "headless": True,
        "args": settings.getlist("SMMNEWS_CHROMIUM_ARGS"),
    }, priority="spider")
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_ms, priority="spider")
    settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, priority="spider")
    settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT",
                 settings.getint("SMMNEWS_RENDER_CONCURRENCY"), priority="spider")
    settings.set("PLAYWRIGHT_ABORT_REQUEST", "smmnews.render.abort_resource", priority="spider")


def wait_until(settings: BaseSettings) -> str:
    value = str(settings.get("SMMNEWS_RENDER_WAIT_UNTIL") or "networkidle").strip().lower()
    if value not in WAIT_UNTIL:
        raise RenderError(f"SMMNEWS_RENDER_WAIT_UNTIL must be one of {', '.join(WAIT_UNTIL)}, "
                          f"got {value!r}")
    return value


def rendered(request: Request, carried: tuple[str, ...], until: str = "networkidle") -> Request:
    """The same article request again, rendered in the browser (past the id dupefilter).

    Only the `carried` meta keys go along: the rest (latency, retries, download slot) belongs
    to the first fetch. Everything in meta stays JSON, so the request can travel through the
    distributed queue.
    """
    meta = {**{k: request.meta[k] for k in carried if k in request.meta},
            "playwright": True, RENDERED: True,
            "playwright_page_goto_kwargs": {"wait_until": until}}
    return request.replace(meta=meta, dont_filter=True)

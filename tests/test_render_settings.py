"""SMMNEWS_RENDER: which settings change with each mode (only the download handlers and the
browser's launch options), and that scrapy-playwright loads on this Scrapy without a warning."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from smmnews import settings as project
from smmnews.render import (
    HANDLER,
    RENDERED,
    RenderError,
    apply_render_settings,
    missing_requirement,
    render_mode,
    rendered,
    wait_until,
)


def project_settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(project, priority="project")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_never_changes_nothing() -> None:
    settings = project_settings()
    before = dict(settings.copy_to_dict())
    apply_render_settings(settings)
    assert settings.copy_to_dict() == before
    assert render_mode(settings) == "never"


@pytest.mark.parametrize("mode", ["auto", "always", "AUTO"])
def test_rendering_installs_the_handlers_and_the_host_chromium(mode: str) -> None:
    settings = project_settings(SMMNEWS_RENDER=mode, SMMNEWS_CHROMIUM_PATH="/opt/chromium")
    before = settings.copy_to_dict()
    apply_render_settings(settings)
    after = settings.copy_to_dict()
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"DOWNLOAD_HANDLERS", "PLAYWRIGHT_BROWSER_TYPE",
                       "PLAYWRIGHT_LAUNCH_OPTIONS", "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT",
                       "PLAYWRIGHT_MAX_CONTEXTS", "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT",
                       "PLAYWRIGHT_ABORT_REQUEST"}
    assert {k: v for k, v in after["DOWNLOAD_HANDLERS"].items() if v == HANDLER} == {
        "http": HANDLER, "https": HANDLER}
    launch = after["PLAYWRIGHT_LAUNCH_OPTIONS"]
    assert launch["executable_path"] == "/opt/chromium" and launch["headless"] is True
    assert {"--no-sandbox", "--disable-quic", "--disable-background-networking"} <= set(
        launch["args"])
    # scrapy-playwright needs the asyncio reactor, which Scrapy 2.19 uses by default.
    assert "asyncio" in str(settings.get("TWISTED_REACTOR"))


def test_an_unknown_mode_or_wait_is_refused() -> None:
    with pytest.raises(RenderError, match="never, auto, always"):
        render_mode(project_settings(SMMNEWS_RENDER="maybe"))
    with pytest.raises(RenderError, match="networkidle, load"):
        wait_until(project_settings(SMMNEWS_RENDER_WAIT_UNTIL="idle"))
    assert wait_until(project_settings(SMMNEWS_RENDER_WAIT_UNTIL="LOAD")) == "load"


def test_scrapy_playwright_loads_without_warnings() -> None:
    # pytest turns every warning into an error: a deprecation at import would fail here.
    assert missing_requirement(project_settings()) is None  # and Chromium is installed
    assert load_object(HANDLER).__name__ == "ScrapyPlaywrightDownloadHandler"
    settings = project_settings(SMMNEWS_RENDER="auto")
    apply_render_settings(settings)
    abort = load_object(settings["PLAYWRIGHT_ABORT_REQUEST"])
    # Pictures, fonts and media are skipped; what builds the article (scripts, XHR) is not.
    kinds = ("image", "font", "media", "script", "fetch", "xhr", "document")
    assert [abort(SimpleNamespace(resource_type=k)) for k in kinds] == [True] * 3 + [False] * 4


def test_a_rendered_request_carries_only_the_article_keys() -> None:
    first = Request("http://127.0.0.1/newscontent/103900002",
                    meta={"article_id": "103900002", "download_latency": 0.1, "depth": 1})
    again = rendered(first, ("article_id", "sweep"), "load")
    assert again.dont_filter and again.meta["playwright"] and again.meta[RENDERED]
    assert again.meta["playwright_page_goto_kwargs"] == {"wait_until": "load"}
    json.dumps(again.meta)  # travels through the distributed queue
    assert {k: v for k, v in again.meta.items() if not k.startswith(("playwright", "smmnews"))
            } == {"article_id": "103900002"}

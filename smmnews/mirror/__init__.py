"""An offline mirror of news.metal.com for crawl tests, the demo and benchmarks.

`MirrorServer` serves either a `StaticSite` (plain files declared in a routes.json, like
fixtures/site/) or a `GeneratedSite` (any number of invented articles built on request).
"""

from __future__ import annotations

from smmnews.mirror.generate import DEFAULT_NOW, GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.site import Page, Site, route_key
from smmnews.mirror.static import StaticSite

__all__ = [
    "DEFAULT_NOW",
    "GeneratedSite",
    "MirrorServer",
    "Page",
    "Site",
    "StaticSite",
    "route_key",
]

"""A site of plain files declared in routes.json (see fixtures/site/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smmnews.mirror.faults import check_fault
from smmnews.mirror.site import HTML, Fault, Page, error_page, route_key

BASE_PLACEHOLDER = b"{BASE}"


@dataclass(frozen=True)
class Route:
    file: Path | None
    status: int = 200
    content_type: str = HTML
    fault: Fault | None = None


class StaticSite:
    """Serves `<root>/routes.json`; any path not declared there is a 404."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        declared = json.loads((self.root / "routes.json").read_text(encoding="utf-8"))
        self.routes: dict[str, Route] = {}
        for path, spec in declared.items():
            key = route_key(path)
            if key in self.routes:
                raise ValueError(f"routes.json: {path!r} repeats route {key!r}")
            self.routes[key] = self._route(path, spec)

    def _route(self, path: str, spec: dict[str, Any]) -> Route:
        file = self.root / spec["file"] if spec.get("file") else None
        if file is not None and not file.is_file():
            raise ValueError(f"routes.json: {path!r} names missing file {spec['file']!r}")
        fault = check_fault(spec.get("fault"))
        return Route(file, int(spec.get("status", 200)), spec.get("content_type", HTML), fault)

    def page(self, key: str, base: str) -> Page:
        route = self.routes.get(key)
        if route is None:
            return error_page(404)
        body = route.file.read_bytes() if route.file else b""
        # The host of a static site is only known per request, so robots.txt and the sitemaps
        # carry a placeholder for their absolute URLs.
        if route.content_type.startswith("text/plain") or "xml" in route.content_type:
            body = body.replace(BASE_PLACEHOLDER, base.encode())
        return Page(route.status, body, route.content_type, route.fault)

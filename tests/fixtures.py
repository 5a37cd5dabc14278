"""Reading the on-disk fixture cases (one folder per case, see fixtures/README.md)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from smmnews.extract.dates import parse_iso

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = ROOT / "articles"
NON_ARTICLES = ROOT / "non_articles"


def case_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if (p / "page.html").is_file())


def page_bytes(folder: Path, case: str) -> bytes:
    return (folder / case / "page.html").read_bytes()


def meta(folder: Path, case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / case / "meta.json").read_text("utf-8"))
    return data


def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ARTICLES / case / "expected.json").read_text("utf-8"))
    return data


def now_of(folder: Path, case: str) -> datetime:
    value = parse_iso(meta(folder, case)["now"])
    assert value is not None
    return value

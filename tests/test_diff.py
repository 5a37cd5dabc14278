"""`smmnews diff`: what changed between two outputs, by article id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smmnews.cli import main


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def rec(article_id: str, **fields: Any) -> dict[str, Any]:
    return {"article_id": article_id, "title": f"T{article_id}", "body": "same body",
            "metals": ["nickel"], **fields}


def test_counts_added_removed_changed_and_per_field(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.jsonl", [rec("1"), rec("2"), rec("3"), rec("4")])
    new = write(tmp_path / "new.jsonl", [
        rec("1"),                                        # unchanged
        rec("2", body="same body, now longer"),          # body changed
        rec("3", body="other", metals=["zinc"]),         # body and metals changed
        rec("5"),                                        # added; 4 removed
    ])
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "added 1: 5" in out
    assert "removed 1: 4" in out
    assert "changed 2: 2, 3" in out
    assert "unchanged 1" in out
    lines = out.splitlines()
    fields = lines[lines.index("changes per field:") + 1:]
    assert [line.strip() for line in fields if not line.startswith("    ")] == ["body: 2",
                                                                             "metals: 1"]
    assert '"zinc"' in out and "now longer" in out  # examples show old -> new


def test_identical_outputs_exit_zero_and_ignore_leaves_a_field_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.jsonl", [rec("1", crawled_at="2026-01-01T00:00:00+00:00")])
    new = write(tmp_path / "new.jsonl", [rec("1", crawled_at="2026-02-01T00:00:00+00:00")])
    assert main(["diff", str(old), str(new), "--ignore", "crawled_at"]) == 0
    assert "changed 0" in capsys.readouterr().out
    assert main(["diff", str(old), str(new)]) == 1
    assert "crawled_at: 1" in capsys.readouterr().out

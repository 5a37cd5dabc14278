"""`smmnews diff OLD.jsonl NEW.jsonl`: what changed between two outputs, by article id.

What a user reads after a re-extraction: records added, removed and changed, and for each
field how many records changed it, with a few examples of old -> new values.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXAMPLE_WIDTH = 160


@dataclass
class RecordDiff:
    old_count: int = 0
    new_count: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    fields: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    """article_id -> record; a later line of one id replaces an earlier one (a revision)."""
    records: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                records[str(record["article_id"])] = record
            except (ValueError, KeyError, TypeError):
                print(f"smmnews diff: {path}:{number}: not a record, skipped", file=sys.stderr)
    return records


def diff_records(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], *,
                 ignore: frozenset[str] = frozenset(), examples: int = 3) -> RecordDiff:
    result = RecordDiff(old_count=len(old), new_count=len(new))
    result.added = sorted(new.keys() - old.keys())
    result.removed = sorted(old.keys() - new.keys())
    for article_id in sorted(old.keys() & new.keys()):
        before, after = old[article_id], new[article_id]
        names = [n for n in _union(before, after) if n not in ignore
                 and before.get(n) != after.get(n)]
        if not names:
            continue
        result.changed.append(article_id)
        result.fields.update(names)
        for name in names:
            shown = result.examples.setdefault(name, [])
            if len(shown) < examples:
                shown.append((article_id, before.get(name), after.get(name)))
    return result


def _union(one: dict[str, Any], other: dict[str, Any]) -> Iterator[str]:
    yield from one
    yield from (name for name in other if name not in one)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 1] + "…"


def _from_first_difference(old: Any, new: Any) -> tuple[Any, Any]:
    """Long strings are shown from a little before where they start to differ."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return old, new
    same = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)))
    start = max(same - 40, 0)
    prefix = "…" if start else ""
    return prefix + old[start:], prefix + new[start:]


def format_diff(result: RecordDiff, old_name: str, new_name: str, *,
                show_ids: int = 5) -> str:
    def ids(values: list[str]) -> str:
        more = f" (+{len(values) - show_ids} more)" if len(values) > show_ids else ""
        return ": " + ", ".join(values[:show_ids]) + more if values else ""

    unchanged = result.old_count - len(result.removed) - len(result.changed)
    lines = [f"old {old_name}: {result.old_count} records; new {new_name}: "
             f"{result.new_count} records",
             f"added {len(result.added)}{ids(result.added)}",
             f"removed {len(result.removed)}{ids(result.removed)}",
             f"changed {len(result.changed)}{ids(result.changed)}",
             f"unchanged {unchanged}"]
    if result.fields:
        lines.append("changes per field:")
    for name, count in result.fields.most_common():
        lines.append(f"  {name}: {count}")
        for article_id, before, after in result.examples.get(name, []):
            before, after = _from_first_difference(before, after)
            lines.append(f"    {article_id}: {_short(before)}")
            lines.append(f"    {' ' * len(article_id)}  -> {_short(after)}")
    return "\n".join(lines)


def add_diff_command(commands: Any) -> None:
    parser = commands.add_parser(
        "diff", help="compare two JSON Lines outputs by article_id",
        description="Counts of added, removed and changed records and of changes per field, "
                    "with examples. Exit status 0 when they hold the same records, 1 when not.")
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--ignore", action="append", default=[], metavar="FIELD",
                        help="leave a field out of the comparison (repeatable), e.g. crawled_at")
    parser.add_argument("--examples", type=int, default=3, help="examples per field")
    parser.set_defaults(func=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    try:
        old, new = read_records(args.old), read_records(args.new)
    except OSError as exc:
        print(f"smmnews diff: cannot read: {exc}", file=sys.stderr)
        return 2
    result = diff_records(old, new, ignore=frozenset(args.ignore), examples=args.examples)
    print(format_diff(result, str(args.old), str(args.new)))
    return 0 if result.identical else 1

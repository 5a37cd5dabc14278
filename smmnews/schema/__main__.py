"""`python -m smmnews.schema [--check]`: write (or check) the schema and the README tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smmnews.schema.generate import schema_text, with_tables

SCHEMA_FILE = Path(__file__).resolve().parent / "article.schema.json"
README = Path(__file__).resolve().parents[2] / "README.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smmnews.schema", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = parser.parse_args(argv)
    wanted = {SCHEMA_FILE: schema_text(), README: with_tables(README.read_text("utf-8"))}
    stale = [path for path, text in wanted.items() if path.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path} (run python -m smmnews.schema)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

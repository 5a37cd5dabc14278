"""`smmnews demo`: the main job on the bundled sample site (filled in with the crawl)."""

from __future__ import annotations

import argparse
from typing import Any


def add_demo_command(commands: Any) -> None:
    demo = commands.add_parser("demo", help="serve the bundled sample site and crawl it")
    demo.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    raise SystemExit("smmnews demo: not yet available")

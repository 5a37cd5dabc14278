"""`python -m smmnews.mirror serve fixtures/site` or `... serve --generated 2000 [--seed 1]`.

Prints the base URL on one line, then serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import datetime
from types import FrameType

from smmnews.mirror.generate import GeneratedSite
from smmnews.mirror.server import MirrorServer
from smmnews.mirror.site import Site
from smmnews.mirror.static import StaticSite


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m smmnews.mirror")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a site on 127.0.0.1")
    serve.add_argument("site", nargs="?", help="a static site directory with routes.json")
    serve.add_argument("--generated", type=int, metavar="N", help="serve N generated articles")
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--start-id", type=int, default=103800000)
    serve.add_argument("--now", type=datetime.fromisoformat, help="generated site's clock (ISO)")
    serve.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def site_from_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Site:
    if (args.site is None) == (args.generated is None):
        parser.error("give either a site directory or --generated N")
    if args.site is not None:
        return StaticSite(args.site)
    return GeneratedSite(args.generated, start_id=args.start_id, seed=args.seed, now=args.now)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with MirrorServer(site_from_args(args, parser), port=args.port, verbose=args.verbose) as server:
        print(server.url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

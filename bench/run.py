"""Run every benchmark in sequence and write all figures to one JSON file.

`python bench/run.py [--quick] [--out bench/last-run.json]`. Quick mode crawls smaller generated
sites (1,000 and 4,000 articles instead of 5,000 and 20,000); everything else is the same.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH = Path(__file__).resolve().parent
# In order: the cheap in-process ones first, the crawls (minutes in full mode) last.
MODULES = ("quality", "speed", "startup", "robustness", "crawl", "memory", "sweep_memory",
           "reextract")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_module(name: str, quick: bool) -> dict[str, Any]:
    if not (BENCH / f"{name}.py").is_file():
        print(f"skipped: not written yet (bench/{name}.py)")
        return {"skipped": "not written yet"}
    module = importlib.import_module(f"bench.{name}")
    kwargs = {"quick": quick} if "quick" in inspect.signature(module.main).parameters else {}
    start = time.perf_counter()
    figures: dict[str, Any] = module.main(**kwargs)
    figures["module_seconds"] = round(time.perf_counter() - start, 1)
    print(f"({name}: {figures['module_seconds']} s)")
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller crawl sites")
    parser.add_argument("--out", type=Path, default=BENCH / "last-run.json")
    args = parser.parse_args(argv)
    machine = {"cpu_count": os.cpu_count(), "cpu_model": cpu_model(),
               "python": platform.python_version()}
    print(f"machine: {machine['cpu_count']} cores, {machine['cpu_model']}, "
          f"Python {machine['python']}; mode: {'quick' if args.quick else 'full'}")
    start = time.perf_counter()
    results: dict[str, Any] = {"machine": machine, "quick": args.quick}
    for name in MODULES:
        print(f"\n=== {name} ===")
        results[name] = run_module(name, args.quick)
    results["total_seconds"] = round(time.perf_counter() - start, 1)
    print(f"\ntotal wall time: {results['total_seconds']} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"figures written to {args.out}")
    return results


if __name__ == "__main__":
    main()

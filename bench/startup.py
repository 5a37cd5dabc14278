"""Start-up of `smmnews extract` on one page against `python -c "import parsel"` (the floor:
any HTML tool here parses with lxml through parsel), and what the extraction path imports.

Each command runs REPEATS times in fresh processes; the best time of each is compared, since
the minimum is the least disturbed by the rest of the machine. Target: within 1.5x of the floor,
and no Scrapy or Twisted module imported (`python -X importtime`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "fixtures" / "articles" / "l2-html5-example-asi-visit" / "page.html"
REPEATS = 15
TARGET_RATIO = 1.5


def best_seconds(command: list[str]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def heavy_imports() -> list[str]:
    """Scrapy and Twisted modules that `smmnews extract` imports (should be none)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "smmnews.cli", "extract",
                           str(PAGE)], cwd=REPO, capture_output=True, text=True, check=True)
    names = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    # A failed `import scrapy` (hidden from itemadapter's probe) lists the name with no children.
    return sorted({n for n in names if n.split(".")[0] in ("scrapy", "twisted")} - {"scrapy"})


def main() -> dict[str, Any]:
    extract = best_seconds([sys.executable, "-m", "smmnews.cli", "extract", str(PAGE)])
    floor = best_seconds([sys.executable, "-c", "import parsel"])
    ratio = extract / floor
    heavy = heavy_imports()
    print(f"smmnews extract, one page: {extract * 1000:.0f} ms (best of {REPEATS})")
    print(f"python -c 'import parsel':  {floor * 1000:.0f} ms")
    verdict = "met" if ratio <= TARGET_RATIO else "missed"
    print(f"ratio: {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})")
    print(f"Scrapy/Twisted modules imported: {len(heavy)} {', '.join(heavy[:5])}")
    return {"extract_ms": round(extract * 1000, 1), "import_parsel_ms": round(floor * 1000, 1),
            "ratio": round(ratio, 2), "target_ratio": TARGET_RATIO, "heavy_imports": heavy}


if __name__ == "__main__":
    main()

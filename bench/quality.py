"""Extraction quality on the fixture corpus and on 500 renderings of article contents in markups
the fixtures do not have (smmnews/mirror/render.py): ours against the general-purpose extractors.

Per extractor and corpus: body token F1 (micro over the corpus and mean per page, scored as
tests/test_quality.py scores it), pages whose body leaks boilerplate or a related-news title,
exact titles, correct dates. Competitors that return only a date are judged on the date part;
ours must give the full timestamp.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contenders import Extraction, Extractor, available
from bench.corpus import FixturePage, fixture_pages, rendered_pages
from tests.test_quality import BOILERPLATE, f1, f1_counts

# (label, attribute, higher is better) in table order.
LINES = (
    ("body F1, micro", "f1_micro", True),
    ("body F1, mean per page", "f1_mean", True),
    ("bodies exact (whitespace normalised)", "bodies_exact", True),
    ("pages leaking boilerplate/related", "leaking_pages", False),
    ("titles exact", "titles_exact", True),
    ("dates correct", "dates_correct", True),
)

# readability-lxml extracts the main text and title only: its date line shows "-", not 0.
GIVES_NO_DATE = frozenset({"readability"})


@dataclass
class Score:
    f1_micro: float
    f1_mean: float
    bodies_exact: int
    leaking_pages: int
    titles_exact: int
    # None: the extractor gives no date at all.
    dates_correct: int | None
    failures: int


def leaks(body: str, page: FixturePage) -> list[str]:
    found = [s for s in BOILERPLATE if s in body]
    return found + [r["title"] for r in page.expected.get("related", []) if r["title"] in body]


def date_ok(name: str, got: str | None, want: str | None) -> bool:
    if name == "ours" or got is None or want is None:
        return got == want
    return got == want[:10]


def run_extractor(extract: Extractor, page: FixturePage) -> tuple[Extraction, bool]:
    try:
        return extract(page), True
    except Exception:  # a competitor crashing on a page scores as an empty extraction
        return Extraction("", None, None), False


def score(name: str, extract: Extractor, pages: tuple[FixturePage, ...]) -> Score:
    counts, per_page, leaking, titles, dates, failures, exact = [], [], 0, 0, 0, 0, 0
    for page in pages:
        got, ok = run_extractor(extract, page)
        failures += not ok
        exact += " ".join(got.body.split()) == " ".join(page.expected["body"].split())
        count = f1_counts(got.body, page.expected["body"])
        counts.append(count)
        per_page.append(f1(*count))
        leaking += bool(leaks(got.body, page))
        titles += (got.title or "").strip() == page.expected["title"]
        dates += date_ok(name, got.published, page.expected.get("published_at"))
    micro = f1(*(sum(c[i] for c in counts) for i in range(3)))
    return Score(round(micro, 4), round(sum(per_page) / len(per_page), 4), exact, leaking, titles,
                 None if name in GIVES_NO_DATE else dates, failures)


def ahead_on_every_line(scores: dict[str, Score]) -> tuple[bool, list[str]]:
    """True when no competitor beats ours on any line; also the lines where one ties."""
    ours, ties, ahead = scores["ours"], [], True
    for label, attr, higher in LINES:
        theirs = [getattr(s, attr) for n, s in scores.items() if n != "ours"]
        theirs = [v for v in theirs if v is not None]
        if not theirs:
            continue
        best = max(theirs) if higher else min(theirs)
        mine = getattr(ours, attr)
        ahead &= mine >= best if higher else mine <= best
        if mine == best:
            ties.append(label)
    return ahead, ties


def print_table(scores: dict[str, Score], n_pages: int, corpus: str) -> None:
    names = list(scores)
    print(f"quality over {n_pages} {corpus}")
    print(f"{'':36}" + "".join(f"{n:>13}" for n in names))
    for label, attr, _ in LINES:
        cells = [getattr(scores[n], attr) for n in names]
        print(f"{label:36}" + "".join(f"{'-' if c is None else c:>13}" for c in cells))
    print(f"{'pages the extractor raised on':36}"
          + "".join(f"{scores[n].failures:>13}" for n in names))
    print("dates: ours must match the full timestamp; the others only the date part.")


def report(pages: tuple[FixturePage, ...], corpus: str) -> dict[str, Any]:
    scores = {name: score(name, extract, pages) for name, extract in available().items()}
    print_table(scores, len(pages), corpus)
    ahead, ties = ahead_on_every_line(scores)
    tied = f" (tied on: {', '.join(ties)})" if ties else ""
    print(f"ours ahead on every line: {'yes' if ahead else 'no'}{tied}\n")
    return {"pages": len(pages), "scores": {n: asdict(s) for n, s in scores.items()},
            "ours_ahead_on_every_line": ahead, "tied_lines": ties}


def main() -> dict[str, Any]:
    return {"fixtures": report(fixture_pages(), "fixture pages"),
            "renderings": report(rendered_pages(), "rendered pages (smmnews/mirror/render.py)")}


if __name__ == "__main__":
    main()

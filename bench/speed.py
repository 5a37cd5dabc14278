"""Pages per second on one core: ours against trafilatura and the bare lxml parsing floor.

Every contender reads the same pages in the same process: the fixture pages, then 500 renderings
of the property-test renderer (smmnews/mirror/render.py, as bench/quality.py draws them), whose
markups the fixtures do not have. Ours is timed on the full
path the spider runs (`build_record` from bytes) and on `extract_article` alone. The floor is
what any lxml-based extractor pays at least: parse the page and walk its text once.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lxml.html

from bench.contenders import available
from bench.corpus import FixturePage, fixture_pages, rendered_pages
from bench.timing import best_rates, one_core, per_call_seconds, profile_rows
from smmnews.extract import dates
from smmnews.extract.article import extract_article
from smmnews.items import Article
from smmnews.record import build_record

TARGET_VS_TRAFILATURA = 8.0  # ours at least this many times faster (issue 14)
TARGET_FLOOR_RATIO = 3.0  # the parsing floor at most this many times faster than ours
PROFILE_PASSES = 5
PROFILE_TOP = 15


def ours_full(page: FixturePage) -> object:
    return build_record(page.body, page.url, page.now, encoding=page.encoding)


def ours_extract(page: FixturePage) -> object:
    return extract_article(page.html, page.url, page.now)


def trafilatura_with_metadata(page: FixturePage) -> object:
    from trafilatura import bare_extraction

    return bare_extraction(page.html, url=page.url, with_metadata=True)


def parsing_floor(page: FixturePage) -> object:
    root = lxml.html.fromstring(page.html)
    for _ in root.itertext():
        pass
    return root


def contenders() -> dict[str, Callable[[FixturePage], object]]:
    found: dict[str, Callable[[FixturePage], object]] = {
        "ours: build_record (bytes)": ours_full,
        "ours: extract_article alone": ours_extract,
        "floor: lxml parse + itertext": parsing_floor,
    }
    others = available()
    if "trafilatura" in others:
        found["trafilatura (with metadata)"] = trafilatura_with_metadata
    # Readability and newspaper4k are timed for context; the targets name only trafilatura.
    for name in ("readability", "newspaper4k"):
        if name in others:
            found[name] = others[name]
    return found


def print_rates(rates: dict[str, float]) -> None:
    for name, rate in rates.items():
        print(f"  {name:32} {rate:9.1f} pages/s")


def ratios(rates: dict[str, float]) -> dict[str, float | None]:
    ours = rates["ours: build_record (bytes)"]
    trafilatura = rates.get("trafilatura (with metadata)")
    return {
        "ours_over_trafilatura": round(ours / trafilatura, 2) if trafilatura else None,
        "floor_over_ours": round(rates["floor: lxml parse + itertext"] / ours, 2),
    }


def print_ratios(found: dict[str, float | None]) -> bool:
    """Print each ratio against its target; True when every target is met."""
    vs_trafilatura, floor = found["ours_over_trafilatura"], found["floor_over_ours"]
    met = floor is not None and floor <= TARGET_FLOOR_RATIO
    if vs_trafilatura is not None:
        met &= vs_trafilatura >= TARGET_VS_TRAFILATURA
        ok = "met" if vs_trafilatura >= TARGET_VS_TRAFILATURA else "MISSED"
        print(f"  ours / trafilatura = {vs_trafilatura:.2f}x "
              f"(target >= {TARGET_VS_TRAFILATURA:g}x: {ok})")
    ok = "met" if floor is not None and floor <= TARGET_FLOOR_RATIO else "MISSED"
    print(f"  floor / ours = {floor:.2f}x (target <= {TARGET_FLOOR_RATIO:g}x: {ok})")
    return met


@contextmanager
def counting_fuzzy_calls() -> Iterator[list[str]]:
    """Count dateparser fallbacks: every module holding `parse_fuzzy` gets a counting wrapper."""
    original, calls = dates.parse_fuzzy, []

    def counted(text: str) -> Any:
        calls.append(text)
        return original(text)

    holders = [m for m in list(sys.modules.values())
               if getattr(m, "__name__", "").startswith("smmnews")
               and getattr(m, "parse_fuzzy", None) is original]
    for module in holders:
        module.parse_fuzzy = counted  # type: ignore[attr-defined]
    try:
        yield calls
    finally:
        for module in holders:
            module.parse_fuzzy = original  # type: ignore[attr-defined]


def shown_dates(pages: tuple[FixturePage, ...]) -> list[str]:
    records = [build_record(p.body, p.url, p.now, encoding=p.encoding) for p in pages]
    return [r.published_raw for r in records if isinstance(r, Article) and r.published_raw]


def dateparser_figures(pages: tuple[FixturePage, ...]) -> dict[str, Any]:
    import dateparser

    raws = shown_dates(pages)
    start = time.perf_counter()
    dateparser.parse(raws[0])
    first_call = time.perf_counter() - start
    ours_each = per_call_seconds(dates.parse_header_date, raws)
    theirs_each = per_call_seconds(dateparser.parse, raws)
    with counting_fuzzy_calls() as calls:
        for page in pages:
            build_record(page.body, page.url, page.now, encoding=page.encoding)
    return {"header_dates": len(raws),
            "parsed_by_ours": sum(dates.parse_header_date(r) is not None for r in raws),
            "ours_us_per_call": round(ours_each * 1e6, 2),
            "dateparser_us_per_call": round(theirs_each * 1e6, 2),
            "dateparser_first_call_ms": round(first_call * 1e3, 1),
            "dateparser_calls_while_extracting_corpus": len(calls),
            "dateparser_inputs": calls}


def print_dateparser(figures: dict[str, Any], n_pages: int) -> None:
    ours, theirs = figures["ours_us_per_call"], figures["dateparser_us_per_call"]
    print(f"header dates ({figures['header_dates']} shown on the fixture pages, "
          f"{figures['parsed_by_ours']} parsed by the fixed-format parser):")
    print(f"  parse_header_date {ours:9.1f} us/call")
    print(f"  dateparser.parse  {theirs:9.1f} us/call ({theirs / ours:.0f}x slower; first call "
          f"{figures['dateparser_first_call_ms']} ms)")
    print(f"  dateparser calls while extracting all {n_pages} pages: "
          f"{figures['dateparser_calls_while_extracting_corpus']}")


def profile_ours(pages: tuple[FixturePage, ...]) -> list[dict[str, Any]]:
    """Where our time goes: the top functions by cumulative time over a few corpus passes."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_PASSES):
        for page in pages:
            ours_full(page)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(PROFILE_TOP)
    # Self time too: cumulative shows the call path, self time the functions worth rewriting.
    stats.sort_stats("tottime").print_stats(PROFILE_TOP)
    print("profile of ours (targets missed):")
    print(out.getvalue())
    return profile_rows(stats, PROFILE_TOP)


def speed_over(pages: tuple[FixturePage, ...], corpus: str,
               core: int | None) -> tuple[dict[str, Any], bool]:
    """Rates and ratios over one corpus; True when every target is met on it."""
    pinned = f"pinned to core {core}" if core is not None else "NOT pinned (no sched_setaffinity)"
    print(f"speed over {len(pages)} {corpus}, {pinned}, "
          "best of 3 interleaved rounds of >= 1 s:")
    rates = best_rates(contenders(), pages)
    print_rates(rates)
    found = ratios(rates)
    met = print_ratios(found)
    return {"pages": len(pages), "pages_per_second": {k: round(v, 1) for k, v in rates.items()},
            **found, "targets_met": met}, met


def main() -> dict[str, Any]:
    pages = fixture_pages()
    with one_core() as core:
        fixtures, met_fixtures = speed_over(pages, "fixture pages", core)
        renderings, met_renderings = speed_over(
            rendered_pages(), "renderings (smmnews/mirror/render.py)", core)
        met = met_fixtures and met_renderings
        parsing = dateparser_figures(pages)
        print_dateparser(parsing, len(pages))
        profile = [] if met else profile_ours(pages)
    return {"pinned_core": core, **fixtures, "renderings": renderings, "targets_met": met,
            "dates": parsing, "profile_top": profile}


if __name__ == "__main__":
    main()

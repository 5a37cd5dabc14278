"""Invented metals news: titles, summaries, body paragraphs and URL slugs from a seeded rng.

Wording and numbers are made up; the shapes (bracket tags, datelines, slug quirks) follow
docs/site.md ("URL forms", "Dates", "Boilerplate").
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

# key -> (display name, product). Copper and aluminium are weighted up so that the
# per-metal listings (/en/copper, /en/aluminium) stay recent.
METALS: dict[str, tuple[str, str]] = {
    "copper": ("Copper", "Copper Cathode"),
    "aluminium": ("Aluminium", "Aluminium Ingot"),
    "nickel": ("Nickel", "Refined Nickel"),
    "zinc": ("Zinc", "Zinc Ingot"),
    "lithium": ("Lithium", "Lithium Carbonate"),
    "cobalt": ("Cobalt", "Refined Cobalt"),
    "lead": ("Lead", "Refined Lead"),
}
_METAL_WEIGHTS = (3, 3, 2, 1, 1, 1, 1)

_TITLES = (
    "SMM Morning Comment For SHFE Base Metals ({month} {day})",
    "[SMM Analysis] {Product} Inventories Fell {n} mt This Week",
    "{Metal} Prices Rose {pct}% as Downstream Restocking Picked Up [SMM {Metal} Morning Comment]",
    "【SMM Analysis】{Metal} Supply Tightens as Smelters Cut Output by {n} mt",
    "[SMM Daily Review] {month} {day}: {Product} Spot Premiums Held Steady Amid Thin Trading",
    "SMM Survey: {Metal} Operating Rates Edged Up to {rate}% in {month}",
    "{Product} Social Inventory as of {month} {day}",
    "[SMM Analysis] {Metal} Imports Surged {pct}% YoY, Could Domestic Premiums Weaken Further?",
    "{Metal} Futures Plummet {pct}%, Buyers Stay on the Sidelines [SMM {Metal} Midday Review]",
    "[SMM {Metal} Weekly Review] {Product} Prices Edge Lower as Inventories Build to {n} mt",
    "{Product} Premiums Widen to {a} yuan/mt as Arrivals Slow [SMM Shanghai Spot {Metal}]",
    "SMM Analysis: What Is Behind the {pct}% Jump in {Product} Processing Fees?",
    "[SMM Analysis] {Metal} Smelters Raise Output in {month}, Supply Pressure Mounts",
    "Overseas {Product} Market Quiet as Buyers Await Q2 Premium Settlement [SMM Analysis]",
)
_DATELINES = (
    "SHANGHAI, {mon} {day} (SMM) - ",
    "SMM News on {month} {day}: ",
    "SMM {month} {day} News: ",
    "",
)
_SUMMARIES = (
    "{Product} spot prices against the SHFE {metal} {contract} contract were quoted at a premium "
    "of {a}-{b} yuan/mt, with traders reporting thin transactions as downstream buyers waited.",
    "The social inventory of {product} across China's major markets stood at {n} mt, down {k} mt "
    "from the previous week as arrivals slowed and consumption recovered.",
    "The most-traded SHFE {metal} {contract} contract opened at {price} yuan/mt and closed "
    "{pct}% higher, supported by macro sentiment and firm spot premiums.",
)
_SENTENCES = (
    "Intraday, holders raised their offers to premiums of {a}-{b} yuan/mt, but downstream buyers "
    "only purchased for immediate needs.",
    "Demand side, orders at downstream processors edged up {pct}% week on week, while finished "
    "product inventories stayed at {n} mt.",
    "Supply side, smelters kept operating rates near {rate}%, and maintenance at two plants cut "
    "output by about {k} mt this month.",
    "Overnight, LME {metal} opened at ${price}/mt, hovered at highs in the Asian session and "
    "closed up {pct}%.",
    "Inventory, warehouse stocks in Shanghai, Guangdong and Wuxi totalled {n} mt, a change of "
    "{k} mt from Monday.",
    "Cost side, raw material prices rose again, squeezing processing fees to {a} yuan/mt and "
    "leaving most producers at a loss.",
    "Market participants said imports arriving in the second half of the month would ease the "
    "tight supply of {product}.",
    "Looking ahead, SMM expects {metal} prices to fluctuate between {price} yuan/mt and "
    "{price_high} yuan/mt as the market digests the latest data.",
    "Trading in the {contract} contract was active, with open interest rising by {k} lots to "
    "{n} lots by the close.",
    "Some traders cut prices to {price} yuan/mt to secure sales, which weighed on premiums for "
    "the rest of the session.",
    "According to the SMM survey, the operating rate of {product} producers reached {rate}% in "
    "{month}, up {pct} percentage points from a month earlier.",
    "Export orders remained weak, and several processors in Jiangsu said they would cut "
    "production by about {k} mt if prices stayed above {price} yuan/mt.",
    "On the macro front, a softer US dollar and expectations of supportive domestic policies "
    "lifted market sentiment across the base metals complex.",
    "Spot discounts against the front-month contract widened to {a} yuan/mt in the afternoon as "
    "holders were eager to sell before the month-end delivery.",
    "Social inventory of {product} fell by {k} mt to {n} mt, the {count} consecutive weekly "
    "decline, as downstream restocking picked up.",
    "Import arbitrage losses narrowed to about {a} yuan/mt, and some traders said bonded stocks "
    "could start flowing into the domestic market next week.",
)
_SENTENCES_PER_BODY = (10, 13)


@dataclass(frozen=True)
class Article:
    """One invented article; `paragraphs` is the body with the summary repeated first."""

    id: int
    path: str
    layout: str
    published: datetime
    metal: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    source_line: bool
    summary_in_lists: bool


def invent_article(article_id: int, rng: random.Random, published: datetime) -> Article:
    """Draw one article from `rng`: the same rng state always gives the same article."""
    layout = rng.choice(("L1", "L2"))
    form = rng.choices("ABCDE", weights=(35, 15, 15, 20, 15))[0]
    metal = rng.choices(tuple(METALS), weights=_METAL_WEIGHTS)[0]
    words = _words(metal, published)
    title = _fill(rng.choice(_TITLES), rng, words)
    dateline = _fill(rng.choice(_DATELINES), rng, words)
    summary = dateline + _fill(rng.choice(_SUMMARIES), rng, words)
    return Article(
        id=article_id,
        path=article_path(article_id, title, form, rng),
        layout=layout,
        published=published,
        metal=metal,
        title=title,
        summary=summary,
        paragraphs=(summary, *_body(rng, words)),
        source_line=rng.random() < 0.85,
        summary_in_lists=rng.random() < 0.75,
    )


def _body(rng: random.Random, words: dict[str, str]) -> list[str]:
    count = rng.randint(3, 8) - 1
    chosen = rng.sample(_SENTENCES, max(count, rng.randint(*_SENTENCES_PER_BODY)))
    sentences = [_fill(template, rng, words) for template in chosen]
    size, extra = divmod(len(sentences), count)
    paragraphs, start = [], 0
    for index in range(count):
        end = start + size + (index < extra)
        paragraphs.append(" ".join(sentences[start:end]))
        start = end
    return paragraphs


def _fill(template: str, rng: random.Random, words: dict[str, str]) -> str:
    return template.format_map(_Fields(rng, words))


def _words(metal: str, published: datetime) -> dict[str, str]:
    """The template fields fixed for one article: metal names and publication date."""
    name, product = METALS[metal]
    return {
        "Metal": name,
        "metal": name.lower(),
        "Product": product,
        "product": product.lower(),
        "month": f"{published:%B}",
        "mon": f"{published:%b}",
        "day": str(published.day),
        "contract": f"{published:%y}{(published.month % 12) + 1:02d}",
    }


class _Fields(dict[str, str]):
    """Template fields; numbers are drawn from the rng only when a template asks for them."""

    def __init__(self, rng: random.Random, words: dict[str, str]) -> None:
        super().__init__(words)
        self._rng = rng

    def __missing__(self, key: str) -> str:
        if key in _RANGE_TOPS:
            bottom, low, high, step = _RANGE_TOPS[key]
            start = int(self[bottom].replace(",", ""))
            value = f"{start + self._rng.randint(low, high) * step:,}"
        else:
            value = _NUMBERS[key](self._rng)
        self[key] = value
        return value


_NUMBERS: dict[str, Callable[[random.Random], str]] = {
    "n": lambda rng: f"{rng.randint(20, 900) * 100:,}",
    "k": lambda rng: f"{rng.randint(5, 400) * 10:,}",
    "pct": lambda rng: f"{rng.uniform(0.2, 9.9):.2f}",
    "rate": lambda rng: f"{rng.uniform(55, 92):.1f}",
    "price": lambda rng: f"{rng.randint(900, 10000) * 10:,}",
    "a": lambda rng: str(rng.randint(20, 300)),
    "count": lambda rng: rng.choice(("second", "third", "fourth", "fifth")),
}
# Upper ends of ranges ("{a}-{b} yuan/mt"): field -> (lower end, low, high, step).
_RANGE_TOPS = {"b": ("a", 20, 200, 1), "price_high": ("price", 5, 200, 10)}


def slug_cased(title: str) -> str:
    """Slug of form A: words joined by `-`, case and brackets kept, `( ) % / ? # &` dropped."""
    return re.sub(r"-{2,}", "-", re.sub(r"[()%/?#&\"]", "", title).replace(" ", "-")).strip("-")


def slug_lower(title: str) -> str:
    """Slug of form B: lowercase ASCII words, brackets and punctuation dropped."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def article_path(article_id: int, title: str, form: str, rng: random.Random) -> str:
    """The article's URL path in one of the real forms A-E (docs/site.md, "URL forms")."""
    cased = slug_cased(title)
    if rng.random() < 0.3:  # both raw and %5B-encoded brackets are linked on the real site
        cased = cased.replace("[", "%5B").replace("]", "%5D")
    if rng.random() < 0.5:
        cased = cased.replace("【", "%E3%80%90").replace("】", "%E3%80%91")
    slash = "/" if rng.random() < 0.1 else ""  # form A' (old pages)
    # 2026 forms D and E cut the slug at about 100 characters, sometimes mid-word.
    paths = {
        "A": f"/newscontent/{article_id}/{cased}{slash}",
        "B": f"/newscontent/{article_id}/{slug_lower(title)}",
        "C": f"/newscontent/{article_id}",
        "D": f"/newscontent/{article_id}-{cased[:100]}",
        "E": f"/en/newscontent/{article_id}-{slug_lower(title)[:100]}",
    }
    return paths[form]

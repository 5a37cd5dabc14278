"""A news.metal.com stand-in of any size whose pages are built from the article id on request.

Nothing is stored per article but its id: each page is drawn from
`random.Random(seed * 1_000_003 + id)`, so the same arguments always serve the same bytes.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from smmnews.mirror import sitemaps
from smmnews.mirror.content import METALS, Article, invent_article
from smmnews.mirror.faults import check_fault
from smmnews.mirror.site import TEXT, XML, Fault, Page, error_page, route_key
from smmnews.mirror.templates import (
    Teaser,
    render_article_l1,
    render_article_l2,
    render_listing,
    render_listing_2024,
    render_login,
)

DEFAULT_NOW = datetime(2026, 3, 20, 12, 0, tzinfo=timezone(timedelta(hours=8)))
SPACING = timedelta(minutes=20)
MISSING_ONE_IN = 15  # ids interleave with the Chinese site's, so some ids are not English news
LISTING_SIZE = 20
RELATED_SIZE = 3
RELATED_POOL = 40  # related news are drawn from the newest articles, as on the real site
SITEMAP_CHUNK = 1000
LISTINGS = ("/", "/en/copper", "/en/aluminium", "/list/industry/aluminium")
_ARTICLE = re.compile(r"/(?:en/)?newscontent/(\d+)(?:[-/_].*)?", re.S)
_NEWS_SITEMAP = re.compile(r"/sitemap/sitemap-news-(\d+)\.xml")


@dataclass(frozen=True)
class _Entry:
    article: Article
    related: tuple[int, ...]


class GeneratedSite:
    """`n_articles` invented articles with ids from `start_id` up, about 1 in 15 ids missing.

    `revisions={id: k}` adds an "Update k: ..." paragraph to that article's body. `faults` maps
    a path to a fault (see faults.py); a fault on an article path applies to every URL form of
    that article id.
    """

    def __init__(
        self,
        n_articles: int,
        start_id: int = 103800000,
        seed: int = 1,
        now: datetime | None = None,
        revisions: dict[int, int] | None = None,
        faults: dict[str, Fault] | None = None,
    ) -> None:
        if n_articles < 1:
            raise ValueError("n_articles must be at least 1")
        self.seed = seed
        self.now = now or DEFAULT_NOW
        self.revisions = dict(revisions or {})
        self._ids = _existing_ids(n_articles, start_id, seed)
        self._path_faults: dict[str, Fault] = {}
        self._id_faults: dict[int, Fault] = {}
        for path, fault in (faults or {}).items():
            key, checked = route_key(path), check_fault(fault) or {}
            if match := _ARTICLE.fullmatch(key):
                self._id_faults[int(match[1])] = checked
            else:
                self._path_faults[key] = checked
        self._entry = lru_cache(maxsize=1024)(self._invent)
        self._fixed: dict[str, Callable[[str], Page]] = {
            "/": lambda base: self._listing("News", None),
            "/en/copper": lambda base: self._listing("Copper", "copper"),
            "/en/aluminium": lambda base: self._listing("Aluminium", "aluminium"),
            "/list/industry/aluminium": lambda base: self._listing_2024(),
            "/en/login": lambda base: Page(body=render_login()),
            "/robots.txt": lambda base: Page(body=sitemaps.robots_txt(base), content_type=TEXT),
            "/sitemap.xml": self._sitemap_index,
            "/sitemap/sitemap-list.xml": self._sitemap_list,
        }

    def article_ids(self) -> list[int]:
        return list(self._ids)

    def id_range(self) -> tuple[int, int]:
        """Lowest and highest existing article id (inclusive)."""
        return self._ids[0], self._ids[-1]

    def exists(self, article_id: int) -> bool:
        index = bisect_left(self._ids, article_id)
        return index < len(self._ids) and self._ids[index] == article_id

    def article(self, article_id: int) -> Article:
        return self._entry(article_id).article

    def article_url(self, article_id: int) -> str:
        """The path the site links this article under (one of forms A-E)."""
        return self.article(article_id).path

    def article_page(self, article_id: int, related: list[int] | None = None) -> bytes:
        """The article's HTML; `related` overrides the ids its related-news block links."""
        entry = self._entry(article_id)
        teasers = [self.teaser(other, True) for other in related or entry.related]
        if entry.article.layout == "L2":
            return render_article_l2(entry.article, teasers, self.now)
        return render_article_l1(entry.article, teasers, self.now, self.seed)

    def teaser(self, article_id: int, with_summary: bool) -> Teaser:
        article = self.article(article_id)
        summary = article.summary if with_summary or article.summary_in_lists else None
        return Teaser(article.title, article.path, summary, article.published)

    def page(self, key: str, base: str) -> Page:
        page = self._route(key, base)
        fault = self._path_faults.get(key)
        if fault is None and (match := _ARTICLE.fullmatch(key)):
            fault = self._id_faults.get(int(match[1]))
        return replace(page, fault=fault) if fault else page

    def _route(self, key: str, base: str) -> Page:
        if key in self._fixed:
            return self._fixed[key](base)
        if match := _ARTICLE.fullmatch(key):
            article_id = int(match[1])
            if self.exists(article_id):
                return Page(body=self.article_page(article_id))
        if (match := _NEWS_SITEMAP.fullmatch(key)) and 1 <= int(match[1]) <= self._chunks():
            return self._sitemap_news(int(match[1]), base)
        return error_page(404)

    def _invent(self, article_id: int) -> _Entry:
        if not self.exists(article_id):
            raise KeyError(f"no article {article_id}")
        rng = random.Random(self.seed * 1_000_003 + article_id)
        rank = len(self._ids) - 1 - bisect_left(self._ids, article_id)
        published = self.now - rank * SPACING - timedelta(minutes=rng.randint(2, 9))
        article = invent_article(article_id, rng, published.replace(second=0, microsecond=0))
        pool = [other for other in self._ids[-RELATED_POOL - 1 :] if other != article_id]
        related = tuple(rng.sample(pool[-RELATED_POOL:], min(RELATED_SIZE, len(pool))))
        if article_id in self.revisions:
            update = _update(article, self.revisions[article_id])
            article = replace(article, paragraphs=(*article.paragraphs, update))
        return _Entry(article, related)

    def _newest(self, metal: str | None) -> list[Teaser]:
        teasers = []
        for article_id in reversed(self._ids):
            if metal is None or self.article(article_id).metal == metal:
                teasers.append(self.teaser(article_id, False))
                if len(teasers) == LISTING_SIZE:
                    break
        return teasers

    def _listing(self, heading: str, metal: str | None) -> Page:
        return Page(body=render_listing(heading, self._newest(metal), self.now, self.seed))

    def _listing_2024(self) -> Page:
        return Page(body=render_listing_2024("Aluminium Industry News", self._newest("aluminium")))

    def _chunks(self) -> int:
        return -(-len(self._ids) // SITEMAP_CHUNK)

    def _sitemap_index(self, base: str) -> Page:
        locations = [f"{base}/sitemap/sitemap-news-{k}.xml" for k in range(1, self._chunks() + 1)]
        body = sitemaps.sitemap_index([*locations, f"{base}/sitemap/sitemap-list.xml"])
        return Page(body=body, content_type=XML)

    def _sitemap_news(self, chunk: int, base: str) -> Page:
        ids = self._ids[(chunk - 1) * SITEMAP_CHUNK : chunk * SITEMAP_CHUNK]
        entries = [(sitemaps.absolute(base, self.article(i).path), self._lastmod(i)) for i in ids]
        return Page(body=sitemaps.urlset(entries), content_type=XML)

    def _lastmod(self, article_id: int) -> datetime:
        # A revised article was edited "now" (the real clock): a crawler that fetched it
        # before sees a newer lastmod, as it would on the live site.
        published = self.article(article_id).published
        if article_id in self.revisions:
            return max(published, datetime.now(published.tzinfo))
        return published

    def _sitemap_list(self, base: str) -> Page:
        entries = [(sitemaps.absolute(base, path), None) for path in LISTINGS]
        return Page(body=sitemaps.urlset(entries), content_type=XML)


def _existing_ids(n_articles: int, start_id: int, seed: int) -> list[int]:
    ids: list[int] = []
    candidate = start_id
    while len(ids) < n_articles:
        if random.Random(f"missing:{seed}:{candidate}").randrange(MISSING_ONE_IN):
            ids.append(candidate)
        candidate += 1
    return ids


def _update(article: Article, revision: int) -> str:
    product = METALS[article.metal][1].lower()
    return (
        f"Update {revision}: after further market checks, SMM revised its assessment of "
        f"{product} spot premiums by {revision * 10} yuan/mt."
    )

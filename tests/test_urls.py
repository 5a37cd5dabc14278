from __future__ import annotations

import pytest

from smmnews.extract.urls import absolute_url, article_id_from_url, canonical_url

# Every URL form of docs/site.md, "URL forms", with the id it must give.
URL_FORMS = [
    ("https://news.metal.com/newscontent/103514550/Concentrated-arrivals-of-imported-copper-"
     "[SMM-Shanghai-spot-copper]", "103514550"),
    ("https://news.metal.com/newscontent/100748553/profit-expands-further-at-aluminum-smelters-"
     "in-china-smm-says/", "100748553"),
    ("https://news.metal.com/newscontent/103209991/smm-analysis-drc-bans-cobalt-ore-exports", "103209991"),
    ("https://news.metal.com/newscontent/103549915", "103549915"),
    ("https://news.metal.com/newscontent/103758189-2026-Copper-Bar-Enterprise-[SMM-Analysis]", "103758189"),
    ("https://news.metal.com/en/newscontent/103784606-SMM-Nickel-Sulphate-Daily-Review-Ni", "103784606"),
    ("https://news.metal.com/en/newscontent/103726597", "103726597"),
    ("https://www.metal.com/en/newscontent/103435316", "103435316"),
    ("https://metal.com/en/newscontent/103207441", "103207441"),
    ("http://www.metal.com/newscontent/81737_silver-going-on-3rd-consecutive-annual-shortfall", "81737"),
    ("https://news.metal.com/newscontent/580850/chinese-spot-aluminum-prices-may-fall", "580850"),
    ("https://news.metal.com/newscontent/103388461/%5bSMM-Rare-Earth-Morning-Meeting-Summary%5d-x", "103388461"),
    ("https://news.metal.com/newscontent/103685688/%E3%80%90SMM-Nickel-Sulphate-Daily-Review%E3%80%91December-23", "103685688"),
    ("https://news.metal.com/newscontent/103686533/【SMM-Analysis】250M-Ton-RKAB-Quota-Gamble", "103686533"),
    ("https://news.metal.com/newscontent/102484694/announcement%C2%A0on%C2%A0the%C2%A0adjustment", "102484694"),
    ("https://news.metal.com/newscontent/100835392/smm-morning-comments-%2528sep-4%2529/", "100835392"),
    ("http://127.0.0.1:8080/newscontent/103815400/Some-Slug", "103815400"),
    ("/en/newscontent/104143124-smm-flash-newsmasivo-intersects-3250-metres", "104143124"),
]
NOT_ARTICLES = [
    "https://news.metal.com/",
    "https://news.metal.com/en/copper",
    "https://news.metal.com/list/industry/aluminium",
    "https://www.metal.com/en/live/all",
    "https://news.metal.com/newscontent/1234/too-short-to-be-an-id",
    "https://news.metal.com/newscontentx/103815400",
    "https://news.metal.com/newscontent/103815400abc",
]


@pytest.mark.parametrize(("url", "article_id"), URL_FORMS)
def test_article_id_of_every_url_form(url: str, article_id: str) -> None:
    assert article_id_from_url(url) == article_id


@pytest.mark.parametrize("url", NOT_ARTICLES)
def test_other_pages_have_no_article_id(url: str) -> None:
    assert article_id_from_url(url) is None


def test_canonical_url_is_the_id_form() -> None:
    assert canonical_url("103815400") == "https://news.metal.com/newscontent/103815400"


@pytest.mark.parametrize(
    ("href", "expected"),
    [("/newscontent/1", "https://news.metal.com/newscontent/1"), ("javascript:void(0)", None),
     ("mailto:a@b.cn", None), ("", None), ("#top", None), ("http://[oops/x", None)],
)
def test_absolute_url(href: str, expected: str | None) -> None:
    assert absolute_url("https://news.metal.com/en/copper", href) == expected


def test_relative_related_link_resolves_to_an_article() -> None:
    from smmnews.extract.blocks import Block
    from smmnews.extract.related import article_link

    block = Block(text="Other headline", kind="p", link_chars=14, hrefs=("103800021/Slug",))
    assert article_link(block, "http://127.0.0.1:8000/newscontent/103800023") == (
        "http://127.0.0.1:8000/newscontent/103800021/Slug")

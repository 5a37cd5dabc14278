"""The offline mirror over real HTTP: routing, faults, sitemaps and the sample site."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from w3lib.url import safe_url_string

from smmnews.mirror import GeneratedSite, MirrorServer, StaticSite, route_key
from smmnews.mirror.faults import TRUNCATED_FRACTION
from smmnews.mirror.site import Fault
from tests.conftest import SAMPLE_SITE

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = SAMPLE_SITE
N_ARTICLES = 80
IDS = GeneratedSite(N_ARTICLES).article_ids()
# One fault per article of the generated site: name -> (article id, fault).
FAULTS: dict[str, tuple[int, Fault]] = {
    "not_found": (IDS[0], {"kind": "status", "status": 404}),
    "gone": (IDS[1], {"kind": "status", "status": 410}),
    "error": (IDS[2], {"kind": "status", "status": 500}),
    "flaky": (IDS[3], {"kind": "flaky", "status": 503, "times": 2}),
    "slow": (IDS[4], {"kind": "slow", "seconds": 10}),
    "reset": (IDS[5], {"kind": "reset"}),
    "truncated": (IDS[6], {"kind": "truncated"}),
    "redirect": (IDS[7], {"kind": "redirect", "to": f"/en/login?redirect=%2F{IDS[7]}"}),
    "binary": (IDS[8], {"kind": "binary"}),
    "huge": (IDS[9], {"kind": "huge", "mb": 3}),
    "garbage": (IDS[10], {"kind": "garbage_encoding"}),
}
HREF = re.compile(rb'href="([^"]*)"')


def fault_url(server: MirrorServer, name: str) -> str:
    return f"{server.url}newscontent/{FAULTS[name][0]}"


@pytest.fixture(scope="module")
def generated() -> Iterator[MirrorServer]:
    faults = {f"/newscontent/{article_id}": fault for article_id, fault in FAULTS.values()}
    with MirrorServer(GeneratedSite(N_ARTICLES, faults=faults)) as server:
        yield server


@pytest.fixture(scope="module")
def static() -> Iterator[MirrorServer]:
    with MirrorServer(StaticSite(SITE_DIR)) as server:
        yield server


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SITE_DIR / "expected.json").read_text(encoding="utf-8"))


def get(url: str, timeout: float = 5) -> tuple[int, Message, bytes]:
    """Status, headers and body of a GET, error statuses included; redirects followed."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def raw_get(server: MirrorServer, path: str) -> tuple[http.client.HTTPResponse, bytes]:
    """One GET of `path` sent as is (no redirects); the body may be cut short."""
    host = urlsplit(server.url)
    connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        try:
            body = response.read()
        except http.client.IncompleteRead as short:
            body = short.partial
        return response, body
    finally:
        connection.close()


def as_scrapy_sends(url: str) -> str:
    return safe_url_string(url)


# --- path normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/", "/"),
        ("/en/copper/", "/en/copper"),
        ("/newscontent/1/%5BSMM-Analysis%5D-X", "/newscontent/1/[SMM-Analysis]-X"),
        ("/newscontent/1/%E3%80%90SMM%E3%80%91", "/newscontent/1/【SMM】"),
        ("/newscontent/1/a%C2%A0b", "/newscontent/1/a\u00a0b"),
        ("/newscontent/1/smm-%2528sep-4%2529/", "/newscontent/1/smm-(sep-4)"),
        ("/newscontent/1/100%25", "/newscontent/1/100%"),
    ],
)
def test_route_key(path: str, key: str) -> None:
    assert route_key(path) == key


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_route_key_ignores_percent_encoding(text: str) -> None:
    path = "/" + text
    assert route_key(route_key(path)) == route_key(path)
    if "%" not in text:
        assert route_key(quote(path)) == route_key(path)


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "status"), [("not_found", 404), ("gone", 410), ("error", 500)])
def test_status_fault_always_answers_its_status(
    generated: MirrorServer, name: str, status: int
) -> None:
    for _ in range(3):
        code, headers, body = get(fault_url(generated, name))
        assert code == status
        assert headers.get_content_type() == "text/html"
        assert str(status).encode() in body


def test_flaky_fault_fails_times_then_serves_the_page(generated: MirrorServer) -> None:
    codes = [get(fault_url(generated, "flaky"))[0] for _ in range(4)]
    assert codes == [503, 503, 200, 200]


def test_slow_fault_outlasts_a_short_client_timeout(generated: MirrorServer) -> None:
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        get(fault_url(generated, "slow"), timeout=0.3)


def test_reset_fault_resets_the_connection(generated: MirrorServer) -> None:
    with pytest.raises(ConnectionResetError):
        raw_get(generated, f"/newscontent/{FAULTS['reset'][0]}")


def test_truncated_fault_sends_less_than_its_content_length(generated: MirrorServer) -> None:
    response, body = raw_get(generated, f"/newscontent/{FAULTS['truncated'][0]}")
    length = int(response.headers["Content-Length"])
    assert response.status == 200
    assert len(body) == int(length * TRUNCATED_FRACTION) < length


def test_redirect_fault_sends_to_the_login_page(generated: MirrorServer) -> None:
    article_id, fault = FAULTS["redirect"]
    response, _ = raw_get(generated, f"/newscontent/{article_id}/Any-Slug")
    assert response.status == 302
    assert response.headers["Location"] == urljoin(generated.url, fault["to"])
    status, _, body = get(fault_url(generated, "redirect"))
    assert status == 200
    assert b'type="password"' in body
    assert b"Published:" not in body


def test_binary_fault_serves_png_bytes(generated: MirrorServer) -> None:
    status, headers, body = get(fault_url(generated, "binary"))
    assert (status, headers["Content-Type"]) == (200, "image/png")
    assert body.startswith(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_huge_fault_serves_that_many_megabytes_of_html(generated: MirrorServer) -> None:
    status, headers, body = get(fault_url(generated, "huge"))
    assert status == 200
    assert int(headers["Content-Length"]) == len(body) == 3 * 1024 * 1024
    assert body.startswith(b"<!DOCTYPE html>")
    assert body.endswith(b"</html>\n")


def test_garbage_encoding_fault_is_mostly_readable_html(generated: MirrorServer) -> None:
    article_id = FAULTS["garbage"][0]
    _, headers, body = get(fault_url(generated, "garbage"))
    clean = GeneratedSite(N_ARTICLES).article_page(article_id)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("utf-8", errors="replace")
    title = GeneratedSite(N_ARTICLES).article(article_id).title
    assert f"<title>{title}" in text
    assert 0 < len(body) - len(clean) < len(clean) // 20


def test_a_fault_applies_to_every_url_form_of_its_article(generated: MirrorServer) -> None:
    article_id = FAULTS["gone"][0]
    for path in (f"en/newscontent/{article_id}", f"newscontent/{article_id}-Some-Slug/"):
        assert get(generated.url + path)[0] == 410


# --- the generated site ---------------------------------------------------------------------


def test_any_slug_under_an_id_serves_the_same_page(generated: MirrorServer) -> None:
    site = GeneratedSite(N_ARTICLES)
    article_id = IDS[-1]
    page = site.article_page(article_id)
    paths = [
        site.article_url(article_id),
        f"/newscontent/{article_id}",
        f"/newscontent/{article_id}/",
        f"/en/newscontent/{article_id}",
        f"/newscontent/{article_id}/Completely-Different-Slug",
        f"/newscontent/{article_id}-another-slug",
        f"/en/newscontent/{article_id}-[SMM-Analysis]-Trunc",
        f"/newscontent/{article_id}/【SMM-Analysis】X",
        f"/newscontent/{article_id}/announcement\u00a0on\u00a0prices",
        f"/newscontent/{article_id}/smm-morning-comments-%2528sep-4%2529/",
    ]
    for path in paths:
        status, _, body = get(as_scrapy_sends(generated.url.rstrip("/") + path))
        assert (status, body) == (200, page), path


def test_every_article_url_form_resolves(generated: MirrorServer) -> None:
    site = GeneratedSite(N_ARTICLES)
    faulty = {article_id for article_id, _ in FAULTS.values()}
    for article_id in IDS:
        path = site.article_url(article_id)
        if article_id not in faulty:
            status, _, body = get(as_scrapy_sends(generated.url.rstrip("/") + path))
            assert (status, body) == (200, site.article_page(article_id)), path


def test_missing_ids_are_404_and_about_one_in_fifteen() -> None:
    site = GeneratedSite(3000)
    low, high = site.id_range()
    missing = (high - low + 1) - len(site.article_ids())
    assert 3000 / 25 < missing < 3000 / 10
    absent = next(i for i in range(low, high) if not site.exists(i))
    assert site.page(f"/newscontent/{absent}", "http://h").status == 404
    assert site.page(f"/newscontent/{high + 1}", "http://h").status == 404


def test_published_times_decrease_with_the_id_and_end_at_now() -> None:
    site = GeneratedSite(300)
    times = [site.article(i).published for i in site.article_ids()]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    assert site.now - times[-1] < site.now - times[-2] <= site.now - times[0]
    assert 0 < (site.now - times[-1]).total_seconds() <= 10 * 60
    gaps = [(later - earlier).total_seconds() / 60 for earlier, later in pairwise(times)]
    assert min(gaps) >= 10
    assert max(gaps) <= 30


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    one, two, other = GeneratedSite(50), GeneratedSite(50), GeneratedSite(50, seed=2)
    assert one.article_ids() != other.article_ids()  # missing ids depend on the seed too
    for article_id in set(one.article_ids()[::7]) & set(other.article_ids()):
        assert one.article_page(article_id) == two.article_page(article_id)
        assert one.article_page(article_id) != other.article_page(article_id)
    for path in ("/", "/en/copper", "/list/industry/aluminium", "/sitemap/sitemap-news-1.xml"):
        assert one.page(path, "http://h").body == two.page(path, "http://h").body


def test_a_revision_changes_only_that_articles_body() -> None:
    article_id, neighbour = IDS[20], IDS[21]
    plain, revised = GeneratedSite(N_ARTICLES), GeneratedSite(N_ARTICLES, revisions={article_id: 2})
    before, after = plain.article_page(article_id), revised.article_page(article_id)
    assert b"Update 2: " in after
    assert b"Update" not in before
    assert plain.article(article_id).title == revised.article(article_id).title
    assert plain.article_page(neighbour) == revised.article_page(neighbour)


def test_both_article_designs_carry_their_markers() -> None:
    site = GeneratedSite(N_ARTICLES)
    pages = {site.article(i).layout: site.article_page(i).decode() for i in IDS}
    assert 'property="article:published_time"' in pages["L2"]
    assert "Published: <time" in pages["L2"]
    assert "SMM\u2018s internal database model" in pages["L2"]
    assert pages["L2"].count("Read More") == 3
    assert 'alt="icon">' in pages["L1"]
    assert "og:title" not in pages["L1"]
    assert "market exchanges, and relying on SMM's" in pages["L1"]
    assert "<p>&nbsp;</p>" in pages["L1"]
    assert "Related news" in pages["L1"]
    for page in pages.values():
        assert " - Shanghai Metals Market (SMM)</title>" in page


def test_listings_show_the_newest_items(generated: MirrorServer) -> None:
    site = GeneratedSite(N_ARTICLES)
    _, _, home = get(generated.url)
    assert b"Exclusive analysis article with latest market updates" in home
    linked = [int(m) for m in re.findall(rb'href="/(?:en/)?newscontent/(\d+)', home)]
    assert linked == IDS[::-1][:20]
    assert re.search(rb">\d+ mins ago<", home)
    assert re.search(rb">\d+ hours? ago<", home)
    _, _, copper = get(generated.url + "en/copper")
    copper_ids = [int(m) for m in re.findall(rb'href="/(?:en/)?newscontent/(\d+)', copper)]
    assert copper_ids
    assert all(site.article(i).metal == "copper" for i in copper_ids)
    _, _, old = get(generated.url + "list/industry/aluminium")
    assert b'class="title___1baLV"' in old
    assert re.search(rb'class="date___3dzkE">[A-Z][a-z]{2} \d\d, 2026 \d\d:\d\d<', old)


def test_robots_txt_names_the_sitemap_on_the_requests_host(generated: MirrorServer) -> None:
    _, headers, body = get(generated.url + "robots.txt")
    assert headers.get_content_type() == "text/plain"
    text = body.decode()
    assert "User-agent: *\nDisallow: /search\nDisallow: /api\n" in text
    assert f"Sitemap: {generated.url}sitemap.xml" in text


def test_sitemaps_list_every_article_exactly_once() -> None:
    site = GeneratedSite(2100)
    with MirrorServer(site) as server:
        _, _, index = get(server.url + "sitemap.xml")
        chunks = re.findall(rb"<loc>([^<]+)</loc>", index)
        assert chunks[-1].decode() == server.url + "sitemap/sitemap-list.xml"
        assert len(chunks) == 4
        locations: list[bytes] = []
        for chunk in chunks[:-1]:
            status, _, body = get(chunk.decode())
            assert status == 200
            locations += re.findall(rb"<loc>([^<]+)</loc>", body)
            assert body.count(b"<lastmod>") == body.count(b"<loc>")
            assert b"+08:00</lastmod>" in body
        ids = [int(re.search(rb"newscontent/(\d+)", loc)[1]) for loc in locations]  # type: ignore[index]
        assert sorted(ids) == site.article_ids()
        for location in locations[::300]:
            assert get(location.decode())[0] == 200


# --- the server -----------------------------------------------------------------------------


def test_hits_count_paths_as_received(generated: MirrorServer) -> None:
    path = f"/newscontent/{IDS[30]}/%5BSMM-Analysis%5D-Hits?utm=1"
    before = json.loads(get(generated.url + "__hits__")[2])
    for _ in range(2):
        get(generated.url.rstrip("/") + path)
    after = json.loads(get(generated.url + "__hits__")[2])
    counted = path.split("?")[0]
    assert after[counted] - before.get(counted, 0) == 2
    assert "/__hits__" not in after
    assert generated.hits[counted] == after[counted]


def test_head_answers_headers_only(generated: MirrorServer) -> None:
    request = urllib.request.Request(generated.url, method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert int(response.headers["Content-Length"]) > 1000
        assert response.read() == b""


def test_cli_prints_the_url_and_stops_on_sigterm() -> None:
    command = [sys.executable, "-m", "smmnews.mirror", "serve", "--generated", "30"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        try:
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
            assert get(url + "robots.txt")[0] == 200
        finally:
            process.terminate()
        assert process.wait(timeout=5) == 0


# --- the static sample site -----------------------------------------------------------------


def test_static_robots_and_sitemaps_get_the_base_url(static: MirrorServer) -> None:
    base = static.url.rstrip("/")
    _, _, robots = get(static.url + "robots.txt")
    assert f"Sitemap: {base}/sitemap.xml".encode() in robots
    assert b"Disallow: /newscontent/103800999\n" in robots
    for path in ("sitemap.xml", "sitemap/sitemap-news-1.xml", "sitemap/sitemap-list.xml"):
        status, headers, body = get(static.url + path)
        assert (status, headers.get_content_type()) == (200, "application/xml")
        assert b"{BASE}" not in body
        assert f"<loc>{base}/".encode() in body


def test_static_undeclared_path_is_404(static: MirrorServer) -> None:
    status, headers, body = get(static.url + "newscontent/103800013/anything")
    assert status == 404
    assert headers.get_content_type() == "text/html"
    assert b"404" in body
    assert get(static.url + "no/such/page")[0] == 404


def test_static_faults_are_declared_as_expected(expected: dict) -> None:
    site = StaticSite(SITE_DIR)
    for path, kind in expected["faults"].items():
        fault = site.routes[route_key(path)].fault
        assert fault is not None, path
        assert fault["kind"] == kind
    kinds = set(expected["faults"].values())
    assert kinds == {"status", "flaky", "slow", "reset", "truncated", "redirect", "binary"} | {
        "huge",
        "garbage_encoding",
    }


def test_static_good_ids_are_served(static: MirrorServer, expected: dict) -> None:
    assert expected["good_ids"] == sorted(set(expected["good_ids"]))
    assert len(expected["good_ids"]) >= 24
    good = set(expected["good_ids"])
    faulty = {re.search(r"/(\d{9})", path)[1] for path in expected["faults"]}  # type: ignore[index]
    for article_id in sorted(good - faulty):
        status, _, body = get(f"{static.url}newscontent/{article_id}")
        assert status == 200, article_id
        assert b"Data Source Statement" in body


def test_static_every_link_resolves(static: MirrorServer, expected: dict) -> None:
    site = StaticSite(SITE_DIR)
    pages = ["/", *expected["listings"], *expected["not_articles"]]
    pages += [f"/newscontent/{article_id}" for article_id in expected["good_ids"]]
    targets = set()
    for page in pages:
        _, _, body = get(static.url.rstrip("/") + page)
        for href in HREF.findall(body):
            target = as_scrapy_sends(urljoin(static.url.rstrip("/") + page, href.decode()))
            if target.startswith(static.url):
                key = route_key(urlsplit(target).path)
                assert key in site.routes, (page, href)
                if site.routes[key].fault is None:
                    targets.add(target)
    for target in targets:
        assert get(target)[0] == 200, target


@pytest.mark.parametrize(
    ("routes", "problem"),
    [
        ({"/a": {"file": "missing.html"}}, "missing file"),
        ({"/a": {"file": None, "fault": {"kind": "melt"}}}, "unknown fault kind"),
        ({"/a": {"file": None, "fault": {"kind": "redirect"}}}, "lacks to"),
        ({"/a/": {"file": None}, "/%61": {"file": None}}, "repeats route"),
    ],
)
def test_static_site_rejects_bad_routes(tmp_path: Path, routes: dict, problem: str) -> None:
    (tmp_path / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        StaticSite(tmp_path)


def test_static_discovery_paths(static: MirrorServer, expected: dict) -> None:
    listed = b"".join(get(static.url.rstrip("/") + path)[2] for path in expected["listings"])
    _, _, sitemap = get(static.url + "sitemap/sitemap-news-1.xml")
    assert b"103800020" in sitemap
    assert b"103800020" not in listed
    assert b"103800021" not in sitemap + listed
    _, _, host = get(static.url + "newscontent/103800023")
    assert b'href="103800021/' in host
    assert listed.count(b"/newscontent/103800011/") == 2
    for path in expected["robots_disallowed"]:
        assert path.encode() in listed
    for path in expected["faults"]:
        assert f'href="{path}"'.encode() in listed, path

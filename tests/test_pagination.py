"""Long lists of quotes go on over numbered pages: every quote once, in order, each page a good page."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, ROOT, run_build
from test_search import records as search_records
from site_checks import broken_links, note_problems, pages, uncited_statements, validator_problems

PER_PAGE = {"shipped": 4, "golden": 1}  # small enough that the lists of each go on over pages
TREES = {"shipped": ROOT / "content", "golden": FIXTURES / "golden" / "content"}


def build_tree(folder, name: str, per_page: int | None):
    """A content tree, with `per_page` set in its site.yml (None: the default)."""
    shutil.copytree(TREES[name], folder / "content")
    if per_page is not None:
        with open(folder / "content" / "site.yml", "a", encoding="utf-8") as site:
            site.write(f"per_page: {per_page}\n")
    result = run_build("--content", "content", "--out", "site", "--base-url", "https://example.org/s/", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """(whole, paged) for each tree: built with the default, and with a few quotes a page."""
    return {name: (build_tree(tmp_path_factory.mktemp("whole"), name, None),
                   build_tree(tmp_path_factory.mktemp("paged"), name, PER_PAGE[name])) for name in TREES}


def cards(soup) -> list[str]:
    """The quotes of the page's list: all a later page or the quotes list shows; the Quotes section of
    another first page (a topic shows other quotes under its positions)."""
    whole = {"kind-listing", "kind-quotes"} & set(soup.body["class"])
    section = soup.select_one("main") if whole else \
        soup.select_one('section[aria-labelledby="quotes-heading"]')
    return [] if section is None else [figure["data-quote"] for figure in section.select("figure.quote")]


def run_of_pages(site, first: str) -> list:
    """The pages of one list, followed from its first page by the Next links."""
    found, url = [], first
    while url is not None:
        soup = pages(site)[url + "index.html"]
        found.append(soup)
        following = soup.select_one('nav.pager a[rel="next"]')
        url = None if following is None else (site / url / following["href"]).resolve().relative_to(
            site.resolve()).as_posix() + "/"
    return found


@pytest.mark.parametrize("tree, first", [("shipped", "quotes/"), ("shipped", "actors/russia/"),
                                         ("shipped", "people/jens-stoltenberg/"), ("golden", "topics/water-share/")])
def test_a_list_over_several_pages_shows_every_quote_once_in_order(sites, tree, first):
    whole, paged = sites[tree]
    unsplit = cards(pages(whole)[first + "index.html"])
    run = run_of_pages(paged, first)
    assert len(unsplit) > PER_PAGE[tree], "the list is too short to test pagination"
    assert len(run) == -(-len(unsplit) // PER_PAGE[tree])
    assert [quote for soup in run for quote in cards(soup)] == unsplit
    assert all(len(cards(soup)) <= PER_PAGE[tree] for soup in run)
    assert not pages(whole)[first + "index.html"].select("nav.pager")  # one page needs no way through


def test_later_pages_say_what_list_they_continue_and_link_back(sites):
    _, paged = sites["shipped"]
    run = run_of_pages(paged, "actors/russia/")
    count = len(run)
    second = run[1]
    assert second.select_one("main h1").get_text() == f"Russia: quotes, page 2 of {count}"
    assert second.select_one("title").get_text().startswith(f"Russia: quotes, page 2 of {count} · ")
    back = second.select_one("main p.editorial a")
    assert back.get_text() == "Russia" and back["href"] == "../../../../actors/russia/"
    assert second.select_one('nav.pager a[rel="prev"]')["href"] == "../../../../actors/russia/"
    assert second.select_one('nav.pager [aria-current="page"]').get_text() == f"Page 2 of {count}"
    assert not second.select("#positions-heading")  # what the actor says stays on the first page
    assert run[0].select("#positions-heading")
    assert run[-1].select_one('nav.pager a[rel="next"]') is None
    assert pages(paged)["quotes/page/2/index.html"].select_one("main h1").get_text().startswith("Quotes, page 2 of ")


def test_later_pages_are_good_pages_in_the_sitemap_but_not_the_search(sites):
    _, paged = sites["shipped"]
    later = {name: soup for name, soup in pages(paged).items() if "/page/" in name}
    assert len(later) > 10
    problems = [p for name, soup in later.items()
                for p in note_problems(name, soup) + uncited_statements(name, soup)
                + broken_links(paged, name, soup, "/s/")]
    assert problems == []
    searched = {record["url"] for record in search_records(paged)}
    assert "/people/julianne-smith/" in searched
    assert not [url for url in searched if "/page/" in url]
    sitemap = (paged / "sitemap.xml").read_text()
    assert all(f"<loc>https://example.org/s/{name.removesuffix('index.html')}</loc>" in sitemap for name in later)


def test_later_pages_are_valid_html(sites):
    assert validator_problems(sites["shipped"][1]) == ""

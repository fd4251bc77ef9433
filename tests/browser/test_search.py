"""Search, under the sub-path: a quote by a distinctive word, a person by name, filters by side."""

from __future__ import annotations

from urllib.parse import urlsplit

from .browsing import MOUNT


def search(page, words: str):
    box = page.page.locator(".pagefind-ui__search-input")
    box.fill(words)
    page.page.locator(".pagefind-ui__result").first.wait_for()
    return page.page.locator(".pagefind-ui__result-link")


def test_search_finds_a_quote_by_a_distinctive_word(kinds, open_page):
    page = open_page()
    page.open("search/")
    links = search(page, "catastrophic")
    hrefs = [urlsplit(href).path for href in links.evaluate_all("links => links.map(a => a.href)")]
    assert f"{MOUNT}quotes/lavrov-2021-12-catastrophic/" in hrefs
    assert all(href.startswith(MOUNT) for href in hrefs)
    links.first.click()
    page.page.wait_for_url(f"**{MOUNT}**")
    assert page.page.locator("main h1").count() == 1
    assert page.problems == []


def test_search_finds_a_person_by_name(open_page):
    page = open_page()
    page.open("search/")
    links = search(page, "Ryabkov")
    assert links.first.inner_text() == "Sergei Ryabkov" or "Sergei Ryabkov" in links.all_inner_texts()
    hrefs = [urlsplit(href).path for href in links.evaluate_all("links => links.map(a => a.href)")]
    assert f"{MOUNT}people/sergei-ryabkov/" in hrefs
    assert page.problems == []


def test_search_filters_by_speaker_side_and_topic(open_page):
    page = open_page()
    page.open("search/?q=NATO")
    page.page.locator(".pagefind-ui__result").first.wait_for()
    for name in ("Kind", "Speaker", "Side", "Topic"):  # the filters load after the first results
        page.page.locator(".pagefind-ui__filter-name", has_text=name).wait_for()
    page.page.locator(".pagefind-ui__filter-name", has_text="Speaker").click()
    page.page.get_by_label("Dmitry Peskov").check()
    page.page.wait_for_function(
        "[...document.querySelectorAll('.pagefind-ui__result-link')].every(a => !a.href.includes('/people/sergei'))")
    titles = page.page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert titles and all("Lavrov" not in title for title in titles)
    assert page.problems == []

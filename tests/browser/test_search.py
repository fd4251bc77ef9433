"""Search, under the sub-path: a quote by a distinctive word, a person by name, filters by side."""

from __future__ import annotations

from urllib.parse import urlsplit

from .browsing import MOUNT


def search(page, words: str):
    box = page.page.locator(".pagefind-ui__search-input")
    box.fill(words)
    # Pagefind UI draws a placeholder for each result, then fills in its link once the result's
    # data has loaded: wait until every result shown has its link, not just for the first result.
    page.page.locator(".pagefind-ui__result-link").first.wait_for()
    page.page.wait_for_function(
        "() => { const results = document.querySelectorAll('.pagefind-ui__result');"
        " return results.length > 0 && [...results].every(r => r.querySelector('.pagefind-ui__result-link')); }")
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


def test_a_quote_is_found_on_its_own_page_not_on_the_pages_that_list_it(site, open_page):
    folder, _ = site
    listing = "people/julianne-smith/"  # her page shows the quote's card, word for word
    assert "footprint" in (folder / listing / "index.html").read_text(encoding="utf-8")
    page = open_page()
    page.open("search/")
    links = search(page, "footprint")
    hrefs = [urlsplit(href).path for href in links.evaluate_all("links => links.map(a => a.href)")]
    assert f"{MOUNT}quotes/smith-2022-01-11-rolling-back-time/" in hrefs
    assert f"{MOUNT}{listing}" not in hrefs
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
    # Unfiltered, the first results for NATO are Stoltenberg's quotes. The filtered results replace
    # them a moment later, each link once its data loads: wait (or time out, and fail) until every
    # result shown is loaded, one is Peskov's and none is Stoltenberg's.
    page.page.wait_for_function(
        "() => { const results = [...document.querySelectorAll('.pagefind-ui__result')];"
        " const links = results.map(r => r.querySelector('.pagefind-ui__result-link'));"
        " return links.length > 0 && links.every(a => a && !a.textContent.includes('Stoltenberg'))"
        " && links.some(a => a.textContent.includes('Dmitry Peskov')); }")
    titles = page.page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert any(title.startswith("Dmitry Peskov: ") for title in titles)
    assert page.problems == []


def test_a_search_from_the_address_shows_every_filter_group_every_time(open_page):
    # Searching before Pagefind had loaded its filter files left a whole group out of the results'
    # filters on about one load in ten; twelve fresh loads made that show more often than not.
    for _ in range(12):
        page = open_page()
        page.open("search/?q=NATO")
        page.page.locator(".pagefind-ui__result-link").first.wait_for()
        for name in ("Kind", "Speaker", "Side", "Topic"):
            page.page.locator(".pagefind-ui__filter-name", has_text=name).wait_for(timeout=5000)
        assert page.problems == []
        page.page.context.close()

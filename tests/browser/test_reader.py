"""What a newcomer reads: notes grouped by article, speakers named, marks tight to their words, the
home page's points first, and citations that give the address the reader is at."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .browsing import ROOT

# The pages a reader meets most, and one of every kind.
READ = ["", "topics/nato-enlargement/", "topics/ukraine/", "proposals/", "timeline/", "about/", "sources/",
        "people/julianne-smith/", "actors/nato/", "quotes/smith-2022-01-11-non-starter/",
        "sources/sputnik-written-responses/"]

NOTES_AND_ARTICLES = """() => {
    const notes = [...document.querySelectorAll('section[role="doc-endnotes"] > ol > li')];
    const marks = [...document.querySelectorAll('main a[role="doc-noteref"]')];
    const cited = new Set(marks.map(mark => {
        const target = document.getElementById(mark.hash.slice(1));
        return target.closest('li[id^="fn-"]').dataset.source;
    }));
    return {notes: notes.length, articles: cited.size, marks: marks.length};
}"""


@pytest.mark.parametrize("path", READ)
def test_a_page_has_no_more_notes_than_articles_it_cites(path, open_page):
    page = open_page()
    page.open(path)
    counted = page.page.evaluate(NOTES_AND_ARTICLES)
    assert counted["notes"] <= counted["articles"], counted
    assert counted["notes"] <= 5  # the shipped explainer rests on five articles
    assert page.problems == []


def test_no_white_space_comes_between_a_word_and_its_mark(open_page):
    page = open_page()
    spaced = []
    for path in READ:
        page.open(path)
        spaced += page.page.evaluate("""() => [...document.querySelectorAll('main sup.note')].filter(sup => {
            const before = sup.previousSibling;
            return before && before.nodeType === 3 && /\\s$/.test(before.textContent);
        }).map(sup => location.pathname + ': ' + sup.previousSibling.textContent.slice(-30))""")
    assert spaced == []


def test_every_quote_card_names_its_speaker_and_side(open_page):
    page = open_page()
    for path in ["quotes/", "people/julianne-smith/", "topics/nato-enlargement/", "proposals/"]:
        page.open(path)
        cards = page.page.locator("figure.quote")
        assert cards.count() > 0, path
        unnamed = page.page.evaluate("""() => [...document.querySelectorAll('figure.quote')].filter(card => {
            const speaker = card.querySelector('figcaption .speaker');
            return !speaker || speaker.textContent.replace(/[—\\s]/g, '').length < 3;
        }).map(card => card.dataset.quote)""")
        assert unnamed == [], path
    page.open("people/julianne-smith/")
    assert "Julianne Smith" in page.page.locator("figure.quote figcaption").first.inner_text()


def test_quote_pages_have_distinct_titles_naming_speaker_and_first_words(open_page, site):
    titles = {}
    page = open_page()
    for folder in sorted((site[0] / "quotes").glob("*/index.html"))[:12]:
        page.open(f"quotes/{folder.parent.name}/")
        heading = page.page.locator("h1").inner_text()
        titles[folder.parent.name] = heading
        assert not heading.startswith("Quote by")
        assert ": “" in heading and page.page.title().startswith(heading)
    assert len(set(titles.values())) == len(titles)


def test_the_timeline_states_each_year_once(open_page):
    page = open_page()
    page.open("timeline/")
    years = page.page.locator("section.month h2").all_inner_texts()
    for section in page.page.locator("section.month").all():
        heading = section.locator("h2").inner_text()
        if heading.isdigit():
            assert all(not title.startswith(heading) for title in section.locator("h3").all_inner_texts())
    assert "1949" in years


def test_home_opens_with_a_few_cited_points_and_shows_the_main_meetings(open_page):
    page = open_page()
    page.open("")
    points = page.page.locator(".glance-points li")
    assert 3 <= points.count() <= 5
    for point in points.all():
        assert point.locator('a[role="doc-noteref"]').count() >= 1
    first = page.page.locator("main h2").first
    assert first.inner_text() == "At a glance"
    glimpse = " ".join(page.page.locator("ol.glimpse li").all_inner_texts())
    for meeting in ("Geneva", "NATO–Russia Council", "OSCE", "written"):
        assert meeting in glimpse, meeting


@pytest.fixture(scope="module")
def placeholder_site(site):
    """The explainer built again for the placeholder base of site.yml, beside the one the server serves."""
    out = site[0] / "placeholder"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out), "--quiet"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 0, result.stderr
    assert "placeholder" in result.stderr  # the warning
    return site[1] + "placeholder/"


def test_while_the_base_is_a_placeholder_cite_this_gives_the_address_the_reader_is_at(placeholder_site,
                                                                                         context_factory):
    context = context_factory()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    here = placeholder_site + "quotes/smith-2022-01-11-non-starter/"
    page.goto(here)
    page.locator("figure.quote").first.get_by_role("button", name="Cite this").click()
    page.get_by_role("button", name="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(here) and "example.org" not in copied
    page.emulate_media(media="print")
    printed = page.locator("a.permalink").first.evaluate("e => getComputedStyle(e, '::after').content")
    assert here in printed

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
    const notes = [...document.querySelectorAll('section[role="doc-endnotes"] li[id^="fn-"]')];
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


TOPIC = "topics/nato-enlargement/"


@pytest.mark.parametrize("viewport, most", [({"width": 1280, "height": 900}, 3000), ({"width": 375, "height": 740}, 6000)])
def test_a_topic_page_with_its_quotes_closed_fits_the_height_a_reader_will_scroll(viewport, most, open_page):
    page = open_page(viewport=viewport)
    page.open(TOPIC)
    assert page.page.locator("details.behind[open]").count() == 0  # the quotes behind each stance start closed
    height = page.page.evaluate("document.documentElement.scrollHeight")
    assert height <= most, f"{TOPIC} is {height} px tall at {viewport['width']} px"


def test_each_side_leads_with_its_stance_and_no_column_ends_in_an_empty_box(open_page):
    page = open_page()
    page.open(TOPIC)
    for side in page.page.locator(".sides > .side").all():
        label = side.locator(".side-label")
        assert label.is_visible()
        first = side.locator(".position > *").first
        assert "stance" in first.get_attribute("class")
        # A column is as tall as what it holds: no long empty stretch below its last line.
        space = side.evaluate("""s => s.getBoundingClientRect().bottom
            - Math.max(...[...s.querySelectorAll('*')].map(e => e.getBoundingClientRect().bottom))""")
        assert space < 40


def test_one_wording_shows_and_the_others_open_from_a_count(open_page):
    page = open_page()
    page.open(TOPIC)
    card = page.page.locator("figure.quote", has=page.page.locator("details.wordings")).first
    page.page.locator("#position-united-states-on-nato-enlargement details.behind > summary").click()
    assert card.locator("blockquote:visible").count() == 1
    summary = card.locator("details.wordings > summary")
    hidden = card.locator("details.wordings blockquote").count()
    assert summary.inner_text().startswith(f"+{hidden} other wording")
    summary.click()
    assert card.locator("blockquote:visible").count() == 1 + hidden


def test_a_quote_of_a_few_words_sits_inline_not_as_a_card(open_page):
    page = open_page()
    page.open(TOPIC)
    inline = page.page.locator("#position-united-states-on-nato-enlargement .fragments")
    assert "“non-starter”" in inline.inner_text() and "Julianne Smith" in inline.inner_text()
    assert page.page.locator('figure.quote[data-quote="smith-2022-01-11-non-starter"]').count() == 0


def test_a_side_no_one_of_which_is_quoted_says_so_and_labels_another_sides_words(site, open_page):
    page = open_page()
    said = 0
    for topic in sorted((site[0] / "topics").glob("*/index.html")):
        page.open(f"topics/{topic.parent.name}/")
        for side in page.page.locator(".sides > .side").all():
            name = side.locator(".side-label").inner_text()
            for position in side.locator(".position").all():
                own = [tag for tag in position.locator("figure.quote .side-tag, .fragments").all_inner_texts()]
                quiet = position.locator(".no-quote")
                if quiet.count():
                    said += 1
                    assert "quote no one on this side" in quiet.inner_text()
                    summary = position.locator("details.behind > summary")
                    if summary.count():  # any words shown are another side's, and say so
                        assert "another side" in summary.inner_text()
                        assert "quotes behind it" not in summary.inner_text()
                else:
                    assert own, f"{topic.parent.name}: {name} shows no quote and does not say so"
    assert said >= 1


def test_the_matrix_link_to_a_stances_quotes_opens_them(open_page):
    page = open_page()
    page.open("")
    page.page.locator("table.matrix td a.more").first.click()
    target = page.page.evaluate("location.hash")
    page.page.locator(f"{target} details.behind[open]").wait_for()
    assert page.page.locator(f"{target} figure.quote").first.is_visible()


def test_every_side_has_one_colour_with_its_name_beside_it_in_the_matrix_columns_and_cards(open_page):
    colours: dict = {}
    page = open_page()
    for path, selector in (("", "table.matrix thead .side-tag"), (TOPIC, ".side-label"),
                           ("quotes/", "figure.quote .side-tag")):
        page.open(path)
        for tag in page.page.locator(selector).all():
            holder = tag.evaluate("""e => { const s = e.closest('[class*="side-"]');
                return [getComputedStyle(s).getPropertyValue('--side').trim(), e.innerText.trim()]; }""")
            colour, name = holder
            assert name  # never the colour alone
            key = name.split("\n")[0].replace("North Atlantic Treaty Organization", "NATO").replace(
                "United States", "US")
            colours.setdefault(key, set()).add(colour)
    assert {"Russia", "US", "NATO"} <= set(colours)
    assert all(len(found) == 1 for found in colours.values()), colours
    assert len({next(iter(found)) for found in colours.values()}) == len(colours)


def test_the_proposals_page_sets_each_demand_against_each_sides_answer_every_cell_cited(open_page):
    page = open_page()
    page.open("proposals/")
    tables = page.page.locator("table.answers")
    assert tables.count() >= 1
    sides = page.page.locator("table.answers").first.locator("thead th").all_inner_texts()[1:]
    assert sides[:3] == ["Russia", "US", "NATO"]
    rows = page.page.locator("table.answers tbody tr")
    assert rows.count() >= 5
    for row in rows.all():
        assert row.locator("td").count() == len(sides)
        for cell in row.locator("td:not(.empty)").all():
            assert cell.locator('a[role="doc-noteref"]').count() >= 1, cell.inner_text()[:80]
    page.page.set_viewport_size({"width": 375, "height": 740})
    first = rows.first.locator("td").first
    assert first.locator(".cell-side").is_visible()  # on a phone each cell names its side
    assert page.problems == []


def test_the_topics_index_gives_each_topics_summary(open_page):
    page = open_page()
    page.open("topics/")
    items = page.page.locator("main .topic-list > li")
    assert items.count() == 7
    for item in items.all():
        assert item.locator("a").first.is_visible()
        assert len(item.locator(".summary").inner_text()) > 60
        assert item.locator('a[role="doc-noteref"]').count() >= 1


def test_the_home_page_with_its_css_and_javascript_weighs_under_100_kb(open_page):
    page = open_page()
    sizes: dict = {}
    page.page.on("response", lambda response: sizes.__setitem__(response.url, len(response.body())))
    page.open("")
    page.page.wait_for_load_state("networkidle")
    counted = {url: size for url, size in sizes.items() if url.endswith(("/", ".css", ".js"))}
    assert any(url.endswith(".css") for url in counted) and any(url.endswith(".js") for url in counted)
    assert sum(counted.values()) < 100_000, counted


def test_the_timeline_names_the_sides_taking_part_in_their_colours(open_page):
    page = open_page()
    page.open("timeline/")
    tags = page.page.locator(".events h3 .side-tag")
    assert tags.count() > 5
    assert set(tags.all_inner_texts()) <= {"Russia", "US", "NATO"}

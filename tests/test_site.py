"""The built golden site, as a reader meets it: notes, statements, links, valid HTML."""

from __future__ import annotations

import shutil

import pytest

from site_checks import broken_links, note_problems, pages, uncited_statements, validator_problems


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory):
    from conftest import FIXTURES, run_build
    folder = tmp_path_factory.mktemp("golden")
    shutil.copytree(FIXTURES / "golden" / "content", folder / "content")
    result = run_build("--content", "content", "--out", "site", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "site"


def test_every_mark_reaches_its_note_and_back(golden_site):
    problems = [p for name, soup in pages(golden_site).items() for p in note_problems(name, soup)]
    assert problems == []


def test_every_statement_carries_a_note(golden_site):
    problems = [p for name, soup in pages(golden_site).items() for p in uncited_statements(name, soup)]
    assert problems == []


def test_every_internal_link_resolves(golden_site):
    problems = [p for name, soup in pages(golden_site).items()
                for p in broken_links(golden_site, name, soup, "/river/")]
    assert problems == []


def test_note_names_outlet_headline_date_url_and_links_to_source_page(golden_site):
    soup = pages(golden_site)["topics/the-dam/index.html"]
    note = soup.select_one('section[role="doc-endnotes"] li#fn-1')
    assert note.select_one(".outlet").text == "The Upton Gazette"
    headline = note.select_one("a.headline")
    assert headline.text == "Upton council votes for a dam"
    assert headline["href"] == "../../sources/gazette-dam/"
    assert note.find("time")["datetime"] == "2024-03-02"
    assert note.select_one("a.original")["href"] == "https://gazette.example/dam"
    assert note.select_one("a.archived")["href"] == "https://web.archive.org/web/*/https://gazette.example/dam"
    assert note.select('a[role="doc-backlink"]')


def test_one_note_per_article_each_passage_listed_once_with_a_way_back_to_every_mark(golden_site):
    for name, soup in pages(golden_site).items():
        notes = soup.select('section[role="doc-endnotes"] li[id^="fn-"]')
        sources = [li["data-source"] for li in notes]
        assert len(sources) == len(set(sources)), name  # one note per article
        for note in notes:
            passages = [q.get_text() for q in note.select(".passages .locator")]
            assert len(passages) == len(set(passages)), name
    soup = pages(golden_site)["index.html"]
    marks = soup.select('a[role="doc-noteref"]')
    notes = soup.select('section[role="doc-endnotes"] li[id^="fn-"]')
    assert len(marks) > len(notes)  # the gazette is cited several times under one note
    backlinks = {a["href"].lstrip("#") for a in soup.select('a[role="doc-backlink"]')}
    assert backlinks == {mark["id"] for mark in marks}
    # Two places citing one passage come back by letters: a, b.
    lettered = [note for note in soup.select(".passages li") if len(note.select('[role="doc-backlink"]')) > 1]
    for passage in lettered:
        letters = [a.get_text() for a in passage.select('[role="doc-backlink"]')]
        assert letters == list("abcdefghijklmnopqrstuvwxyz"[:len(letters)])


def test_source_page_lists_every_statement_citing_it(golden_site):
    soup = pages(golden_site)["sources/courier-talks/index.html"]
    listed = soup.select("ul.citing li")
    text = " ".join(li.get_text(" ", strip=True) for li in listed)
    for expected in ("Downton on The dam", "Bo Brown", "Sharing the water", "A shared water gauge"):
        assert expected in text
    assert "translated by machine from fr" in soup.get_text(" ", strip=True)
    assert "Not known" in soup.select_one("dl.facts").get_text()


def test_two_wordings_of_one_quote_are_both_shown(golden_site):
    soup = pages(golden_site)["quotes/lee-dam/index.html"]
    wordings = [b.get_text(" ", strip=True) for b in soup.select("figure.quote blockquote")]
    assert any("prevent floods in every spring to come" in w for w in wordings)
    assert any("stop the floods of every spring" in w for w in wordings)


def test_matrix_has_a_row_per_topic_and_a_column_per_side(golden_site):
    table = pages(golden_site)["index.html"].select_one("table.matrix")
    assert [th.get_text(strip=True) for th in table.select("thead th")] == ["Topic", "Upton", "Downton"]
    assert [th.get_text(strip=True) for th in table.select("tbody th")] == ["The dam", "Sharing the water"]


def test_text_is_escaped_not_interpreted(golden_site):
    soup = pages(golden_site)["quotes/brown-fields/index.html"]
    assert "<and>" in soup.select_one("figure.quote blockquote").get_text()
    assert soup.find("and") is None


def test_timeline_is_in_date_order_grouped_by_month_with_gaps(golden_site):
    soup = pages(golden_site)["timeline/index.html"]
    assert [h.get_text() for h in soup.select("section.month h2")] == ["1850", "March 2024"]
    assert [li["id"] for li in soup.select("li.event")] == ["founding", "council-vote", "first-meeting"]
    assert [gap.get_text(strip=True) for gap in soup.select("li.gap")] == ["174 years later", "4 days later"]


def test_404_page_links_work_from_any_depth(golden_site):
    soup = pages(golden_site)["404.html"]
    hrefs = [a["href"] for a in soup.select("main a")]
    assert hrefs and all(href.startswith("/river/") for href in hrefs)
    assert soup.select_one('link[rel="stylesheet"]')["href"] == "/river/assets/style.css"


def test_pages_are_valid_html(golden_site):
    assert validator_problems(golden_site) == ""


def test_sitemap_and_robots_use_absolute_urls_from_the_base_url(golden_site):
    import xml.etree.ElementTree as ET
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in ET.parse(golden_site / "sitemap.xml").getroot().findall("s:url/s:loc", namespace)]
    html_pages = [name.removesuffix("index.html") for name in pages(golden_site) if name != "404.html"]
    assert sorted(locations) == sorted("https://stances.test/river/" + page for page in html_pages)
    assert "Sitemap: https://stances.test/river/sitemap.xml" in (golden_site / "robots.txt").read_text()


def test_every_page_has_canonical_and_social_metadata(golden_site):
    for name, soup in pages(golden_site).items():
        canonical = soup.find("link", rel="canonical")["href"]
        assert canonical.startswith("https://stances.test/river/")
        assert soup.find("meta", property="og:url")["content"] == canonical
        assert soup.find("meta", property="og:title")["content"]
        assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"


def test_json_ld_describes_site_quotes_and_sources(golden_site):
    import json
    site_pages = pages(golden_site)

    def data(name):
        return json.loads(site_pages[name].find("script", type="application/ld+json").string)
    assert data("index.html")["@type"] == "WebSite"
    quote = data("quotes/lee-dam/index.html")
    assert quote["@type"] == "Quotation" and quote["spokenByCharacter"]["name"] == "Ann Lee"
    assert [a["headline"] for a in quote["isBasedOn"]] == ["Upton council votes for a dam",
                                                          "Talks on the dam end without agreement"]
    source = data("sources/courier-talks/index.html")
    assert source["@type"] == "NewsArticle" and "url" not in source  # no invented address
    assert source["publisher"]["name"] == "Downton Courier (identified from its layout)"


def test_atom_feed_lists_events_newest_first(golden_site):
    import xml.etree.ElementTree as ET
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(golden_site / "feed.xml").getroot()
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}id").text.rsplit("#", 1)[1] for e in entries] == ["first-meeting", "council-vote",
                                                                              "founding"]
    assert "\x02" not in (golden_site / "feed.xml").read_text()
    assert "The council voted 7 to 2 for the dam." in entries[1].find(f"{atom}summary").text


def test_open_data_has_every_record_as_json_and_csv(golden_site):
    import csv
    import json
    everything = json.loads((golden_site / "data" / "all.json").read_text())
    assert sorted(q["id"] for q in everything["quotes"]) == ["brown-fields", "lee-consider", "lee-dam"]
    assert everything["topics"][0]["summary"].startswith("Whether a dam should be built above Upton [@gazette-dam].")
    rows = list(csv.DictReader((golden_site / "data" / "sources.csv").open()))
    assert [row["id"] for row in rows] == ["courier-talks", "gazette-dam"]
    assert json.loads(rows[0]["published"]) == {"date": "2024-03", "approximate": True,
                                                "note": 'The page shows only "March".'}
    documented = pages(golden_site)["data/index.html"].get_text()
    assert "wordings" in documented and "The words, verbatim as the source prints them." in documented


def test_another_base_url_changes_only_absolute_urls(tmp_path):
    from conftest import FIXTURES, run_build
    shutil.copytree(FIXTURES / "golden" / "content", tmp_path / "content")
    for out, base in (("one", "https://stances.test/river/"), ("two", "https://other.example/x/y/")):
        result = run_build("--content", "content", "--out", out, "--base-url", base, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    for path in sorted((tmp_path / "one").rglob("*")):
        if path.is_file():
            other = (tmp_path / "two" / path.relative_to(tmp_path / "one")).read_text(errors="replace")
            mine = path.read_text(errors="replace")
            normalised = other.replace("https://other.example/x/y/", "https://stances.test/river/").replace(
                '"/x/y/', '"/river/')
            assert normalised == mine, path

"""The public corrections log: a record's `corrections:` shown on its page, on the corrections page and in
the feed; and the about page's quote counts, made from the records."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from conftest import ROOT

ATOM = "{http://www.w3.org/2005/Atom}"

TOPIC_FIX = """corrections:
  - date: 2024-04-02
    what: The summary said Downton "refuses" the dam; it now says Downton objects.
    why: The article says only that Downton objects.
"""
POSITION_FIX = """corrections:
  - date: 2024-04-03
    what: The stance gave the claim to the mayor; it now gives it to the council.
    why: The article attributes it to the council.
"""


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def corrected_site(golden_tree, build) -> Path:
    """The golden fixture with one correction on a topic and one on a position."""
    content = golden_tree / "content"
    for name, fix in (("topics/the-dam.yml", TOPIC_FIX), ("positions/upton-dam.yml", POSITION_FIX)):
        path = content / name
        path.write_text(path.read_text(encoding="utf-8") + fix, encoding="utf-8")
    result = build("--strict", "--out", "site", cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    return golden_tree / "site"


def test_a_correction_shows_on_its_records_page(golden_tree, build):
    site = corrected_site(golden_tree, build)
    page = soup(site / "topics" / "the-dam" / "index.html")
    logs = page.select("div.corrections")
    assert [log["aria-label"] for log in logs] == ["Corrections to this topic", "Corrections to this position"]
    topic_log = logs[0].get_text(" ", strip=True)
    assert "2 April 2024" in topic_log and 'Downton "refuses" the dam' in topic_log
    assert "Why: The article says only that Downton objects." in topic_log
    # the position's log sits inside that position's block, not elsewhere on the page
    assert logs[1].find_parent(id="position-upton-dam") is not None
    # a record without corrections shows none
    assert soup(site / "topics" / "water-share" / "index.html").select("div.corrections") == []


def test_the_corrections_page_lists_every_correction_newest_first(golden_tree, build):
    site = corrected_site(golden_tree, build)
    page = soup(site / "corrections" / "index.html")
    items = page.select("ol.corrections-log > li")
    texts = [item.get_text(" ", strip=True) for item in items]
    assert len(items) == 2
    assert texts[0].startswith("3 April 2024") and "The stance gave the claim to the mayor" in texts[0]
    assert texts[1].startswith("2 April 2024") and "Topic: The dam" in texts[1]
    assert [item.a["href"] for item in items] == ["../topics/the-dam/#position-upton-dam", "../topics/the-dam/"]
    # every page links to it
    assert soup(site / "index.html").find("a", string="Corrections")["href"] == "corrections/"


def test_an_empty_log_says_so(golden_tree, build):
    result = build("--strict", "--out", "site", cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    page = soup(golden_tree / "site" / "corrections" / "index.html")
    assert page.select("ol.corrections-log") == []
    assert page.find(class_="empty").get_text() == "No corrections have been made."


def test_the_feed_lists_each_correction(golden_tree, build):
    site = corrected_site(golden_tree, build)
    feed = ET.parse(site / "feed.xml").getroot()
    entries = {entry.find(f"{ATOM}title").text: entry for entry in feed.findall(f"{ATOM}entry")}
    entry = entries["Correction, 2 April 2024: Topic: The dam"]
    assert entry.find(f"{ATOM}link").get("href") == "https://stances.test/river/topics/the-dam/"
    assert entry.find(f"{ATOM}id").text == "https://stances.test/river/corrections/#topics-the-dam-1"
    assert entry.find(f"{ATOM}updated").text == "2024-04-02T00:00:00Z"
    assert entry.find(f"{ATOM}summary").text == (
        'The summary said Downton "refuses" the dam; it now says Downton objects. '
        "Why: The article says only that Downton objects.")
    assert "Correction, 3 April 2024: Town of Upton on The dam" in entries
    assert feed.find(f"{ATOM}updated").text == "2024-04-03T00:00:00Z"  # the latest entry, a correction


def test_open_data_carries_corrections(golden_tree, build):
    import json
    site = corrected_site(golden_tree, build)
    topics = json.loads((site / "data" / "topics.json").read_text(encoding="utf-8"))
    dam = next(topic for topic in topics if topic["id"] == "the-dam")
    assert dam["corrections"] == [{"date": "2024-04-02",
                                   "what": 'The summary said Downton "refuses" the dam; it now says Downton objects.',
                                   "why": "The article says only that Downton objects."}]


def side_counts(content: Path) -> Counter:
    """How many quotes each side has, read straight from the YAML files (not through the engine)."""
    side_of = {}
    for path in (content / "people").glob("*.yml"):
        for person in _records(path):
            side_of[person["id"]] = next((role["actor"] for role in person["roles"] if role.get("actor")), None)
    counts = Counter()
    for path in (content / "quotes").glob("*.yml"):
        for quote in _records(path):
            counts[side_of[quote["speaker"]]] += 1
    return counts


def _records(path: Path) -> list[dict]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return data if isinstance(data, list) else [data]


def about_counts(site: Path) -> dict:
    table = soup(site / "about" / "index.html").select_one("table.quote-counts")
    return {row.th.get_text(strip=True): int(row.td.get_text()) for row in table.tbody.select("tr")}


def test_about_page_counts_match_the_shipped_records(tmp_path, build):
    result = build("--strict", "--out", str(tmp_path / "site"), "--base-url", "https://stances.test/stances/", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    counts = side_counts(ROOT / "content")
    names = {"russia": "Russia", "united-states": "United States", "nato": "North Atlantic Treaty Organization"}
    assert about_counts(tmp_path / "site") == {names[side]: count for side, count in counts.items()}
    assert sum(counts.values()) == len(list((ROOT / "content" / "quotes").glob("*.yml")))


def test_about_page_counts_follow_an_added_quote(golden_tree, build):
    result = build("--strict", "--out", "site", cwd=golden_tree)
    before = about_counts(golden_tree / "site")
    (golden_tree / "content" / "quotes" / "lee-extra.yml").write_text(
        "id: lee-extra\nspeaker: ann-lee\nwordings:\n  - text: We will consider the gauge.\n"
        "    cite: [gazette-dam]\n", encoding="utf-8")
    result = build("--strict", "--out", "site", cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    after = about_counts(golden_tree / "site")
    assert after == {**before, "Town of Upton": before["Town of Upton"] + 1}
    assert sum(after.values()) == sum(side_counts(golden_tree / "content").values())


def test_corrected_pages_keep_every_statement_noted(golden_tree, build):
    from site_checks import note_problems, pages, uncited_statements
    site = corrected_site(golden_tree, build)
    problems = []
    for name, page in pages(site).items():
        problems += note_problems(name, page) + uncited_statements(name, page)
    assert problems == []


def test_new_offers_a_corrections_log_that_works_once_filled_in(golden_tree, build):
    result = build("new", "topic", "fresh", cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    path = golden_tree / "content" / "topics" / "fresh.yml"
    text = path.read_text(encoding="utf-8")
    assert "# corrections:\n#   - date:\n#     what:\n#     why:\n" in text
    path.write_text(
        "id: fresh\ntitle: Fresh\nsummary: Where the dam goes [@gazette-dam].\n"
        + text[text.index("# corrections:"):].replace("# corrections:", "corrections:")
        .replace("#   - date:", "  - date: 2024-05-01").replace("#     what:", "    what: Title fixed.")
        .replace("#     why:", "    why: It was misspelt."), encoding="utf-8")
    result = build("--strict", "--out", "site", cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    log = soup(golden_tree / "site" / "topics" / "fresh" / "index.html").select_one("div.corrections")
    assert log.get_text(" ", strip=True) == "Corrected 1 May 2024 : Title fixed. Why: It was misspelt."


def test_a_rebuild_after_logging_a_correction_equals_a_fresh_build(tmp_path):
    """Served rebuilds keep one cache: adding, then editing, a correction must show wherever a fresh build shows it."""
    import shutil
    from conftest import FIXTURES
    from stances.cache import Cache
    from stances.pipeline import BuildOptions, run

    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "golden" / "content", content)
    cache = Cache()

    def build(out, cache):
        result = run(BuildOptions(content, ROOT / "templates", ROOT / "assets", search=False), tmp_path / out, cache=cache)
        assert not result.failed(strict=False), [str(p) for p in result.problems]
        return {path.relative_to(tmp_path / out).as_posix(): path.read_bytes()
                for path in sorted((tmp_path / out).rglob("*")) if path.is_file() and path.name != ".stances-site"}

    build("site", cache)
    position = content / "positions" / "upton-dam.yml"
    position.write_text(position.read_text(encoding="utf-8") + POSITION_FIX, encoding="utf-8")
    served = build("site", cache)
    assert served == build("fresh-1", Cache())
    assert b"The stance gave the claim to the mayor" in served["corrections/index.html"]
    position.write_text(position.read_text(encoding="utf-8").replace("to the council.", "to the town council."),
                        encoding="utf-8")
    served = build("site", cache)
    assert served == build("fresh-2", Cache())
    assert b"to the town council." in served["topics/the-dam/index.html"]
    assert b"to the town council." in served["feed.xml"]

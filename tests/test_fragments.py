"""A quote card, a note or a block is rendered once and shown on pages at every depth: the links a
template writes in it must work on each page that shows it."""

from __future__ import annotations

import shutil

from bs4 import BeautifulSoup

from conftest import ROOT

EXTRA = ('<a class="to-home" href="{{ link(\'\') }}">home</a>'
         '<a class="to-list" href="{{ link(\'quotes/#list\') }}">list</a>')
ONE_CARD = '{{ quote_card(site.all("quotes")[0]) }}'


def links(page, name: str) -> set[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return {a["href"] for a in soup.select(f"a.{name}")}


def test_a_fragments_links_are_finished_for_each_page_that_shows_it(golden_tree, build):
    templates = golden_tree / "templates"
    shutil.copytree(ROOT / "templates", templates)
    card = templates / "_quote_card.html"
    card.write_text(card.read_text(encoding="utf-8").replace("</figcaption>", EXTRA + "</figcaption>"),
                    encoding="utf-8")
    for name in ("index.html", "404.html"):  # a card on the home page (the root) and on the 404 page too
        page = templates / name
        page.write_text(page.read_text(encoding="utf-8").replace("{% endblock %}", ONE_CARD + "{% endblock %}", 1),
                        encoding="utf-8")
    result = build("--content", "content", "--templates", "templates", "--out", "site", "--no-search",
                   cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    site = golden_tree / "site"
    quote = next(path.parent.name for path in (site / "quotes").glob("*/index.html") if path.parent.name != "page")
    expected = {
        "index.html": ("./", "quotes/#list"),  # at the root
        "quotes/index.html": ("../", "#list"),  # the list itself: a place on this very page
        f"quotes/{quote}/index.html": ("../../", "../../quotes/#list"),
        "404.html": ("/river/", "/river/quotes/#list"),  # served at any address: links from the site's path
    }
    for name, (home, listed) in expected.items():
        assert links(site / name, "to-home") == {home}, name
        assert links(site / name, "to-list") == {listed}, name
    for page in site.rglob("*.html"):
        assert "\x05" not in page.read_text(encoding="utf-8") and "\x06" not in page.read_text(encoding="utf-8")

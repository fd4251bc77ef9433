"""The search index: built from each page's search document, it is the index the pages themselves give."""

from __future__ import annotations

from pathlib import Path

from stances.search import document, index

DOCUMENTS = Path(".stances-cache") / "site.search-documents"


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def assert_index_is_the_pages_index(built: Path, tmp_path: Path) -> None:
    """Index the written pages themselves, as Pagefind would be run on the site, and compare byte for byte."""
    assert index(built / "site", tmp_path / "from-pages") == []
    assert files(built / "site" / "pagefind") == files(tmp_path / "from-pages")


def test_the_index_built_from_search_documents_is_the_one_the_pages_give(golden_tree, build, tmp_path):
    done = build("--content", "content", cwd=golden_tree)
    assert done.returncode == 0, done.stderr
    documents = files(golden_tree / DOCUMENTS)
    assert "quotes/lee-consider/index.html" in documents and "about/index.html" not in documents  # no body
    page = (golden_tree / "site" / "quotes" / "lee-consider" / "index.html").read_bytes()
    assert len(documents["quotes/lee-consider/index.html"]) < len(page)  # the masthead and notes are cut
    assert not list((golden_tree / "site").rglob("search-documents"))  # none of it is published
    assert_index_is_the_pages_index(golden_tree, tmp_path)


def test_a_removed_page_leaves_no_search_document_behind(golden_tree, build, tmp_path):
    assert build("--content", "content", cwd=golden_tree).returncode == 0
    for name in ("quotes/lee.yml", "proposals/shared-gauge.yml"):  # the quote's page moves to a new address
        path = golden_tree / "content" / name
        path.write_text(path.read_text().replace("lee-consider", "lee-considers"))
    done = build("--content", "content", cwd=golden_tree)
    assert done.returncode == 0, done.stderr
    assert not (golden_tree / DOCUMENTS / "quotes" / "lee-consider" / "index.html").exists()
    assert (golden_tree / DOCUMENTS / "quotes" / "lee-considers" / "index.html").is_file()
    assert_index_is_the_pages_index(golden_tree, tmp_path)


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>T</title><meta name="description" content="D">
<link rel="stylesheet" href="style.css"><script src="site.js" defer></script></head>
<body>
<header><a href="/">Home</a></header>
<main id="main" data-pagefind-body data-pagefind-meta="title:T">
<section><main-note>x</main-note><p>Said <sup class="note"><a href="#fn-1">1</a></sup></p></section>
</main>
<footer>Notes</footer>
</body>
</html>
"""


def test_a_search_document_keeps_the_html_tag_the_title_and_the_body_element_only():
    kept = document(PAGE)
    assert kept.startswith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>T</title>\n'
                           '</head>')
    assert '<main id="main" data-pagefind-body' in kept and "<main-note>x</main-note>" in kept
    assert kept.count("</main>") == 1 and "<header>" not in kept and "<footer>" not in kept
    assert "description" not in kept and "style.css" not in kept and "site.js" not in kept
    assert '<p>Said <sup class="note"></sup></p>' in kept  # what Pagefind leaves out of a note mark: all of it


def body_of(kept: str) -> str:
    return kept[kept.index("<main"):kept.index("</main>")]


def test_what_pagefind_leaves_out_is_left_out_of_the_search_document():
    def cut(inner: str) -> str:
        return body_of(document(PAGE.replace("<section><main-note>x</main-note>", inner + "<section>")))

    assert "<div data-pagefind-ignore></div>" in cut("<div data-pagefind-ignore><p>Listed</p></div>")
    assert '<section data-pagefind-ignore="all"></section>' in cut('<section data-pagefind-ignore="all">x</section>')
    assert '<a class="small permalink"></a>' in cut('<a class="small permalink">Permalink<span>!</span></a>')
    assert '<ol role="doc-endnotes"></ol>' in cut('<ol role="doc-endnotes"><li>A note</li></ol>')
    nested = cut("<div data-pagefind-ignore><div><p>Listed</p></div><div>More</div></div><p>After</p>")
    assert "<div data-pagefind-ignore></div><p>After</p>" in nested
    # What Pagefind may take from inside an element it ignores, or does not leave out, stays.
    for kept in ('<div data-pagefind-ignore><span data-pagefind-filter="side:x">x</span></div>',
                 "<div data-pagefind-ignore><h1>A title</h1></div>",
                 '<div data-pagefind-ignore><img src="a.png" alt=""></div>',
                 '<sup class="notes">kept</sup>', '<span class="note">kept</span>', '<p role="doc-endnote">kept</p>',
                 '<p class="NOTE PERMALINK">kept</p>'):
        assert kept in cut(kept)
    # Inside an element that stays because of what it holds, a smaller one is still cut.
    inside = cut('<div data-pagefind-ignore><h1>T</h1><sup class="note">1</sup></div>')
    assert '<h1>T</h1><sup class="note"></sup></div>' in inside


def test_a_page_the_cut_could_change_is_its_own_search_document():
    for changed in (PAGE.replace("<header>", "<header><h1>Site</h1>"),  # a title Pagefind could take
                    PAGE.replace("<footer>", '<footer data-pagefind-filter="side:x">'),  # a filter outside
                    PAGE.replace("<footer>", '<footer DATA-PAGEFIND-FILTER="side:x">'),  # in capitals too
                    PAGE.replace("<section>", "<section data-pagefind-body>"),  # two bodies
                    PAGE.replace("</main>", ""),  # an element that never closes
                    PAGE.replace("</main>", "</main >"),  # a closing tag this does not follow
                    PAGE.replace('<sup class="note">', '<sup class="note"><sup>')):  # a left-out one never closes
        assert document(changed) == changed
    assert document(PAGE.replace(" data-pagefind-body", "")) is None  # no body: Pagefind skips the page

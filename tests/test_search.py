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
<head><title>T</title></head>
<body>
<header><a href="/">Home</a></header>
<main id="main" data-pagefind-body data-pagefind-meta="title:T">
<section><main-note>x</main-note><p>Said <sup class="note">1</sup></p></section>
</main>
<footer>Notes</footer>
</body>
</html>
"""


def test_a_search_document_keeps_the_head_and_the_body_element_only():
    kept = document(PAGE)
    assert kept.startswith('<!doctype html>\n<html lang="en">\n<head><title>T</title></head>')
    assert '<main id="main" data-pagefind-body' in kept and "<main-note>x</main-note>" in kept
    assert kept.count("</main>") == 1 and "<header>" not in kept and "<footer>" not in kept


def test_a_page_the_cut_could_change_is_its_own_search_document():
    for changed in (PAGE.replace("<header>", "<header><h1>Site</h1>"),  # a title Pagefind could take
                    PAGE.replace("<footer>", '<footer data-pagefind-filter="side:x">'),  # a filter outside
                    PAGE.replace("<section>", "<section data-pagefind-body>"),  # two bodies
                    PAGE.replace("</main>", "")):  # an element that never closes
        assert document(changed) == changed
    assert document(PAGE.replace(" data-pagefind-body", "")) is None  # no body: Pagefind skips the page

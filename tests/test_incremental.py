"""Property: a rebuild that reuses the last build's cache writes exactly what a fresh build writes."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from stances.cache import Cache
from stances.pipeline import BuildOptions, run
from stances.rebuild import write_later
from stances.rebuild import EVERYTHING, Change
from stances.tracking import View
from stances.validate import Record

GOLDEN = FIXTURES / "golden" / "content"


def snapshot(site: Path) -> dict[str, bytes]:
    """Every file the pipeline writes; the search index is Pagefind's, rebuilt whole every time."""
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*"))
            if path.is_file() and path.name != ".stances-site" and "pagefind" not in path.parts}


def edit_quote_text(content: Path, number: int) -> None:
    path = content / "quotes" / "lee.yml"
    path.write_text(path.read_text().replace("We will consider the gauge.", f"We will consider gauge {number}."))


def add_quote(content: Path, number: int) -> None:
    (content / "quotes" / f"added-{number}.yml").write_text(
        f"id: added-{number}\nspeaker: bo-brown\nwordings:\n  - text: \"Addition {number}.\"\n"
        f"    cite: [gazette-dam]\nsaid: 2024-03-0{number % 9 + 1}\ntopics: [the-dam]\n")


def delete_added(content: Path, number: int) -> None:
    for path in sorted((content / "quotes").glob("added-*.yml"))[:1]:
        path.unlink()


def change_speaker(content: Path, number: int) -> None:
    path = next((content / "quotes").rglob("brown-fields.yml"))  # where rename_quote_file left it
    text = path.read_text()
    path.write_text(text.replace("speaker: bo-brown", "speaker: ann-lee") if "bo-brown" in text
                    else text.replace("speaker: ann-lee", "speaker: bo-brown"))


def retitle_topic(content: Path, number: int) -> None:
    path = content / "topics" / "water-share.yml"
    path.write_text(path.read_text().replace("title: Sharing the water", f"title: Sharing the water ({number})")
                    if "(" not in path.read_text() else path.read_text().split("\n", 1)[0] + "\n" +
                    "title: Sharing the water\n" + path.read_text().split("\n", 2)[2])


def cite_another_locator(content: Path, number: int) -> None:
    path = content / "positions" / "board-dam.yml"
    path.write_text(path.read_text().replace("cite: [courier-talks]",
                                             f"cite:\n  - source: gazette-dam\n    locator: \"spot {number}\""))


def cite_wording_elsewhere(content: Path, number: int) -> None:
    """A quote's wording cites the other source, or back: the about page's counts per source follow."""
    path = content / "quotes" / "lee.yml"
    text = path.read_text()
    here, there = '"We will consider the gauge."\n      cite: [gazette-dam]', '"We will consider the gauge."\n      cite: [courier-talks]'
    path.write_text(text.replace(here, there) if here in text else text.replace(there, here))


def break_then_nothing(content: Path, number: int) -> None:
    path = content / "topics" / "the-dam.yml"
    path.write_text(path.read_text() + "bogus: field\n")


def toggle_method_page(content: Path, number: int) -> None:
    """Remove a record that has a page of its own (its folder must go), or put it back."""
    here, away = content / "pages" / "method.yml", content.parent / "method.yml.away"
    if here.exists():
        here.rename(away)
    else:
        away.rename(here)


def touch_without_change(content: Path, number: int) -> None:
    path = content / "site.yml"
    path.write_text(path.read_text())


def page_by(content: Path, number: int) -> None:
    """Show 1 to 3 quotes a page, or the default: lists split over pages differently, or not at all."""
    path = content / "site.yml"
    lines = [line for line in path.read_text().splitlines() if not line.startswith("per_page:")]
    path.write_text("\n".join(lines + ([f"per_page: {number % 3 + 1}"] if number % 4 else [])) + "\n")


def rename_quote_file(content: Path, number: int) -> None:
    """The same records from a file that sorts elsewhere (a folder of its own, its name still its id):
    their order changes, nothing else."""
    here, there = content / "quotes" / "brown-fields.yml", content / "quotes" / "zz" / "brown-fields.yml"
    there.parent.mkdir(exist_ok=True)
    (here if here.exists() else there).rename(there if here.exists() else here)


def reformat_quote_file(content: Path, number: int) -> None:
    """A comment line added or taken away: the same records, read again, each a line lower or higher."""
    path = content / "quotes" / "lee.yml"
    text = path.read_text()
    path.write_text(text.removeprefix("# moved\n") if text.startswith("# moved\n") else "# moved\n" + text)


def edit_card_template(content: Path, number: int) -> None:
    """A template changed while serve runs: the quote card, shown on many pages, says so."""
    path = content.parent / "templates" / "_quote_card.html"
    text = path.read_text()
    marker = "<!-- card edit "
    if marker in text:
        text = text[:text.index(marker)]
    path.write_text(text + f"{marker}{number} -->\n")


def test_a_template_edited_between_rebuilds_shows_on_every_page(tmp_path):
    shutil.copytree(GOLDEN, tmp_path / "content")
    for folder_name in ("templates", "assets"):
        shutil.copytree(ROOT / folder_name, tmp_path / folder_name)
    cache = Cache()
    build = lambda out, cache: run(  # noqa: E731
        BuildOptions(tmp_path / "content", tmp_path / "templates", tmp_path / "assets", search=False), out, cache=cache)
    assert not build(tmp_path / "site", cache).failed(strict=False)
    for number in (1, 2):
        edit_card_template(tmp_path / "content", number)
        assert not build(tmp_path / "site", cache).failed(strict=False)
        marker = f"<!-- card edit {number} -->".encode()
        shown = [name for name, data in snapshot(tmp_path / "site").items() if marker in data]
        assert "quotes/index.html" in shown and len(shown) > 5
        assert not build(tmp_path / f"fresh-{number}", Cache()).failed(strict=False)
        assert snapshot(tmp_path / "site") == snapshot(tmp_path / f"fresh-{number}")


EDITS = [page_by, rename_quote_file, reformat_quote_file, edit_quote_text, add_quote, delete_added, change_speaker, retitle_topic, cite_another_locator,
         cite_wording_elsewhere,
         break_then_nothing, touch_without_change, toggle_method_page, edit_card_template]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # shrinking rebuilds sites for minutes
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 20)), min_size=1, max_size=4), st.booleans())
def test_incremental_rebuilds_equal_a_fresh_build(edits, later):
    """`later`: as `serve` builds, the open data written after the pages, by write_later."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        content = tree / "content"
        shutil.copytree(GOLDEN, content)
        for folder_name in ("templates", "assets"):  # a snapshot, so the comparison is of like with like
            shutil.copytree(ROOT / folder_name, tree / folder_name)
        cache = Cache()
        build = lambda out, cache: run(  # noqa: E731
            BuildOptions(content, tree / "templates", tree / "assets"), out, cache=cache, data_later=later)
        assert not build(tree / "site", cache).failed(strict=False)
        for edit, number in edits:
            edit(content, number)
            broken = (content / "topics" / "the-dam.yml").read_text().endswith("bogus: field\n")
            result = build(tree / "site", cache)
            if broken:
                assert result.failed(strict=False)
                path = content / "topics" / "the-dam.yml"
                path.write_text(path.read_text().replace("bogus: field\n", ""))
                result = build(tree / "site", cache)
            assert not result.failed(strict=False), [str(p) for p in result.problems]
            fresh = tree / f"fresh-{edits.index((edit, number))}"
            assert not build(fresh, None).failed(strict=False)  # a one-off build: no cache, nothing tracked
            pages = lambda site: {name: text for name, text in snapshot(site).items() if name.endswith(".html")}  # noqa: E731
            assert pages(tree / "site") == pages(fresh)
            assert write_later(cache) == []
            assert snapshot(tree / "site") == snapshot(fresh)
            shutil.rmtree(fresh)


class Rebuilds:
    """A copy of the golden content, built as `serve` builds it: with one cache kept across builds."""

    def __init__(self, folder: Path):
        self.folder, self.content, self.cache = folder, folder / "content", Cache()
        shutil.copytree(GOLDEN, self.content)

    def build(self, out: str = "site", told: set | None = None, fresh: bool = False, data_later: bool = False):
        """Build into folder/out; `told`: the changed files, as the watcher names them; `fresh`: with no cache;
        `data_later`: open data left for write_later, as `serve` leaves it."""
        return run(BuildOptions(self.content, ROOT / "templates", ROOT / "assets"), self.folder / out,
                   cache=Cache() if fresh else self.cache, data_later=data_later,
                   change=EVERYTHING if told is None else Change(frozenset(str(path.absolute()) for path in told)))


def test_open_data_left_for_later_follows_the_pages(tmp_path):
    """serve shows the pages first and writes the open data after; a build that starts before
    that writes it first, so no edit's data is lost."""
    golden = Rebuilds(tmp_path)
    golden.build(data_later=True)  # a first build writes everything at once
    data = tmp_path / "site" / "data" / "quotes.json"
    assert "We will consider the gauge." in data.read_text()
    edit_quote_text(golden.content, 1)
    assert not golden.build(data_later=True).failed(False)
    assert "We will consider gauge 1." in (tmp_path / "site" / "quotes" / "lee-consider" / "index.html").read_text()
    assert "We will consider gauge 1." not in data.read_text()  # not yet: it follows the pages
    retitle_topic(golden.content, 2)  # another build, before the data was written
    assert not golden.build(data_later=True).failed(False)
    assert "We will consider gauge 1." in data.read_text()  # that build wrote it first
    assert "Sharing the water (2)" not in (tmp_path / "site" / "data" / "topics.json").read_text()
    assert write_later(golden.cache) == []
    assert write_later(golden.cache) == []  # once written, nothing is left to write
    assert not golden.build("fresh", fresh=True).failed(False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "fresh")


def test_a_one_record_edit_renders_only_the_pages_that_show_it(tmp_path):
    golden = Rebuilds(tmp_path)
    first = golden.build()
    again = golden.build()
    assert first.rendered > 20
    assert again.rendered == 0  # a no-op rebuild renders nothing
    edit_quote_text(golden.content, 7)
    edited = golden.build()
    assert 0 < edited.rendered < first.rendered
    assert "We will consider gauge 7." in (tmp_path / "site" / "quotes" / "lee-consider" / "index.html").read_text()


def test_only_a_rebuild_plans_and_renders_through_tracking_views(tmp_path):
    """A one-off build plans and renders the records themselves; a build that keeps a cache for the next,
    views of them that tell what is read. An edit points the last plan's views at the new records."""
    options = BuildOptions(GOLDEN, ROOT / "templates", ROOT / "assets", search=False)
    shown = lambda result: {type(page.context["record"]) for page in result.searchable[1]  # noqa: E731
                            if "record" in page.context}
    assert shown(run(options, tmp_path / "once")) == {Record}
    golden = Rebuilds(tmp_path)
    kept = run(replace(options, content=golden.content), tmp_path / "kept", cache=golden.cache)
    assert shown(kept) == {View}
    page = next(page for page in kept.searchable[1] if page.url == "quotes/lee-consider/")
    before = page.context["record"].record
    edit_quote_text(golden.content, 3)
    edited = run(replace(options, content=golden.content), tmp_path / "kept", cache=golden.cache)
    assert edited.searchable[1] is kept.searchable[1]  # the plan stands: the same pages, their views pointed anew
    assert page.context["record"].record is not before
    assert "We will consider gauge 3." in str(page.context["record"]["wordings"][0]["text"])
    assert "We will consider gauge 3." not in str(before["wordings"][0]["text"])  # the last build's record is as it was


def test_a_failed_build_is_not_forgotten_by_a_rebuild_that_changed_nothing(tmp_path):
    golden = Rebuilds(tmp_path)
    assert not golden.build().failed(False)
    path = golden.content / "topics" / "the-dam.yml"
    path.write_text(path.read_text() + "bogus: field\n")
    broken = golden.build()
    again = golden.build()
    assert broken.failed(False) and again.failed(False)
    assert [str(p) for p in again.problems] == [str(p) for p in broken.problems]


def test_a_rebuild_that_changed_nothing_reports_what_the_last_build_found(tmp_path):
    golden = Rebuilds(tmp_path)
    first = golden.build()
    again = golden.build()
    assert (again.pages, again.records, again.rendered, again.changed) == (first.pages, first.records, 0, [])
    assert sorted(map(str, again.problems)) == sorted(map(str, first.problems))


def test_a_file_saved_again_unchanged_rebuilds_nothing(tmp_path):
    golden = Rebuilds(tmp_path)
    golden.build()
    path = golden.content / "quotes" / "lee.yml"
    text = path.read_text()
    path.unlink()
    path.write_text(text)  # a new file, a new time stamp, the same words: what an editor's save does
    again = golden.build()
    assert (again.rendered, again.changed) == (0, [])
    path.write_text(text.replace("We will consider the gauge.", "We will consider the gauge again."))
    edited = golden.build()
    assert edited.rendered > 0
    assert "We will consider the gauge again." in (tmp_path / "site" / "quotes" / "lee-consider" / "index.html").read_text()


def test_rebuilds_told_which_files_changed_match_fresh_builds(tmp_path):
    """What `serve` does: its watcher names the changed paths, and only those are looked at."""
    golden = Rebuilds(tmp_path)
    content = golden.content

    def build(out: str = "site", told=None, fresh=False):
        result = golden.build(out, told, fresh)
        assert not result.failed(strict=False), [str(p) for p in result.problems]
        return result

    build()
    added = content / "quotes" / "more" / "added-1.yml"  # in a new subfolder, too
    added.parent.mkdir()
    steps = [
        (lambda: edit_quote_text(content, 3), {content / "quotes" / "lee.yml"}),
        (lambda: (add_quote(content, 1), (content / "quotes" / "added-1.yml").rename(added)), {added}),
        (lambda: retitle_topic(content, 4), {content / "topics" / "water-share.yml", tmp_path / "elsewhere.txt"}),
        (lambda: added.unlink(), {added}),
    ]
    for number, (change, paths) in enumerate(steps):
        change()
        build(told=paths)
        build(f"fresh-{number}", fresh=True)
        assert snapshot(tmp_path / "site") == snapshot(tmp_path / f"fresh-{number}"), number
    # Told nothing changed, it looks at nothing: the watcher's word is what a rebuild goes by.
    lee = content / "quotes" / "lee.yml"
    lee.write_text(lee.read_text().replace("We will consider gauge 3.", "We will consider gauge 9."))
    page = tmp_path / "site" / "quotes" / "lee-consider" / "index.html"
    build(told=set())
    assert "gauge 9" not in page.read_text()
    build(told={lee})
    assert "gauge 9" in page.read_text()


def test_an_edit_that_breaks_a_reference_then_its_fix_match_fresh_builds(tmp_path):
    """A few records edited are linked on their own (the last site patched): their errors must still
    show, and what a failed build patched must not be lost when the next build, told only of the fix,
    succeeds."""
    golden = Rebuilds(tmp_path)
    golden.build()
    lee, brown = golden.content / "quotes" / "lee.yml", golden.content / "quotes" / "brown-fields.yml"
    text = lee.read_text()
    lee.write_text(text.replace("topics: [the-dam]", "topics: [the-damm]", 1))
    brown.write_text(brown.read_text().replace("our wells.", "our wells, all of them."))
    broken = golden.build(told={lee, brown})
    assert [str(p).split("content/", 1)[1] for p in broken.problems if p.is_error] == [
        "quotes/lee.yml:12:12: error: unknown topic 'the-damm' (did you mean 'the-dam'?)"]
    lee.write_text(text.replace("We will consider the gauge.", "We will consider the gauge at last."))
    assert not golden.build(told={lee}).failed(strict=False)
    assert not golden.build("fresh", fresh=True).failed(strict=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "fresh")
    assert "all of them" in (tmp_path / "site" / "quotes" / "brown-fields" / "index.html").read_text()


def test_a_wording_that_cites_another_source_moves_the_about_pages_count(tmp_path):
    golden = Rebuilds(tmp_path)
    assert not golden.build().failed(False)
    before = (tmp_path / "site" / "about" / "index.html").read_text()
    cite_wording_elsewhere(golden.content, 0)
    assert not golden.build().failed(False)
    after = (tmp_path / "site" / "about" / "index.html").read_text()
    assert after != before
    assert not golden.build("fresh", fresh=True).failed(False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "fresh")

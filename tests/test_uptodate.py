"""`python build.py` run again with nothing changed leaves the site as it stands; any change builds again."""

from __future__ import annotations

import json
import os

import pytest

from conftest import ROOT

UP_TO_DATE = "site/ is up to date"


def mtimes(site) -> dict:
    return {path.relative_to(site).as_posix(): path.stat().st_mtime_ns for path in site.rglob("*") if path.is_file()}


@pytest.fixture
def built(golden_tree, build):
    """The golden content, built once (without search, to be quick)."""
    first = build("--content", "content", "--out", "site", "--no-search", cwd=golden_tree)
    assert first.returncode == 0, first.stderr
    assert UP_TO_DATE not in first.stdout
    return golden_tree


def again(tree, build, *extra: str):
    return build("--content", "content", "--out", "site", "--no-search", *extra, cwd=tree)


def test_a_second_build_with_nothing_changed_writes_nothing(built, build):
    before = mtimes(built / "site")
    result = again(built, build)
    assert result.returncode == 0, result.stderr
    assert UP_TO_DATE in result.stdout and "27 pages, 22 records, 0 warnings" in result.stdout
    assert mtimes(built / "site") == before
    assert sorted(path.name for path in built.iterdir()) == [".stances-cache", "archive", "content", "site"]
    assert not (built / "site" / ".stances-cache").exists()  # nothing of it is published


def test_force_builds_again(built, build):
    before = mtimes(built / "site")
    result = again(built, build, "--force")
    assert result.returncode == 0 and UP_TO_DATE not in result.stdout
    assert mtimes(built / "site") != before


def edit_content(tree):
    quote = tree / "content" / "quotes" / "lee.yml"
    quote.write_text(quote.read_text(encoding="utf-8").replace("gauge", "gauges", 1), encoding="utf-8")


@pytest.mark.parametrize("change", ["content", "a content file touched", "an output page", "an output page gone",
                                    "options"])
def test_any_change_to_what_the_site_is_built_from_builds_it_again(built, build, change):
    extra: list[str] = []
    index = built / "site" / "index.html"
    if change == "content":
        edit_content(built)
    elif change == "a content file touched":  # its words the same: the build decides what changed
        os.utime(built / "content" / "site.yml")
    elif change == "an output page":
        index.write_text("edited by hand", encoding="utf-8")
    elif change == "an output page gone":
        index.unlink()
    else:
        extra = ["--base-url", "https://other.example/river/"]
    result = again(built, build, *extra)
    assert result.returncode == 0, result.stderr
    assert UP_TO_DATE not in result.stdout
    assert "27 pages, 22 records" in result.stdout
    assert index.read_text(encoding="utf-8").startswith("<!doctype html>")
    if change == "options":
        assert "https://other.example/river/" in index.read_text(encoding="utf-8")
    assert UP_TO_DATE in again(built, build, *extra).stdout  # and then it stands


def test_a_file_copied_over_with_its_old_time_and_size_builds_it_again(built, build):
    # As `cp -p`, `rsync -t` or an unpacked archive do: new words, the same size, the old modified time.
    quote = built / "content" / "quotes" / "lee.yml"
    before = quote.stat()
    quote.write_text(quote.read_text(encoding="utf-8").replace("gauge", "gawge", 1), encoding="utf-8")
    os.utime(quote, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert quote.stat().st_size == before.st_size and quote.stat().st_mtime_ns == before.st_mtime_ns
    result = again(built, build)
    assert result.returncode == 0 and UP_TO_DATE not in result.stdout
    assert "gawge" in (built / "site" / "quotes" / "lee-consider" / "index.html").read_text(encoding="utf-8")


def test_an_edited_template_builds_it_again(golden_tree, build):
    templates = golden_tree / "templates"
    templates.mkdir()
    for path in (ROOT / "templates").iterdir():
        (templates / path.name).write_bytes(path.read_bytes())
    options = ("--templates", "templates")
    assert again(golden_tree, build, *options).returncode == 0
    assert UP_TO_DATE in again(golden_tree, build, *options).stdout
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>Edited.</p></footer>"), encoding="utf-8")
    result = again(golden_tree, build, *options)
    assert result.returncode == 0 and UP_TO_DATE not in result.stdout
    assert "<p>Edited.</p>" in (golden_tree / "site" / "index.html").read_text(encoding="utf-8")


def test_a_failed_build_leaves_no_stamp_so_the_next_one_runs(built, build):
    quote = built / "content" / "quotes" / "lee.yml"
    good = quote.read_bytes()
    quote.write_text("id: [broken\n", encoding="utf-8")
    failed = again(built, build)
    assert failed.returncode == 1 and "content/quotes/lee.yml:" in failed.stderr
    quote.write_bytes(good)
    result = again(built, build)
    assert result.returncode == 0 and UP_TO_DATE not in result.stdout


def test_warnings_are_printed_again_when_the_site_is_up_to_date(built, build):
    (built / "content" / "people" / "nobody.yml").write_text(
        "id: nobody\nname: No Body\nroles:\n  - title: Onlooker\n    cite: [gazette-dam]\n", encoding="utf-8")
    first = again(built, build)
    assert first.returncode == 0, first.stderr
    warning = "content/people/nobody.yml:1:1: warning: person 'nobody' is never quoted"
    assert warning in first.stderr
    second = again(built, build)
    assert UP_TO_DATE in second.stdout and "1 warnings" in second.stdout
    assert warning in second.stderr


def test_a_damaged_stamp_means_a_build(built, build):
    stamp = built / ".stances-cache" / "site.json"
    assert json.loads(stamp.read_text(encoding="utf-8"))["pages"] == 27
    stamp.write_text("{not json", encoding="utf-8")
    result = again(built, build)
    assert result.returncode == 0 and UP_TO_DATE not in result.stdout


def test_an_edit_inside_a_linked_content_folder_builds_it_again(built, build):
    quotes = built / "content" / "quotes"
    elsewhere = built / "quotes-elsewhere"
    quotes.rename(elsewhere)
    quotes.symlink_to(elsewhere, target_is_directory=True)
    assert again(built, build).returncode == 0
    assert UP_TO_DATE in again(built, build).stdout
    quote = elsewhere / "lee.yml"
    quote.write_text(quote.read_text(encoding="utf-8").replace("every spring", "each spring", 1), encoding="utf-8")
    result = again(built, build)
    assert result.returncode == 0 and UP_TO_DATE not in result.stdout
    assert "each spring" in (built / "site" / "quotes" / "lee-dam" / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_leaves_each_unchanged_file_as_it_was_search_index_included(golden_tree, build):
    def files(site) -> dict:
        return {path.relative_to(site).as_posix(): (path.read_bytes(), path.stat().st_ino, path.stat().st_mtime_ns)
                for path in site.rglob("*") if path.is_file() and not path.name.startswith(".")}

    assert build("--content", "content", "--out", "site", cwd=golden_tree).returncode == 0
    before = files(golden_tree / "site")
    edit_content(golden_tree)
    result = build("--content", "content", "--out", "site", cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    after = files(golden_tree / "site")
    same = [name for name, (data, _, _) in after.items() if name in before and before[name][0] == data]
    changed = sorted(set(after) - set(same))
    assert "quotes/lee-consider/index.html" in changed and any(name.startswith("pagefind/") for name in changed)
    # Same bytes: the very file the last build wrote (hard-linked), its time stamp kept for deploy tools.
    assert [name for name in same if after[name][1:] != before[name][1:]] == []
    assert "about/index.html" in same and any(name.startswith("pagefind/fragment/") for name in same)

"""Quote verification against archived texts the tests write: verbatim, folded, with … and [ ]."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES

ARTICLE = ("Mayor Ann Lee said: \u201cThe dam \u2014 and only the dam \u2014 will prevent floods in every\n"
           "spring to come.\u201d She added that \u2018the river\u2019 must be shared. The council voted 7 to 2.\n")


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(FIXTURES / "errors" / "base", tmp_path, dirs_exist_ok=True)
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "paper.txt").write_text(ARTICLE, encoding="utf-8")
    source = tmp_path / "content" / "sources" / "paper.yml"
    source.write_text(source.read_text() + "archive: paper.txt\n")
    return tmp_path


def quote(tree, text: str, locator: str | None = None) -> None:
    cite = f"\n      - source: paper\n        locator: {locator!r}" if locator else " [paper]"
    (tree / "content" / "quotes" / "pat-no.yml").write_text(
        f"id: pat-no\nspeaker: pat\nwordings:\n  - text: {text!r}\n    cite:{cite}\n")


@pytest.mark.parametrize("text", [
    "The dam - and only the dam - will prevent floods in every spring to come.",  # plain dashes and spaces
    'The dam \u2013 and only the dam \u2013 will prevent floods in every spring to come.',
    "The dam ... will prevent floods in every spring to come.",  # omitted words
    "The dam \u2026 will prevent floods",
    "[The river] must be shared.",  # an editorial insertion
    "the river' must be shared",
    "The   dam \u2014  and   only the dam",  # white space folded
])
def test_verbatim_quotes_pass(tree, build, text):
    quote(tree, text)
    result = build("check", "--strict", "--archive", "archive", cwd=tree)
    assert result.returncode == 0, result.stderr


def test_a_changed_word_is_an_error_naming_quote_source_and_closest_passage(tree, build):
    quote(tree, "The dam will prevent floods in every summer to come.")
    result = build("check", "--archive", "archive", cwd=tree)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/quotes/pat-no.yml:4:11: error: quote 'pat-no' is not verbatim in source 'paper': "
        "\"The dam will prevent floods in every summer to come.\"; closest passage: "
        "\"the dam-will prevent floods in every spring to come.\" She added\"")


def test_a_locator_not_in_the_source_is_an_error(tree, build):
    quote(tree, "The council voted 7 to 2.", locator="voted 8 to 1")
    result = build("check", "--archive", "archive", cwd=tree)
    assert result.returncode == 1
    assert "error: locator of quote 'pat-no' is not verbatim in source 'paper': \"voted 8 to 1\"" in result.stderr


def test_inline_locators_are_checked_too(tree, build):
    (tree / "content" / "topics" / "border.yml").write_text(
        "id: border\ntitle: The border\nsummary: The vote was close [@paper, \"voted 9 to 0\"].\n")
    result = build("check", "--archive", "archive", cwd=tree)
    assert result.returncode == 1
    assert "content/topics/border.yml:3:10: error: locator of topic 'border' is not verbatim in source 'paper'" \
        in result.stderr


def test_missing_archive_file_is_an_error_and_a_source_without_one_a_warning(tree, build):
    (tree / "archive" / "paper.txt").unlink()
    result = build("check", "--archive", "archive", cwd=tree)
    assert result.returncode == 1
    assert "content/sources/paper.yml:6:10: error: archived text 'paper.txt' not found in archive" in result.stderr
    source = tree / "content" / "sources" / "paper.yml"
    source.write_text(source.read_text().replace("archive: paper.txt\n", ""))
    result = build("check", "--archive", "archive", cwd=tree)
    assert result.returncode == 0
    assert "warning: source 'paper' has no archive file, so its quotes are not checked" in result.stderr


def test_build_takes_the_archive_option_too(tree, build):
    quote(tree, "Words that were never said.")
    result = build("--archive", "archive", "--out", "site", cwd=tree)
    assert result.returncode == 1 and not (tree / "site").exists()


def test_site_yml_names_the_archive_and_check_uses_it_whenever_the_folder_exists(tree, build):
    site = tree / "content" / "site.yml"
    site.write_text(site.read_text() + "archive: archive/\n")
    quote(tree, "Words that were never said.")
    for command in (["check"], ["--out", "site"]):
        result = build(*command, cwd=tree)
        assert result.returncode == 1
        assert "error: quote 'pat-no' is not verbatim in source 'paper'" in result.stderr
    shutil.rmtree(tree / "archive")  # a fresh clone without the articles: nothing to compare with
    result = build("check", "--strict", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "quotes not checked against the articles: archive (site.yml's archive) is not there")

"""The shipped explainer builds cleanly, every statement noted, every quote verbatim."""

from __future__ import annotations

import pytest

from conftest import ROOT, run_build
from site_checks import broken_links, note_problems, pages, uncited_statements, validator_problems

ARCHIVE = ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("shipped") / "site"
    result = run_build("--strict", "--out", str(out), "--base-url", "https://stances.test/stances/", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    return out


def test_shipped_content_passes_strict_check():
    result = run_build("check", "--strict", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.skipif(not ARCHIVE.is_dir(), reason="the archived articles (../shared/sources) are not beside the project")
def test_every_quote_and_locator_is_verbatim_in_the_archive():
    result = run_build("check", "--strict", "--archive", str(ARCHIVE), cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_shipped_site_notes_statements_and_links(shipped_site):
    problems = []
    for name, soup in pages(shipped_site).items():
        problems += note_problems(name, soup)
        problems += uncited_statements(name, soup)
        problems += broken_links(shipped_site, name, soup, "/stances/")
    assert problems == []


def test_shipped_pages_are_valid_html(shipped_site):
    assert validator_problems(shipped_site) == ""

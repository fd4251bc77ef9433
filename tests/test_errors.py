"""One tiny content tree per build error, each with the exact message lines a contributor sees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES

ERRORS = FIXTURES / "errors"
CASES = sorted(path.name for path in ERRORS.iterdir() if path.is_dir() and path.name != "base")


def make_tree(case: str, tmp_path: Path) -> list[str]:
    """Copy the valid base tree, lay the case's files over it; return the command's arguments."""
    shutil.copytree(ERRORS / "base", tmp_path, dirs_exist_ok=True)
    shutil.copytree(ERRORS / case / "content", tmp_path / "content", dirs_exist_ok=True)
    args = ERRORS / case / "args"
    return args.read_text().split() if args.exists() else ["check"]


def test_base_tree_is_valid(tmp_path, build):
    shutil.copytree(ERRORS / "base", tmp_path, dirs_exist_ok=True)
    result = build("check", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", CASES)
def test_error_case_reports_exact_lines_and_exits_1(case, tmp_path, build):
    result = build(*make_tree(case, tmp_path), cwd=tmp_path)
    expected = (ERRORS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert lines[:-1] == expected
    assert lines[-1].startswith("failed: ")


@pytest.mark.parametrize("case", ["unknown-field", "no-citation"])
def test_failed_build_leaves_the_last_good_site(case, tmp_path, build):
    shutil.copytree(ERRORS / "base", tmp_path, dirs_exist_ok=True)
    assert build("--out", "site", cwd=tmp_path).returncode == 0
    before = {p: p.read_bytes() for p in sorted((tmp_path / "site").rglob("*")) if p.is_file()}
    shutil.copytree(ERRORS / case / "content", tmp_path / "content", dirs_exist_ok=True)
    result = build("--out", "site", cwd=tmp_path)
    assert result.returncode == 1
    after = {p: p.read_bytes() for p in sorted((tmp_path / "site").rglob("*")) if p.is_file()}
    assert after == before


def test_warnings_do_not_fail_without_strict(tmp_path, build):
    make_tree("uncited-source", tmp_path)
    result = build("check", cwd=tmp_path)
    assert result.returncode == 0
    assert "content/sources/extra.yml:1:1: warning: source 'extra' is cited by nothing" in result.stderr

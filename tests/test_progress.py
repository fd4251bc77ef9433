"""A long build shows its stage and the pages written on one updating line, on a terminal only."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from conftest import ROOT, run_build

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import main as generate  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Content that takes a few seconds to build: long enough for the progress line to show."""
    folder = tmp_path_factory.mktemp("progress")
    generate(["--quotes", "1500", "--out", str(folder)])
    return folder


# Not the corpus's placeholder (example.org), which a build warns about on stderr.
REAL_BASE = ("--base-url", "https://stances.test/stances/")


def on_a_terminal(*args: str, cwd) -> tuple[int, str, str]:
    """Run build.py with stderr on a pseudo-terminal, as in a contributor's shell; (status, terminal, stdout)."""
    terminal, other_end = pty.openpty()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=other_end, env=dict(os.environ, PYTHONPATH=str(ROOT), GITHUB_ACTIONS=""))
    os.close(other_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    stdout = process.stdout.read().decode("utf-8")
    return process.wait(timeout=600), shown.decode("utf-8"), stdout


def test_a_long_build_on_a_terminal_shows_stage_and_pages_written_on_one_line(corpus):
    status, shown, stdout = on_a_terminal("--out", "site", "--no-search", "--force", *REAL_BASE, cwd=corpus)
    assert status == 0
    updates = shown.split("\r\x1b[K")
    assert "\n" not in shown  # one line, drawn again in place
    pages = [update for update in updates if " pages written" in update]
    assert pages and all(update.startswith("rendering: ") for update in pages)
    counts = [[int(number.replace(",", "")) for number in update.removeprefix("rendering: ")
               .removesuffix(" pages written").split(" of ")] for update in pages]
    assert len({total for _, total in counts}) == 1 and counts[0][1] > 1500  # of every page the build writes
    assert [done for done, _ in counts] == sorted({done for done, _ in counts}) and counts[-1][0] > 0
    assert updates[-1] == ""  # cleared at the end, before the summary
    assert stdout.splitlines()[-1].endswith(" s") and " pages, " in stdout


def test_no_progress_with_quiet_or_without_a_terminal(corpus):
    status, shown, _ = on_a_terminal("--out", "site", "--no-search", "--force", "--quiet", *REAL_BASE, cwd=corpus)
    assert status == 0 and shown == ""
    result = run_build("--out", "site", "--no-search", "--force", *REAL_BASE, cwd=corpus)  # stderr is a pipe
    assert result.returncode == 0 and result.stderr == ""

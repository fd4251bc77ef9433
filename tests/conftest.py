"""Shared fixtures: run the command as a user would, from a folder of their content."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite tests/fixtures/golden/expected from the current build")


@pytest.fixture
def regen_golden(request) -> bool:
    return request.config.getoption("--regen-golden")


def run_build(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` in a folder, the way a contributor does."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), GITHUB_ACTIONS="")
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def build():
    return run_build


@pytest.fixture
def golden_tree(tmp_path) -> Path:
    """A copy of the golden fixture (content and archive) in a temporary folder."""
    shutil.copytree(FIXTURES / "golden" / "content", tmp_path / "content")
    shutil.copytree(FIXTURES / "golden" / "archive", tmp_path / "archive")
    return tmp_path

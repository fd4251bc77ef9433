"""stances installed (not editable) from a wheel: the command, its default templates and assets, `init`,
and a site's own templates and assets laid over the defaults."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_build
from stances import __version__


def run(*args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, timeout=600,
                            env=dict(env, GITHUB_ACTIONS=""))
    assert not check or result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with stances installed as `pip install .` does, from a copy of the project (so the
    checkout stays untouched); its dependencies are this environment's, so nothing else is fetched."""
    where = tmp_path_factory.mktemp("install")
    source = where / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("stances", "templates", "assets"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    venv = where / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=where)
    packages = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    ours = [path for path in sys.path if path.endswith("site-packages") and Path(path).is_dir()]
    (packages / "dependencies.pth").write_text("\n".join(ours) + "\n")
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", source, cwd=where)
    shutil.rmtree(source)  # the installed tool must need nothing from where it was built
    return venv / "bin"


def test_the_installed_command_has_a_version_and_runs_as_a_module(installed, tmp_path):
    assert run(installed / "stances", "--version", cwd=tmp_path).stdout == f"stances {__version__}\n"
    assert run(installed / "python", "-m", "stances", "--version", cwd=tmp_path).stdout == f"stances {__version__}\n"
    metadata = run(installed / "python", "-c", "from importlib import metadata; print(metadata.version('stances'))",
                   cwd=tmp_path)
    assert metadata.stdout == f"{__version__}\n"  # one version, said once (stances/__init__.py)
    help_text = run(installed / "stances", "--help", cwd=tmp_path).stdout
    for command in ("build", "check", "serve", "new", "init"):
        assert f"    {command} " in help_text, help_text


def test_init_from_an_installed_stances_builds_checks_and_publishes(installed, tmp_path):
    run(installed / "stances", "init", "bridge", cwd=tmp_path)
    site = tmp_path / "bridge"
    for name in (".github/workflows/checks.yml", ".github/workflows/pages.yml", ".gitignore", "README.md",
                 ".pre-commit-config.yaml", ".vscode/settings.json", ".vscode/extensions.json", "requirements.txt",
                 "content/site.yml", "schema/quotes.schema.json", "archive/example-article.txt"):
        assert (site / name).is_file(), name
    for kind in ("sources", "actors", "people", "topics", "positions", "proposals", "quotes", "events", "pages"):
        examples = list((site / "content" / kind).glob("*.yml"))
        assert any(path.read_text().splitlines()[1].startswith("# ") for path in examples), kind

    checked = run(installed / "stances", "check", "--strict", cwd=site)
    assert checked.stdout == checked.stdout.splitlines()[0] + "\n" and checked.stdout.startswith("checked, 12 records")
    assert checked.stderr == ""
    built = run(installed / "stances", "build", "--strict", "--base-url", "https://bridge.test/", cwd=site)
    assert re.fullmatch(r"\d+ pages, 12 records, 0 warnings, [\d.]+ s\n", built.stdout), built.stdout
    assert "A town cut in two by a river needs a bridge" in (site / "site" / "index.html").read_text() or \
        "A town cut in two by a river needs a bridge" in (
            site / "site" / "quotes" / "stone-2024-06-03-bridge-now" / "index.html").read_text()
    for name in ("style.css", "site.js", "favicon.svg"):  # the defaults, from inside the package
        assert (site / "site" / "assets" / name).read_bytes() == (ROOT / "assets" / name).read_bytes()

    # Its workflows are valid, and install what the site's requirements name.
    checker = Path(sys.executable).parent / "check-jsonschema"
    workflows = sorted((site / ".github" / "workflows").glob("*.yml"))
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, workflows)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert all("pip install -r requirements.txt" in path.read_text() for path in workflows)

    # Quotes are checked against archive/, which site.yml names.
    quote = site / "content" / "quotes" / "stone-2024-06-03-bridge-now.yml"
    quote.write_text(quote.read_text().replace("needs it now", "needs it soon"))
    failed = run(installed / "stances", "check", cwd=site, check=False)
    assert failed.returncode == 1
    assert "error: quote 'stone-2024-06-03-bridge-now' is not verbatim in source 'example-article'" in failed.stderr


def test_new_in_an_installed_site_points_at_the_sites_own_schema(installed, tmp_path):
    run(installed / "stances", "init", "site", cwd=tmp_path)
    made = run(installed / "stances", "new", "quotes", "a-new-quote", cwd=tmp_path / "site")
    assert "run `stances check`" in made.stdout
    text = (tmp_path / "site" / "content" / "quotes" / "a-new-quote.yml").read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schema/quotes.schema.json"


def test_a_sites_own_templates_and_assets_replace_the_defaults_file_by_file(installed, tmp_path):
    run(installed / "stances", "init", "site", cwd=tmp_path)
    site = tmp_path / "site"
    (site / "templates").mkdir()
    (site / "templates" / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    (site / "assets").mkdir()
    (site / "assets" / "style.css").write_text("body { color: black; }\n")
    (site / "assets" / "extra.txt").write_text("ours\n")
    run(installed / "stances", "build", cwd=site)
    out = site / "site"
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert (out / "assets" / "style.css").read_text() == "body { color: black; }\n"
    assert (out / "assets" / "extra.txt").read_text() == "ours\n"
    assert (out / "assets" / "site.js").read_bytes() == (ROOT / "assets" / "site.js").read_bytes()
    assert "<nav" in (out / "index.html").read_text()  # every other template is the default's

    # A change to the site's own template builds again; so does removing it (the default returns).
    (site / "templates" / "robots.txt").unlink()
    rebuilt = run(installed / "stances", "build", cwd=site)
    assert "up to date" not in rebuilt.stdout
    assert (out / "robots.txt").read_text().startswith("User-agent: *\nAllow: /\n")


def test_a_templates_folder_that_is_not_there_is_an_error(tmp_path):
    shutil.copytree(FIXTURES / "errors" / "base", tmp_path, dirs_exist_ok=True)
    result = run_build("check", "--templates", "mine", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "mine:1:1: error: templates folder not found\n"


def test_the_repositorys_editor_settings_are_the_ones_init_writes():
    from stances.init import editor_settings
    for name, text in editor_settings().items():
        assert (ROOT / name).read_text(encoding="utf-8") == text, name

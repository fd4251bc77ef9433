"""stances installed (not editable) from a wheel: the command, its default templates and assets, `init`,
and a site's own templates and assets laid over the defaults."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
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

    # Its workflows are valid, and install what the site's requirements name: the stances that made it.
    checker = Path(sys.executable).parent / "check-jsonschema"
    workflows = sorted((site / ".github" / "workflows").glob("*.yml"))
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, workflows)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert all("pip install -r requirements.txt" in path.read_text() for path in workflows)
    wheel = f"stances-{__version__}-py3-none-any.whl"
    assert [path.name for path in (site / "vendor").iterdir()] == [wheel]
    assert f"\n./vendor/{wheel}\n" in (site / "requirements.txt").read_text()

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


# ---- A new explainer's own workflows, run as GitHub runs them, in a fresh venv from PyPI ----

# What GitHub fills in for the expressions in a new site's workflows, were it published as someone/bridge.
EXPRESSIONS = {"github.repository_owner": "someone", "github.event.repository.name": "bridge",
               "steps.pages.outputs.base_url": "https://someone.github.io/bridge"}


def workflow_commands(workflow: Path) -> list[tuple[str, str]]:
    """Each `run` step of a workflow's jobs, in order, as (name, shell command with expressions filled in)."""
    import yaml

    def filled(match: re.Match) -> str:
        assert match.group(1) in EXPRESSIONS, f"{workflow.name}: no value for ${{{{ {match.group(1)} }}}}"
        return EXPRESSIONS[match.group(1)]

    found = []
    for job in yaml.load(workflow.read_text(), Loader=yaml.CSafeLoader)["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                found.append((step["name"], re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", filled, step["run"])))
    return found


@pytest.fixture(scope="module")
def new_site(installed, tmp_path_factory) -> Path:
    """An explainer `stances init` made from the installed stances, with nothing else beside it: its
    workflows make their own venv (one, shared by this module's tests) and fetch from PyPI."""
    where = tmp_path_factory.mktemp("new-site")
    run(installed / "stances", "init", "bridge", cwd=where)
    return where / "bridge"


def run_workflow(site: Path, name: str) -> dict[str, str]:
    """Run a site's workflow's steps in its folder, as the runner does after setup-python (whose Python comes
    first on PATH) in a fresh checkout (where nothing git ignores is, but for the shared venv); return each
    step's output by name."""
    for pattern in (site / ".gitignore").read_text().split():
        for path in site.glob(pattern.strip("/")):
            if path.name != ".venv":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(GITHUB_ACTIONS="", PATH=os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]]))
    outputs = {}
    for step, command in workflow_commands(site / ".github" / "workflows" / name):
        result = subprocess.run(["bash", "-e", "-c", command], cwd=site, env=env, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, f"{name}: {step}: {command}\n{result.stdout}{result.stderr}"
        outputs[step] = result.stdout
    return outputs


def test_a_new_sites_pull_request_checks_pass_with_what_its_requirements_install(new_site, installed):
    outputs = run_workflow(new_site, "checks.yml")
    check, build = [output for step, output in outputs.items() if step != "Install"]
    assert check.startswith("checked, 12 records, 0 warnings")
    assert re.fullmatch(r"\d+ pages, 12 records, 0 warnings, [\d.]+ s\n", build), build
    # The stances its venv runs is the wheel from vendor/, file for file the one that made the site.
    ran = run(new_site / ".venv" / "bin" / "python", "-c", "import stances; print(stances.__file__)", cwd=new_site)
    package = Path(ran.stdout.strip()).parent
    assert package.is_relative_to(new_site / ".venv")
    made_by = Path(run(installed / "python", "-c", "import stances; print(stances.__file__)", cwd=new_site)
                   .stdout.strip()).parent

    def files(folder: Path) -> dict[str, bytes]:
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*")
                if path.is_file() and "__pycache__" not in path.parts}
    assert files(package) == files(made_by)
    assert run(new_site / ".venv" / "bin" / "stances", "--version", cwd=new_site).stdout == f"stances {__version__}\n"


def test_a_new_site_publishes_with_what_its_requirements_install(new_site):
    outputs = run_workflow(new_site, "pages.yml")
    assert re.fullmatch(r"\d+ pages, 12 records, 0 warnings, [\d.]+ s\n",
                        outputs["Build with the address Pages will serve"])
    home = (new_site / "site" / "index.html").read_text()
    assert 'href="https://someone.github.io/bridge/' in home
    assert (new_site / "site" / "pagefind").is_dir()  # search, from pagefind as PyPI gives it


def test_upgrade_puts_the_running_stances_in_vendor_and_requirements(tmp_path):
    site = tmp_path / "site"
    (site / "vendor").mkdir(parents=True)
    (site / "vendor" / "stances-0.0.1-py3-none-any.whl").write_bytes(b"an older stances")
    (site / "requirements.txt").write_text("# ours\nrequests==2.0\n./vendor/stances-0.0.1-py3-none-any.whl\n")
    upgraded = run_build("init", "--upgrade", "site", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    wheel = f"stances-{__version__}-py3-none-any.whl"
    assert upgraded.stdout.startswith(f"site/vendor/{wheel}: stances {__version__}, named in site/requirements.txt")
    assert [path.name for path in (site / "vendor").iterdir()] == [wheel]
    assert (site / "requirements.txt").read_text() == f"# ours\nrequests==2.0\n./vendor/{wheel}\n"
    first = (site / "vendor" / wheel).read_bytes()
    with zipfile.ZipFile(site / "vendor" / wheel) as opened:  # the package's own files, none compiled here
        shipped = {name for name in opened.namelist() if not name.startswith(f"stances-{__version__}.dist-info/")}
    assert shipped == {f"stances/{path.name}" for path in (ROOT / "stances").glob("*.py")} | {
        f"stances/{path.relative_to(ROOT).as_posix()}" for name in ("templates", "assets")
        for path in (ROOT / name).rglob("*") if path.is_file()}

    # A site that named stances another way is moved to the wheel too; the same stances writes the same bytes.
    (site / "requirements.txt").write_text("stances==0.0.1\nrequests==2.0\n")
    assert run_build("init", "--upgrade", "site", cwd=tmp_path).returncode == 0
    assert (site / "requirements.txt").read_text() == f"./vendor/{wheel}\nrequests==2.0\n"
    assert (site / "vendor" / wheel).read_bytes() == first

    refused = run_build("init", "--upgrade", "nothing-here", cwd=tmp_path)
    assert refused.returncode == 1 and refused.stderr.startswith("error: nothing-here/requirements.txt: cannot read")


def test_build_py_run_by_a_python_without_the_packages_says_how_to_set_up(tmp_path):
    # `python -S`: no site-packages, as a system Python with no venv made has none of stances's packages.
    result = subprocess.run([sys.executable, "-S", str(ROOT / "build.py"), "check"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: this Python lacks the package '")
    assert ".venv/bin/pip install -e ." in result.stderr

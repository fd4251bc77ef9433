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


def test_pull_request_workflow_tests_checks_and_builds_without_deploying():
    checks = yaml.safe_load((ROOT / ".github" / "workflows" / "checks.yml").read_text())
    assert "pull_request" in checks[True]
    runs = " ".join(step.get("run", "") for step in checks["jobs"]["check"]["steps"])
    assert "pytest" in runs and "check --strict --annotations" in runs and "build.py --strict" in runs
    assert "deploy" not in str(checks).lower()


def test_check_prints_github_annotations(tmp_path):
    import shutil
    from conftest import FIXTURES, run_build
    shutil.copytree(FIXTURES / "errors" / "base", tmp_path, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "errors" / "unknown-source" / "content", tmp_path / "content", dirs_exist_ok=True)
    result = run_build("check", "--annotations", cwd=tmp_path)
    assert result.returncode == 1
    assert ("::error file=content/topics/border.yml,line=5,col=8::unknown source 'papr' (did you mean 'paper'?)"
            in result.stdout.splitlines())

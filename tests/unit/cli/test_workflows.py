"""The CI pipeline (.github/workflows): the gate and a plan per platform environment on pull
requests; on merge every platform environment in its order, each planned (the plan shipped
as an artifact) and deployed in the CI environment `cfnops approval` names from the plan.
No environment's name is in the YAML, nor any rule of who approves: the tool decides."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import PLATFORM, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = Path(sys.executable).with_name("actionlint")  # requirements.lock, make check


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def commands(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_pull_requests_run_the_gate_and_plan_every_environment_of_the_platform():
    jobs = load("pull-request.yml")["jobs"]
    assert "make check lint validate-all" in commands(jobs["gate"])
    plan = commands(jobs["plan"])
    assert "for env in $(.venv/bin/cfnops platform environments)" in plan
    assert "--format markdown" in plan and "gh pr comment" in plan
    assert jobs["plan"]["permissions"]["id-token"] == "write"  # OIDC, no stored keys


def test_merges_deploy_each_platform_environment_in_order_through_one_reusable_workflow():
    jobs = load("deploy.yml")["jobs"]
    assert "cfnops platform environments" in commands(jobs["environments"])
    deploy = jobs["deploy"]
    assert deploy["uses"] == "./.github/workflows/deploy-environment.yml"
    assert (deploy["strategy"]["max-parallel"], deploy["strategy"]["fail-fast"]) == (1, True)
    assert deploy["strategy"]["matrix"]["environment"] == "${{ fromJSON(needs.environments.outputs.list) }}"


def test_the_plan_is_the_artifact_and_the_tool_names_the_deploys_environment():
    jobs = load("deploy-environment.yml")["jobs"]
    plan = commands(jobs["plan"])
    assert "--format json > plan.json" in plan and "--parity" in plan and "--drift" in plan
    assert 'cfnops approval plan.json >> "$GITHUB_OUTPUT"' in plan
    assert "actions/upload-artifact" in uses(jobs["plan"])
    assert jobs["deploy"]["environment"] == "${{ needs.plan.outputs.environment }}"
    assert '--allow-replace "$ALLOW_REPLACE"' in commands(jobs["deploy"])
    assert jobs["deploy"]["steps"][-1]["env"]["ALLOW_REPLACE"] == "${{ needs.plan.outputs.allow_replace }}"


def test_no_environment_name_and_no_stored_credentials_in_any_workflow():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert "secrets." not in text, path.name  # credentials only through OIDC
        for environment in PLATFORM.environments:
            assert f"'{environment}" not in text and f"environment: {environment}" not in text, path.name


def test_actionlint_passes_the_workflows_and_fails_a_broken_one(tmp_path):
    clean = subprocess.run([str(ACTIONLINT), "-no-color"], cwd=ROOT, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    broken = tmp_path / "deploy-environment.yml"
    text = (WORKFLOWS / broken.name).read_text()
    broken.write_text(text.replace("needs.plan.outputs.environment", "needs.plan.output"))
    found = subprocess.run([str(ACTIONLINT), "-no-color", str(broken)], capture_output=True, text=True)
    assert found.returncode == 1 and "needs.plan.output" in found.stdout

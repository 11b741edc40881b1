"""The CI pipeline (.github/workflows): the gate and a plan per platform environment on pull
requests; on merge dev, then staging, then prod behind the approval environment exactly when
the plan's approvals are not empty."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def commands(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_pull_requests_run_the_gate_and_plan_every_environment_of_the_platform():
    jobs = load("pull-request.yml")["jobs"]
    assert "make check lint validate-all" in commands(jobs["gate"])
    plan = commands(jobs["plan"])
    assert "for env in $(.venv/bin/cfnops platform environments)" in plan
    assert "--format markdown" in plan and "gh pr comment" in plan
    assert jobs["plan"]["permissions"]["id-token"] == "write"  # OIDC, no stored keys


def test_merges_deploy_dev_then_staging_then_prod_gated_by_the_plans_approvals():
    jobs = load("deploy.yml")["jobs"]
    assert [jobs[name].get("needs") for name in ("dev", "staging", "prod-plan", "prod")] == [
        None,
        "dev",
        "staging",
        "prod-plan",
    ]
    assert ".approvals | length" in commands(jobs["prod-plan"])
    assert jobs["prod"]["environment"] == (
        "${{ needs.prod-plan.outputs.approvals != '0' && 'prod-approval' || 'prod' }}"
    )
    assert all("secrets." not in str(job) for job in jobs.values())  # credentials only through OIDC

"""Shared by the rollout tests: run the real rollout code on localcloud, counting calls."""

from __future__ import annotations

import io
import shutil
from collections import Counter
from pathlib import Path

import boto3
import yaml

from cfnops.build import render
from cfnops.cli.progress import PlainProgress
from cfnops.core.aws import Aws
from cfnops.inputs import params
from cfnops.inputs.project import Project
from cfnops.rollout import bootstrap, deploy
from cfnops.rollout.operations import WaitSettings
from cfnops.rollout.pipeline import deploy_environment
from tests.conftest import PLATFORM, ROOT

MUTATING = (
    "CreateStackSet",
    "UpdateStackSet",
    "DeleteStackSet",
    "CreateStackInstances",
    "UpdateStackInstances",
    "DeleteStackInstances",
)
# stacksets/*.yaml: name -> regions; the tests count calls from these, not from a copy
STACKSET_REGIONS = {
    path.stem: yaml.safe_load(path.read_text()).get("regions") for path in sorted((ROOT / "stacksets").glob("*.yaml"))
}
EVERY_REGION = [name for name, regions in STACKSET_REGIONS.items() if len(regions) == 3]
INSTANCES = sum(len(regions) for regions in STACKSET_REGIONS.values())
FAST = WaitSettings(timeout=60, first_poll=0.0, max_poll=0.05)


def copy_project(tmp_path: Path) -> Project:
    for folder in ("parameters", "generated", "stacksets"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for file in ("pyproject.toml", "quotas.yaml", "organization.yaml"):  # the platform, quotas raised, layout
        shutil.copy(ROOT / file, tmp_path / file)
    if (ROOT / ".cache" / "lint").exists():  # same template bytes: the cached lint results hold
        shutil.copytree(ROOT / ".cache" / "lint", tmp_path / ".cache" / "lint")
    return Project(tmp_path, PLATFORM)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def do_bootstrap(project: Project, environment: str = "staging", recreate: bool = False) -> str:
    resolved = params.resolve_deployed(project, environment, render.read_generated(project))
    text = project.template_path(PLATFORM.bootstrap).read_text()
    values = resolved.plain(PLATFORM.bootstrap, "us-east-1")
    aws = Aws()
    account = aws.account_id("us-east-1")
    bucket = PLATFORM.bucket(account, "us-east-1")  # where a large bootstrap is staged
    request = bootstrap.Request(
        "us-east-1",
        text,
        values,
        FAST,
        environment,
        recreate=recreate,
        artifacts_bucket=bucket,
        bucket_pattern=PLATFORM.artifacts_bucket,
        writers_parameter=PLATFORM.artifacts_writers,
        account=account,
    )
    return bootstrap.deploy_region(aws, request)


class Run:
    """One `make render deploy` as a user runs it, with the API calls it made."""

    def __init__(
        self,
        project: Project,
        environment: str = "staging",
        prune: bool = False,
        only=(),
        wait=FAST,
        retain: bool | None = None,
        allow_replace: frozenset[tuple[str, str]] = frozenset(),
    ):
        render.write(project, render.render(project))
        self.aws = Aws()
        options = deploy.DeployOptions(
            artifacts_bucket=PLATFORM.artifacts_bucket,
            prune=prune,
            retain_stacks=retain,
            wait=wait,
            allow_replace=allow_replace,
        )
        rollout = deploy_environment(
            project, environment, self.aws, PlainProgress(io.StringIO()), options, only, run_lint=False
        )
        self.account, self.plans, self.results = rollout.account, rollout.plans, rollout.results
        self.failures = deploy.failures(self.results)

    def calls(self, operation: str) -> int:
        return self.aws.calls[f"cloudformation:{operation}"]

    @property
    def mutating(self) -> Counter:
        return Counter({op: self.calls(op) for op in MUTATING if self.calls(op)})


def instance_stack_parameters(stackset: str, region: str) -> dict[str, str]:
    """The parameters of a StackSet's instance stack in a region (the caller's account)."""
    summary = boto3.client("cloudformation", region_name="us-east-1").list_stack_instances(
        StackSetName=stackset, StackInstanceRegion=region
    )["Summaries"][0]
    stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=summary["StackId"])["Stacks"][
        0
    ]
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}

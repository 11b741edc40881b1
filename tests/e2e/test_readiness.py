"""`make deploy` before `make bootstrap`: one line saying what is missing, exit 7, and
nothing created (only reads). After bootstrap it proceeds."""

from __future__ import annotations

import warnings

import boto3
import pytest

import localcloud
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode, NotBootstrappedError
from templates_src.platform import PLATFORM
from tests.support.rollout import Run, copy_project

localcloud.install()
from moto import mock_aws  # noqa: E402

BUCKET = "cfnops-artifacts-123456789012-us-east-1"
ROLES = sorted(  # every role bootstrap creates: each environment's pair, and the drift reader
    [PLATFORM.administration_role_of(e) for e in PLATFORM.environments]
    + [PLATFORM.execution_role_of(e) for e in PLATFORM.environments]
    + ["cfnops-drift-reader"]
)
READS = ("Describe", "List", "Get", "Head")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield copy_project(tmp_path)


def cli(project, *arguments: str) -> int:
    return main(["--root", str(project.root), *arguments])


def stacksets() -> list[str]:
    return [
        s["StackSetName"]
        for s in boto3.client("cloudformation", region_name="us-east-1").list_stack_sets()["Summaries"]
    ]


def test_deploy_before_bootstrap_is_one_line_exit_7_and_creates_nothing(project, capsys):
    assert cli(project, "deploy", "--env", "staging") == ExitCode.NOT_BOOTSTRAPPED == 7
    assert capsys.readouterr().err == (
        "error: not bootstrapped: missing stack cfnops-bootstrap in us-east-1; bucket "
        + BUCKET
        + "; "
        + "; ".join(f"role {name}" for name in ROLES)
        + ": run `make bootstrap ENV=staging` first (nothing was changed)\n"
    )
    assert stacksets() == []


def test_the_check_makes_only_reads(project):
    from cfnops.core import aws as aws_module

    made = []
    original = aws_module.Aws.__init__

    def remember(self, session=None):
        original(self, session)
        made.append(self)

    aws_module.Aws.__init__ = remember
    try:
        with pytest.raises(NotBootstrappedError):
            Run(project, environment="dev")
    finally:
        aws_module.Aws.__init__ = original
    [aws] = made
    assert {"s3:HeadBucket", "iam:GetRole", "cloudformation:DescribeStacks"} <= set(aws.calls)
    assert [call for call in aws.calls if not call.split(":")[1].startswith(READS)] == []
    assert stacksets() == []


def test_after_bootstrap_deploy_proceeds_and_a_lost_bucket_is_named(project, capsys):
    assert cli(project, "bootstrap", "--env", "staging") == ExitCode.OK
    assert cli(project, "deploy", "--env", "staging", "--stackset", "network") == ExitCode.OK
    assert stacksets() == ["network-staging"]
    s3 = boto3.client("s3")
    for version in s3.list_object_versions(Bucket=BUCKET).get("Versions", []):
        s3.delete_object(Bucket=BUCKET, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=BUCKET)
    capsys.readouterr()
    assert cli(project, "deploy", "--env", "staging") == ExitCode.NOT_BOOTSTRAPPED
    assert capsys.readouterr().err == (
        f"error: not bootstrapped: missing bucket {BUCKET}: "
        "run `make bootstrap ENV=staging` first (nothing was changed)\n"
    )
    assert stacksets() == ["network-staging"]


def test_an_unchanged_deploy_needs_no_check(project):
    """No change, no mutating call, and so no bootstrap check either: a plan's reads only."""
    assert cli(project, "bootstrap", "--env", "staging") == ExitCode.OK
    Run(project, only=("network",))
    again = Run(project, only=("network",))
    assert again.mutating == {} and set(again.aws.calls) == {
        "sts:GetCallerIdentity",
        "cloudformation:DescribeStackSet",
        "cloudformation:ListStackInstances",
    }

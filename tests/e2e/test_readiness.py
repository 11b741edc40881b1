"""`make deploy` before `make bootstrap`: one line saying what is missing, exit 7, and
nothing created (only reads). After bootstrap it proceeds."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode, NotBootstrappedError
from templates_src.platform import PLATFORM
from tests.support.rollout import Run, copy_project, do_bootstrap

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
        "cloudformation:ListStackInstances",  # its instances vouch for the StackSet (rollout/vouch.py)
    }


def _with_a_new_resource_type(project):
    """The project with one more template, of a resource type no workload had: rendered."""
    import dataclasses

    from troposphere import Template, ssm

    from cfnops.build import bootstrap_stamp, render
    from cfnops.inputs.project import Project

    def build() -> Template:
        template = Template(Description="A parameter")
        template.add_resource(ssm.Parameter("Setting", Type="String", Value="on"))
        return template

    before = bootstrap_stamp.stamped(json.loads(project.template_path(project.platform.bootstrap).read_text()))[1]
    assert "AWS::SSM::Parameter" not in before  # test setup: the type is new
    platform = dataclasses.replace(project.platform, registry={**project.platform.registry, "settings": build})
    grown = Project(project.root, platform)
    render.write(grown, render.render(grown))
    return grown


def test_a_bootstrap_older_than_the_templates_is_named_before_any_workload_call(project, capsys):
    """deploy compares the deployed bootstrap's digest with the rendered one: exit 7 with the new
    resource types and the command, no StackSet call; after `make bootstrap` it proceeds."""
    do_bootstrap(project)
    grown = _with_a_new_resource_type(project)
    with pytest.raises(NotBootstrappedError) as refused:
        Run(grown, only=("network",))
    assert stacksets() == []
    assert str(refused.value) == (
        "bootstrap is out of date in us-east-1 (new resource types: AWS::SSM::Parameter): "
        "run `make bootstrap ENV=staging` first (nothing was changed)"
    )
    do_bootstrap(grown)  # the re-bootstrap: an update of the stack, on localcloud as on AWS
    assert Run(grown, only=("network",)).failures == []

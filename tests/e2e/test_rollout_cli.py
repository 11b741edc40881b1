"""The rollout through the CLI and its edges: exit codes, credentials, throttling,
bootstrap, destroy, and `make demo` itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import boto3
import pytest
from botocore.awsrequest import AWSResponse

import localcloud
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from templates_src.platform import PLATFORM
from tests.conftest import ROOT
from tests.support.rollout import INSTANCES, STACKSET_REGIONS, Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        yield project


def cli(project, *arguments: str) -> int:
    return main(["--root", str(project.root), *arguments])


def test_plan_exit_codes_say_changes_or_none(project, capsys):
    cli(project, "bootstrap", "--env", "staging")
    assert cli(project, "plan", "--env", "staging", "--no-diff") == ExitCode.DIFFERENCES == 2
    assert "fraud-detection-staging: CREATE" in capsys.readouterr().out
    assert cli(project, "deploy", "--env", "staging") == ExitCode.OK
    assert cli(project, "plan", "--env", "staging") == ExitCode.OK
    assert capsys.readouterr().out.endswith(f"plan: {len(STACKSET_REGIONS)} unchanged\n")
    assert cli(project, "status", "--env", "staging") == ExitCode.OK
    header, *rows, total = capsys.readouterr().out.splitlines()
    assert header.split() == ["STACKSET", "REGION", "ACCOUNT", "STATUS", "DETAILED", "LAST", "OPERATION", "REASON"]
    assert len(rows) == INSTANCES and all(row.split()[3:5] == ["CURRENT", "SUCCEEDED"] for row in rows)
    assert total == f"status: {INSTANCES} instances of {len(STACKSET_REGIONS)} StackSets"


def test_plan_shows_a_readable_template_diff(project, capsys):
    cli(project, "bootstrap", "--env", "staging")
    cli(project, "deploy", "--env", "staging", "--stackset", "network")
    edit(project.generated / "network.json", '"MaxAggregationInterval": 60', '"MaxAggregationInterval": 600')
    from cfnops.build import render
    from cfnops.rollout import plan

    text = (project.generated / "network.json").read_text()
    diff = plan.template_diff({"Resources": {}}, {"Resources": {}})
    assert diff.added == diff.removed == diff.modified == ()
    deployed = boto3.client("cloudformation", region_name="us-east-1").describe_stack_set(
        StackSetName="network-staging"
    )
    import json

    diff = plan.template_diff(json.loads(deployed["StackSet"]["TemplateBody"]), json.loads(text))
    assert diff.modified == ("VpcFlowLog",)
    assert any(line.startswith("-") and "60" in line for line in diff.text) and any(
        line.startswith("+") and "600" in line for line in diff.text
    )
    render.write(project, render.render(project))  # restore the golden files in the copy


def test_deploy_refuses_stale_generated_before_any_aws_call(project, capsys, aws_calls):
    edit(project.generated / "network.json", "Platform network", "Edited by hand")
    assert cli(project, "deploy", "--env", "staging") == ExitCode.STALE
    assert "generated/network.json: differs from a fresh render" in capsys.readouterr().err
    assert aws_calls == []


def test_deploy_refuses_invalid_parameters_before_any_aws_call(project, capsys, aws_calls):
    edit(project.parameter_path("staging"), "TaskCpu: 1024", "TaskCpu: 1000")
    from cfnops.build import render
    from cfnops.core.errors import InputError

    expected = (
        "parameters/staging.yaml: templates.fraud-detection.TaskCpu: expected one of 256, 512, 1024, 2048, 4096, "
        "got 1000"
    )
    with pytest.raises(InputError) as raised:
        render.write(project, render.render(project))
    assert str(raised.value) == expected
    assert cli(project, "deploy", "--env", "staging") == ExitCode.INVALID_INPUT
    assert capsys.readouterr().err == f"error: {expected}\n"
    assert aws_calls == []


def test_unknown_stackset_is_invalid_input(project, capsys):
    assert cli(project, "plan", "--env", "staging", "--stackset", "netwrok") == ExitCode.INVALID_INPUT
    assert "STACKSET=netwrok: unknown StackSet (did you mean network?)" in capsys.readouterr().err


def test_failed_instance_exits_1_with_the_reason(project, capsys):
    cli(project, "bootstrap", "--env", "dev")
    cli(project, "deploy", "--env", "dev", "--stackset", "network")
    boto3.client("iam").create_role(RoleName="dev-eu-west-1-role-fraud-service", AssumeRolePolicyDocument="{}")
    assert cli(project, "deploy", "--env", "dev") == ExitCode.ERROR
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: fraud-detection-dev: 123456789012/eu-west-1 FAILED: ")
    assert "already exists" in errors[0]


def test_throttling_is_retried_by_botocore_once_per_call(project):
    do_bootstrap(project)
    throttled = []

    def throttle(request, **_):
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        if "Action=ListStackInstances&" in body and len(throttled) < 2:
            throttled.append(request.url)
            return AWSResponse(
                request.url,
                400,
                {},
                _Raw(
                    b"<ErrorResponse><Error><Code>Throttling</Code>"
                    b"<Message>Rate exceeded</Message></Error></ErrorResponse>"
                ),
            )
        return None

    from cfnops.core import aws as aws_module

    original = aws_module.Aws.__init__

    def init(self, session=None):
        original(self, session)
        self.session.events.register_first("before-send.cloudformation", throttle)

    aws_module.Aws.__init__ = init
    try:
        run = Run(project, only=("network",))
    finally:
        aws_module.Aws.__init__ = original
    assert len(throttled) == 2 and run.failures == []
    assert run.calls("ListStackInstances") == 1  # one call for cfnops; botocore retried it twice underneath


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_):
        yield self.body

    def read(self):
        return self.body


def test_bootstrap_creates_roles_and_a_private_bucket(project):
    assert cli(project, "bootstrap", "--env", "staging") == ExitCode.OK
    iam = boto3.client("iam")
    for environment in PLATFORM.environments:  # each environment's own pair of roles
        administration = iam.get_role(RoleName=PLATFORM.administration_role_of(environment))["Role"]
        trust = administration["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        condition = trust["Statement"][0]["Condition"]
        assert condition["StringEquals"]["aws:SourceAccount"] == "123456789012"
        assert (
            condition["ArnLike"]["aws:SourceArn"] == f"arn:aws:cloudformation:*:123456789012:stackset/*-{environment}:*"
        )
        execution = iam.get_role(RoleName=PLATFORM.execution_role_of(environment))["Role"]
        assert {"Key": "Environment", "Value": environment} in execution["Tags"]
        attached = iam.list_attached_role_policies(RoleName=execution["RoleName"])["AttachedPolicies"]
        assert sorted(p["PolicyName"] for p in attached) == [
            f"cfnops-stackset-execution-{n}" for n in range(1, len(attached) + 1)
        ]
        assert iam.list_role_policies(RoleName=execution["RoleName"])["PolicyNames"] == []
    actions = []
    for policy in attached:
        version = iam.get_policy(PolicyArn=policy["PolicyArn"])["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=policy["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]
        document = json.loads(document) if isinstance(document, str) else document
        actions += [a for s in document["Statement"] if s["Effect"] == "Allow" for a in s["Action"]]
    assert "ec2:CreateVpc" in actions and not any("*" in a for a in actions)
    for environment in PLATFORM.environments:  # each environment's own workload boundary
        name = f"cfnops-{environment}-workload-boundary"
        assert iam.get_policy(PolicyArn=f"arn:aws:iam::123456789012:policy/{name}")["Policy"]["PolicyName"] == name
    s3 = boto3.client("s3")
    bucket = "cfnops-artifacts-123456789012-us-east-1"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert cli(project, "bootstrap", "--env", "staging") == ExitCode.OK  # unchanged the second time


def test_destroy_prod_needs_confirmation(project, capsys):
    assert cli(project, "destroy", "--env", "prod") == ExitCode.INVALID_INPUT
    assert (
        capsys.readouterr().err == "error: destroying prod needs CONFIRM=prod (--confirm prod); nothing was changed\n"
    )


def test_destroy_removes_instances_and_stacksets_but_keeps_the_data(project, capsys):
    cli(project, "bootstrap", "--env", "dev")
    assert cli(project, "deploy", "--env", "dev") == ExitCode.OK
    capsys.readouterr()
    assert cli(project, "destroy", "--env", "dev") == ExitCode.OK
    out = capsys.readouterr().out
    assert (
        "retained: network-dev us-east-1 123456789012 FlowLogGroup (AWS::Logs::LogGroup, RetainExceptOnCreate) "
        "/dev/us-east-1/vpc-flow-logs\n    remove: aws logs delete-log-group --region us-east-1 --log-group-name "
        "/dev/us-east-1/vpc-flow-logs"
    ) in out
    assert "aws dynamodb delete-table --region eu-west-1 --table-name dev-fraud-rules" in out
    assert "a deploy of the same environment needs them gone" in out
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    assert [s for s in cfn.list_stack_sets()["Summaries"] if s["Status"] == "ACTIVE"] == []
    for region in ("us-east-1", "us-west-2", "eu-west-1"):
        stacks = boto3.client("cloudformation", region_name=region).describe_stacks()["Stacks"]
        assert [s["StackName"] for s in stacks] == (
            ["cfnops-bootstrap"] if region == "us-east-1" else []
        )  # bootstrap stays
        assert "dev-fraud-rules" in boto3.client("dynamodb", region_name=region).list_tables()["TableNames"]
        groups = boto3.client("logs", region_name=region).describe_log_groups()["logGroups"]
        assert f"/dev/{region}/vpc-flow-logs" in [g["logGroupName"] for g in groups]


def test_dev_destroy_with_remove_retained_then_deploy_converges(project, capsys):
    """dev is rebuilt freely: destroy --remove-retained removes what deletion policies kept
    (fixed-name log groups, tables, buckets, ...), so the next deploy creates everything again."""
    cli(project, "bootstrap", "--env", "dev")
    assert cli(project, "deploy", "--env", "dev") == ExitCode.OK
    assert cli(project, "destroy", "--env", "dev", "--remove-retained") == ExitCode.OK
    assert "destroy: removed the " in capsys.readouterr().out
    logs = boto3.client("logs", region_name="us-east-1")
    assert "/dev/us-east-1/vpc-flow-logs" not in [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert cli(project, "deploy", "--env", "dev") == ExitCode.OK
    statuses = {
        i["Status"]
        for name in STACKSET_REGIONS
        for i in boto3.client("cloudformation", region_name="us-east-1").list_stack_instances(
            StackSetName=f"{name}-dev"
        )["Summaries"]
    }
    assert statuses == {"CURRENT"}


def test_a_later_remove_retained_finds_what_an_earlier_destroy_kept(project, capsys):
    """The first destroy keeps the data and records it in the artifacts bucket; the StackSets are
    gone, yet destroy --remove-retained finds and removes what it kept, and dev deploys again."""
    cli(project, "bootstrap", "--env", "dev")
    assert cli(project, "deploy", "--env", "dev") == ExitCode.OK
    capsys.readouterr()
    assert cli(project, "destroy", "--env", "dev") == ExitCode.OK
    first = capsys.readouterr().out
    kept = [line.split() for line in first.splitlines() if line.startswith("retained: ")]
    commands = [line for line in first.splitlines() if line.startswith("    remove: ")]
    removable = [c for c in commands if "(no command known" not in c]
    assert kept and "recorded in s3://cfnops-artifacts-123456789012-us-east-1/cfnops/retained/dev.json" in first
    assert cli(project, "destroy", "--env", "dev", "--remove-retained") == ExitCode.OK
    second = capsys.readouterr().out
    assert f"destroy: removed the {len(removable)} resources the StackSets retained" in second
    assert second.count("retained: ") == len(commands) - len(removable)  # only what no remover knows stays
    for _, _, region, _, _, _, _, name in (k for k in kept if k[5] == "(AWS::Logs::LogGroup,"):
        groups = boto3.client("logs", region_name=region).describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        assert name not in [g["logGroupName"] for g in groups]
    for _, _, region, _, _, _, _, name in (k for k in kept if k[5] == "(AWS::DynamoDB::Table,"):
        assert name not in boto3.client("dynamodb", region_name=region).list_tables()["TableNames"]
    assert cli(project, "deploy", "--env", "dev") == ExitCode.OK  # nothing left that "already exists"


def test_remove_retained_is_for_dev_only(project, capsys):
    assert cli(project, "destroy", "--env", "staging", "--remove-retained") == ExitCode.INVALID_INPUT
    assert capsys.readouterr().err == (
        "error: --remove-retained: only dev removes its retained data, got staging; nothing was changed\n"
    )


def test_missing_credentials_is_one_line_and_exit_6(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_REGION": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "cfnops", "plan", "--env", "staging"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == ExitCode.AWS_ACCESS == 6
    assert result.stderr.startswith("error: no AWS credentials: set AWS_PROFILE") and result.stderr.count("\n") == 1


def reports_in_the_tree() -> dict[str, float]:
    folder = ROOT / "reports"
    return {p.name: p.stat().st_mtime for p in folder.iterdir()} if folder.exists() else {}


def test_make_demo_runs_end_to_end_against_the_localcloud_server(tmp_path):
    """The README's first command, minus `make setup`: a real moto server over HTTP. Its HTML
    reports go to a temporary directory (CFNOPS_REPORTS_DIR), never into the tree's reports/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["LOCALCLOUD_OPERATION_SECONDS"] = "0.2"
    env["CFNOPS_REPORTS_DIR"] = str(tmp_path / "reports")
    before = reports_in_the_tree()
    result = subprocess.run(
        [sys.executable, "scripts/demo.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    statuses = [line.split()[3:5] for line in out.splitlines() if line.startswith(tuple(STACKSET_REGIONS))]
    assert statuses.count(["CURRENT", "SUCCEEDED"]) == INSTANCES  # every StackSet in each of its regions
    assert f"deploy: nothing to do ({len(STACKSET_REGIONS)} StackSets unchanged)" in out
    drifted = out[out.index("=== drift (someone changed us-west-2)") : out.index("=== drift (reverted)")]
    assert "network-staging us-west-2 123456789012: FlowLogGroup" in drifted
    assert "/RetentionInDays: expected 90, actual 7 (NOT_EQUAL)" in drifted and "(exit 2)" in drifted
    assert "drift of staging: IN_SYNC" in out[out.index("=== drift (reverted)") :]
    assert f"{tmp_path}/reports/drift-staging-latest.html" in result.stderr
    assert (tmp_path / "reports" / "drift-staging-latest.html").exists()
    assert reports_in_the_tree() == before
    assert "demo: done; localcloud stopped" in out


def test_ctrl_c_is_exit_130_with_what_to_do(project, capsys, monkeypatch):
    from cfnops.cli import deploy as rollout  # where the deploy command calls deploy_environment

    def interrupted(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(rollout, "deploy_environment", interrupted)
    assert cli(project, "deploy", "--env", "staging") == ExitCode.INTERRUPTED == 130
    assert capsys.readouterr().err.strip() == (
        "interrupted: no operation was running and nothing new was started; run the same command again to go on"
    )

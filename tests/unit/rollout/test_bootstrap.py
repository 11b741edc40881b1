"""Bootstrap recovery, with the exact API calls (botocore Stubber): a stack whose creation
failed is reported with CloudFormation's first failure and `RECREATE=1`; with recreate its
termination protection is lifted, it is deleted and created again with protection."""

from __future__ import annotations

import datetime
import json

import pytest

from cfnops.build import bootstrap_seed, render
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode, OperationFailedError
from cfnops.inputs import params
from cfnops.rollout import bootstrap
from cfnops.rollout.operations import WaitSettings
from tests.conftest import PLATFORM

OLD_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/cfnops-bootstrap/old"
NEW_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/cfnops-bootstrap/new"
WHEN = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
TOO_BIG = "Maximum policy size of 10240 bytes exceeded for role AWSCloudFormationStackSetExecutionRole"
HINT = "run `make bootstrap ENV=staging RECREATE=1` to delete it and create it again"


@pytest.fixture(scope="module")
def inputs(project):
    resolved = params.resolve_deployed(project, "staging", render.read_generated(project))
    return project.template_path(PLATFORM.bootstrap).read_text(), resolved.plain(PLATFORM.bootstrap, "us-east-1")


def request(inputs, recreate: bool = False) -> bootstrap.Request:
    text, values = inputs
    return bootstrap.Request("us-east-1", text, values, WaitSettings(timeout=10, first_poll=0.0), "staging", recreate)


def create_arguments(inputs) -> dict:
    text, values = inputs
    # without the artifacts bucket to stage in (these requests name none), the compact JSON goes as it is
    body = json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    assert len(text.encode()) > 51_200
    return {
        "StackName": "cfnops-bootstrap",
        "TemplateBody": body,
        "Parameters": [{"ParameterKey": k, "ParameterValue": values[k]} for k in sorted(values)],
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "Tags": [{"Key": "ManagedBy", "Value": "cfnops"}],
        "EnableTerminationProtection": True,
    }


def stacks(stack_id: str, status: str) -> dict:
    return {
        "Stacks": [{"StackName": "cfnops-bootstrap", "StackId": stack_id, "StackStatus": status, "CreationTime": WHEN}]
    }


def event(logical_id: str, status: str, reason: str = "") -> dict:
    return {
        "StackId": OLD_ID,
        "EventId": f"{logical_id}-{status}",
        "StackName": "cfnops-bootstrap",
        "Timestamp": WHEN,
        "LogicalResourceId": logical_id,
        "ResourceStatus": status,
        **({"ResourceStatusReason": reason} if reason else {}),
    }


FAILED_CREATE = [  # newest first, as DescribeStackEvents returns them
    event("cfnops-bootstrap", "ROLLBACK_COMPLETE"),
    event("ArtifactsKey", "DELETE_COMPLETE"),
    event("ArtifactsBucket", "CREATE_FAILED", "Resource creation cancelled"),
    event(
        "cfnops-bootstrap",
        "ROLLBACK_IN_PROGRESS",
        "The following resource(s) failed to create: [ExecutionRole, ArtifactsBucket].",
    ),
    event("ExecutionRole", "CREATE_FAILED", TOO_BIG),
    event("ExecutionRole", "CREATE_IN_PROGRESS"),
    event("cfnops-bootstrap", "CREATE_IN_PROGRESS", "User Initiated"),
]


@pytest.mark.parametrize("failed", ["ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED"])  # the latter: only deletable
def test_recreate_lifts_protection_for_the_delete_then_creates_with_protection(aws, stub, inputs, failed):
    stub.add_response("describe_stacks", stacks(OLD_ID, failed), {"StackName": "cfnops-bootstrap"})
    stub.add_response(
        "update_termination_protection",
        {"StackId": OLD_ID},
        {"StackName": OLD_ID, "EnableTerminationProtection": False},
    )
    stub.add_response("delete_stack", {}, {"StackName": OLD_ID})
    stub.add_response("describe_stacks", stacks(OLD_ID, "DELETE_COMPLETE"), {"StackName": OLD_ID})  # the waiter
    stub.add_response("create_stack", {"StackId": NEW_ID}, create_arguments(inputs))
    stub.add_response("describe_stacks", stacks(NEW_ID, "CREATE_COMPLETE"), {"StackName": NEW_ID})
    assert bootstrap.deploy_region(aws, request(inputs, recreate=True)) == "recreated"


def test_a_failed_stack_without_recreate_is_reported_with_the_first_failure(aws, stub, inputs):
    stub.add_response("describe_stacks", stacks(OLD_ID, "ROLLBACK_COMPLETE"), {"StackName": "cfnops-bootstrap"})
    stub.add_response("describe_stack_events", {"StackEvents": FAILED_CREATE}, {"StackName": OLD_ID})
    with pytest.raises(OperationFailedError) as raised:
        bootstrap.deploy_region(aws, request(inputs))
    assert str(raised.value) == f"cfnops-bootstrap in us-east-1 is ROLLBACK_COMPLETE: ExecutionRole: {TOO_BIG}; {HINT}"


def test_the_cli_prints_that_as_one_line_and_exits_1(aws, stub, project, monkeypatch, capsys):
    from cfnops.cli import context as cli_context  # where the CLI makes its Aws

    monkeypatch.setattr(cli_context, "Aws", lambda: aws)
    monkeypatch.setattr(aws, "account_id", lambda region: "123456789012")  # the CLI's first call: who am I
    monkeypatch.setattr(aws, "caller_arn", lambda region: "arn:aws:iam::123456789012:user/ops")  # who may stage
    stub.add_response("describe_stacks", stacks(OLD_ID, "ROLLBACK_FAILED"), {"StackName": "cfnops-bootstrap"})
    stub.add_response("describe_stack_events", {"StackEvents": FAILED_CREATE}, {"StackName": OLD_ID})
    assert main(["--root", str(project.root), "bootstrap", "--env", "staging"]) == ExitCode.ERROR == 1
    assert (
        capsys.readouterr().err
        == f"error: cfnops-bootstrap in us-east-1 is ROLLBACK_FAILED: ExecutionRole: {TOO_BIG}; {HINT}\n"
    )


def test_a_create_that_fails_is_reported_the_same_way(aws, stub, inputs):
    stub.add_client_error(
        "describe_stacks",
        "ValidationError",
        "Stack with id cfnops-bootstrap does not exist",
        expected_params={"StackName": "cfnops-bootstrap"},
    )
    stub.add_response("create_stack", {"StackId": OLD_ID}, create_arguments(inputs))
    stub.add_response("describe_stacks", stacks(OLD_ID, "ROLLBACK_COMPLETE"), {"StackName": OLD_ID})
    stub.add_response("describe_stack_events", {"StackEvents": FAILED_CREATE}, {"StackName": OLD_ID})
    with pytest.raises(OperationFailedError) as raised:
        bootstrap.deploy_region(aws, request(inputs))
    assert str(raised.value) == (
        f"cfnops-bootstrap in us-east-1: creation failed (ROLLBACK_COMPLETE): ExecutionRole: {TOO_BIG}; "
        f"fix the cause, then {HINT}"
    )


def test_only_the_last_operation_is_searched_for_the_reason(aws, stub, inputs):
    stub.add_response("describe_stacks", stacks(OLD_ID, "UPDATE_COMPLETE"), {"StackName": "cfnops-bootstrap"})
    arguments = {k: v for k, v in create_arguments(inputs).items() if k != "EnableTerminationProtection"}
    stub.add_response("update_stack", {"StackId": OLD_ID}, arguments)
    stub.add_response("describe_stacks", stacks(OLD_ID, "UPDATE_ROLLBACK_COMPLETE"), {"StackName": OLD_ID})
    stub.add_response(
        "describe_stack_events",
        {
            "NextToken": "older",
            "StackEvents": [
                event("cfnops-bootstrap", "UPDATE_ROLLBACK_COMPLETE"),
                event("ExecutionRole", "UPDATE_FAILED", TOO_BIG),
                event("cfnops-bootstrap", "UPDATE_IN_PROGRESS", "User Initiated"),
                event(
                    "AdministrationRole", "UPDATE_FAILED", "an older update's failure"
                ),  # not asked for: the page ends here
            ],
        },
        {"StackName": OLD_ID},
    )
    with pytest.raises(
        OperationFailedError, match=f"update failed \\(UPDATE_ROLLBACK_COMPLETE\\): ExecutionRole: {TOO_BIG}$"
    ):
        bootstrap.deploy_region(aws, request(inputs))


def test_recreate_never_deletes_a_healthy_stack(aws, stub, inputs):
    stub.add_response("describe_stacks", stacks(OLD_ID, "UPDATE_ROLLBACK_COMPLETE"), {"StackName": "cfnops-bootstrap"})
    stub.add_client_error("update_stack", "ValidationError", "No updates are to be performed.")
    assert bootstrap.deploy_region(aws, request(inputs, recreate=True)) == "unchanged"


def test_a_bootstrap_over_templatebodys_limit_is_seeded_with_the_artifacts_bucket_alone(inputs):
    text, _ = inputs
    first, whole = bootstrap_seed.body_or_seed(text, PLATFORM.artifacts_bucket)
    assert whole is not None and len(whole.encode()) > 51_200 >= len(first.encode())
    seed = json.loads(first)
    bucket = bootstrap_seed.bucket_id(json.loads(text), PLATFORM.artifacts_bucket)
    assert bucket in seed["Resources"]
    kinds = sorted(r["Type"] for r in seed["Resources"].values())
    assert kinds == ["AWS::KMS::Key", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"]  # the bucket, its key, its policy
    assert seed["Parameters"] == json.loads(text)["Parameters"] and "Outputs" not in seed


CALLER = "arn:aws:sts::123456789012:assumed-role/PlatformDeploy/alice"
BUCKET = PLATFORM.bucket("123456789012", "us-east-1")
VERSION = "3sL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"


def test_a_staged_first_bootstrap_makes_exactly_these_calls(aws, stub, inputs, monkeypatch):
    """First creation: the artifacts bucket with its key and policy (the caller its only
    writer), then the whole template written there and the stack updated from it by a
    TemplateURL pinned to the version S3 answered."""
    from botocore.stub import Stubber

    text, values = inputs
    monkeypatch.setattr(aws, "caller_arn", lambda region: CALLER)
    seed, whole = bootstrap_seed.body_or_seed(text, PLATFORM.artifacts_bucket)
    assert whole is not None
    assert sorted(r["Type"] for r in json.loads(seed)["Resources"].values()) == [
        "AWS::KMS::Key",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
    ]
    writers = "arn:aws:iam::123456789012:role/PlatformDeploy,arn:aws:iam::123456789012:role/*/PlatformDeploy"
    parameters = [
        {"ParameterKey": k, "ParameterValue": v}
        for k, v in sorted({**values, PLATFORM.artifacts_writers: writers}.items())
    ]
    common = {
        "StackName": "cfnops-bootstrap",
        "Parameters": parameters,
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "Tags": [{"Key": "ManagedBy", "Value": "cfnops"}],
    }
    key = bootstrap_seed.object_key(whole)
    stub.add_client_error(
        "describe_stacks",
        "ValidationError",
        "Stack with id cfnops-bootstrap does not exist",
        expected_params={"StackName": "cfnops-bootstrap"},
    )
    stub.add_response(
        "create_stack", {"StackId": NEW_ID}, {**common, "TemplateBody": seed, "EnableTerminationProtection": True}
    )
    stub.add_response("describe_stacks", stacks(NEW_ID, "CREATE_COMPLETE"), {"StackName": NEW_ID})
    stub.add_response(
        "update_stack",
        {"StackId": NEW_ID},
        {**common, "TemplateURL": f"https://{BUCKET}.s3.us-east-1.amazonaws.com/{key}?versionId={VERSION}"},
    )
    stub.add_response("describe_stacks", stacks(NEW_ID, "UPDATE_COMPLETE"), {"StackName": "cfnops-bootstrap"})
    with Stubber(aws.client("s3", "us-east-1")) as s3:
        s3.add_response(
            "put_object",
            {"VersionId": VERSION},
            {"Bucket": BUCKET, "Key": key, "Body": whole.encode(), "ContentType": "application/json"},
        )
        staged = bootstrap.Request(
            "us-east-1",
            text,
            values,
            WaitSettings(timeout=10, first_poll=0.0),
            "staging",
            artifacts_bucket=BUCKET,
            bucket_pattern=PLATFORM.artifacts_bucket,
            writers_parameter=PLATFORM.artifacts_writers,
        )
        assert bootstrap.deploy_region(aws, staged) == "created"
        s3.assert_no_pending_responses()

"""Bootstrap after its stack is gone (issue 20): the artifacts bucket and the audit trail's
locked bucket outlive the stack (DeletionPolicy), and the trail bucket cannot be deleted
before its objects' retention ends, so a new bootstrap must take them back, not collide with
them. On localcloud, through the code `make bootstrap` runs: the stack deleted by hand, or only
the trail bucket left, or a failed re-creation fixed and retried with RECREATE, each ends with
one healthy stack holding the same buckets and keys, their objects untouched."""

from __future__ import annotations

import warnings

import boto3
import pytest

import localcloud
from cfnops.core.errors import OperationFailedError
from cfnops.rollout import bootstrap
from tests.support.rollout import copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
KEPT = ("AWS::S3::Bucket", "AWS::KMS::Key")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        assert do_bootstrap(project) in ("created", "updated")
        yield project


def cloudformation():
    return boto3.client("cloudformation", region_name=REGION)


def kept() -> dict[str, str]:
    """Logical id -> physical id of the bootstrap's buckets and keys."""
    pages = cloudformation().get_paginator("list_stack_resources").paginate(StackName=bootstrap.STACK_NAME)
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for page in pages
        for r in page["StackResourceSummaries"]
        if r["ResourceType"] in KEPT
    }


def delete_by_hand() -> None:
    """What someone does in the console: termination protection off, then delete."""
    client = cloudformation()
    client.update_termination_protection(StackName=bootstrap.STACK_NAME, EnableTerminationProtection=False)
    client.delete_stack(StackName=bootstrap.STACK_NAME)


def write(bucket: str, key: str) -> None:
    boto3.client("s3", region_name=REGION).put_object(Bucket=bucket, Key=key, Body=b"kept")


def objects(bucket: str) -> list[str]:
    return [o["Key"] for o in boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=bucket).get("Contents", [])]


def healthy() -> dict:
    [stack] = cloudformation().describe_stacks(StackName=bootstrap.STACK_NAME)["Stacks"]
    return stack


def test_termination_protection_refuses_the_delete_as_aws_does(project):
    with pytest.raises(cloudformation().exceptions.ClientError) as refused:
        cloudformation().delete_stack(StackName=bootstrap.STACK_NAME)
    assert refused.value.response["Error"]["Message"] == (
        "Stack [cfnops-bootstrap] cannot be deleted while TerminationProtection is enabled"
    )
    assert healthy()["EnableTerminationProtection"] is True


def test_a_bootstrap_after_its_stack_was_deleted_takes_back_the_kept_buckets_and_keys(project):
    before = kept()
    assert {"ArtifactsBucket", "ArtifactsKey", "TrailBucket", "TrailKey"} <= set(before)
    write(before["ArtifactsBucket"], "cfnops/retained/dev.json")
    write(before["TrailBucket"], "AWSLogs/123456789012/CloudTrail/digest.json.gz")
    delete_by_hand()
    assert do_bootstrap(project) == "created"
    assert kept() == before  # the same buckets and keys, now the new stack's
    assert "cfnops/retained/dev.json" in objects(before["ArtifactsBucket"])  # beside the staged templates
    assert objects(before["TrailBucket"]) == ["AWSLogs/123456789012/CloudTrail/digest.json.gz"]
    stack = healthy()
    assert (stack["StackStatus"], stack["EnableTerminationProtection"]) == ("UPDATE_COMPLETE", True)
    assert do_bootstrap(project) in ("unchanged", "updated")  # a staged template is written again: "updated"
    assert kept() == before and healthy()["StackStatus"] == "UPDATE_COMPLETE"


def test_only_the_locked_trail_bucket_left_behind_still_converges(project):
    before = kept()
    delete_by_hand()
    s3 = boto3.client("s3", region_name=REGION)
    for version in s3.list_object_versions(Bucket=before["ArtifactsBucket"]).get("Versions", []):
        s3.delete_object(Bucket=before["ArtifactsBucket"], Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=before["ArtifactsBucket"])  # removable by hand, unlike the locked trail bucket
    assert do_bootstrap(project) == "created"
    after = kept()
    assert (after["TrailBucket"], after["TrailKey"]) == (before["TrailBucket"], before["TrailKey"])
    assert after["ArtifactsBucket"] == before["ArtifactsBucket"]  # made again under its name
    assert healthy()["StackStatus"] == "UPDATE_COMPLETE"


def test_a_re_creation_that_failed_converges_once_its_cause_is_fixed(project):
    before = kept()
    delete_by_hand()
    iam = boto3.client("iam", region_name=REGION)
    iam.create_role(RoleName="cfnops-drift-reader", AssumeRolePolicyDocument="{}")  # made by hand meanwhile
    with pytest.raises(OperationFailedError, match="cfnops-bootstrap in us-east-1: update failed"):
        do_bootstrap(project)
    iam.delete_role(RoleName="cfnops-drift-reader")
    assert do_bootstrap(project, recreate=True) in ("recreated", "updated")
    assert kept() == before
    assert healthy()["StackStatus"] == "UPDATE_COMPLETE"

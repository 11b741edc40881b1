"""localcloud's resource import (CreateChangeSet of type IMPORT into a new stack): the
existing bucket becomes the stack's, unchanged; what AWS's import refuses is refused, nothing
made (awsfacts/resource_import.py)."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest
from botocore.exceptions import ClientError

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
NAME = "kept-bucket-123456789012"


def template(policy: str | None = "Retain", **extra) -> str:
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": NAME}}
    if policy:
        bucket["DeletionPolicy"] = policy
    return json.dumps({"Resources": {"Kept": bucket, **extra}})


def to_import(name: str = NAME) -> list[dict]:
    return [
        {"ResourceType": "AWS::S3::Bucket", "LogicalResourceId": "Kept", "ResourceIdentifier": {"BucketName": name}}
    ]


@pytest.fixture
def cloud(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=NAME)
        s3.put_object(Bucket=NAME, Key="data", Body=b"kept")
        yield boto3.client("cloudformation", region_name=REGION), s3


def import_into(cf, stack: str, body: str, resources: list[dict]) -> dict:
    return cf.create_change_set(
        StackName=stack, ChangeSetName="adopt", ChangeSetType="IMPORT", TemplateBody=body, ResourcesToImport=resources
    )


def test_the_existing_bucket_becomes_the_new_stacks_with_its_objects(cloud):
    cf, s3 = cloud
    change_set = import_into(cf, "adopter", template(), to_import())
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set["Id"], WaiterConfig={"Delay": 0})
    cf.execute_change_set(ChangeSetName=change_set["Id"])
    [stack] = cf.describe_stacks(StackName="adopter")["Stacks"]
    assert stack["StackStatus"] == "IMPORT_COMPLETE"
    [resource] = cf.list_stack_resources(StackName="adopter")["StackResourceSummaries"]
    assert (resource["LogicalResourceId"], resource["PhysicalResourceId"]) == ("Kept", NAME)
    assert s3.get_object(Bucket=NAME, Key="data")["Body"].read() == b"kept"
    events = [e["ResourceStatus"] for e in cf.describe_stack_events(StackName="adopter")["StackEvents"]]
    assert events[:2] == ["IMPORT_COMPLETE", "IMPORT_IN_PROGRESS"]


@pytest.mark.parametrize(
    ("body", "resources", "refusal"),
    [
        (template(policy=None), to_import(), "Kept: each resource to import must have a DeletionPolicy attribute"),
        (
            template(),
            to_import("no-such-bucket"),
            "Kept: resource no-such-bucket of type AWS::S3::Bucket does not exist",
        ),
        (
            template(Extra={"Type": "AWS::SNS::Topic", "Properties": {}}),
            to_import(),
            "an import creates no resources; the template also holds Extra, not imported",
        ),
    ],
)
def test_what_an_import_may_not_do_is_refused_and_nothing_is_made(cloud, body, resources, refusal):
    cf, _ = cloud
    with pytest.raises(ClientError) as refused:
        import_into(cf, "adopter", body, resources)
    assert refused.value.response["Error"]["Message"] == refusal
    assert not [s for s in cf.list_stacks()["StackSummaries"] if s["StackName"] == "adopter"]


def test_a_resource_another_stack_holds_cannot_be_imported(cloud):
    cf, _ = cloud
    change_set = import_into(cf, "first", template(), to_import())
    cf.execute_change_set(ChangeSetName=change_set["Id"])
    with pytest.raises(ClientError) as refused:
        import_into(cf, "second", template(), to_import())
    assert refused.value.response["Error"]["Message"] == (
        f"Kept: resource {NAME} of type AWS::S3::Bucket already belongs to stack first"
    )

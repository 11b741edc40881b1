"""localcloud reads a TemplateURL as CloudFormation does: the object version its versionId
names, and a missing bucket, key or version is CloudFormation's ValidationError."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest
from botocore.exceptions import ClientError

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

BUCKET = "templates-123456789012-us-east-1"
KEY = "cfnops/template.json"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def s3():
    return boto3.client("s3", region_name="us-east-1")


def cfn():
    return boto3.client("cloudformation", region_name="us-east-1")


def template(description: str) -> str:
    return json.dumps({"Description": description, "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})


def url(key: str = KEY, version: str | None = None, bucket: str = BUCKET) -> str:
    base = f"https://{bucket}.s3.us-east-1.amazonaws.com/{key}"
    return f"{base}?versionId={version}" if version else base


@pytest.fixture
def two_versions(aws) -> tuple[str, str]:
    """The key written twice in a versioned bucket: (first version id, second)."""
    s3().create_bucket(Bucket=BUCKET)
    s3().put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = s3().put_object(Bucket=BUCKET, Key=KEY, Body=template("first").encode())["VersionId"]
    second = s3().put_object(Bucket=BUCKET, Key=KEY, Body=template("second").encode())["VersionId"]
    return first, second


def description_of(stack: str) -> str:
    return cfn().get_template(StackName=stack)["TemplateBody"]["Description"]  # botocore parses the JSON


def test_a_stack_reads_the_version_its_url_names(two_versions):
    first, second = two_versions
    cfn().create_stack(StackName="pinned-first", TemplateURL=url(version=first))
    cfn().create_stack(StackName="pinned-second", TemplateURL=url(version=second))
    cfn().create_stack(StackName="latest", TemplateURL=url())
    assert description_of("pinned-first") == "first"
    assert description_of("pinned-second") == "second"
    assert description_of("latest") == "second"


def test_an_update_reads_the_pinned_version_though_the_key_moved_on(two_versions):
    first, _ = two_versions
    cfn().create_stack(StackName="stack", TemplateBody=template("body"))
    cfn().update_stack(StackName="stack", TemplateURL=url(version=first))
    assert description_of("stack") == "first"


def test_a_stackset_reads_the_version_its_url_names(two_versions):
    first, _ = two_versions
    cfn().create_stack_set(StackSetName="pinned", TemplateURL=url(version=first))
    body = cfn().describe_stack_set(StackSetName="pinned")["StackSet"]["TemplateBody"]
    assert json.loads(body)["Description"] == "first"


def test_validate_template_reads_the_pinned_version(two_versions):
    first, _ = two_versions
    assert cfn().validate_template(TemplateURL=url(version=first))["Description"] == "first"


def refusal(**arguments) -> str:
    with pytest.raises(ClientError) as error:
        cfn().create_stack(StackName="refused", **arguments)
    assert error.value.response["Error"]["Code"] == "ValidationError"
    return error.value.response["Error"]["Message"]


def test_an_unknown_version_is_refused_as_cloudformation_does(two_versions):
    message = refusal(TemplateURL=url(version="3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"))
    assert message.startswith("S3 error: The specified version does not exist.")
    assert not cfn().describe_stacks()["Stacks"]


def test_a_missing_key_or_bucket_is_refused_as_cloudformation_does(two_versions):
    assert refusal(TemplateURL=url(key="cfnops/other.json")).startswith("S3 error: The specified key does not exist.")
    assert refusal(TemplateURL=url(bucket="no-such-bucket")).startswith(
        "S3 error: The specified bucket does not exist."
    )


def test_a_nested_stack_reads_the_version_its_url_names(two_versions):
    first, _ = two_versions
    parent = {
        "Resources": {
            "Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url(version=first)}}
        }
    }
    cfn().create_stack(StackName="parent", TemplateBody=json.dumps(parent))
    child = next(s for s in cfn().describe_stacks()["Stacks"] if s["StackName"] != "parent")
    assert description_of(child["StackId"]) == "first"

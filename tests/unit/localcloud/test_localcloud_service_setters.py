"""In-place setters of properties our templates set but no parameter reaches (a template
change): one stack per case, one property changed, the resource keeps its physical id and
the service reports the new value through its own API (plain boto3)."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "eu-west-1"
PATTERN = {"source": ["fraud.platform"]}


@pytest.fixture
def cfn(monkeypatch):
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield boto3.client("cloudformation", region_name=REGION)


def apply(cfn, resources: dict) -> str:
    body = json.dumps({"Resources": resources})
    if cfn.list_stacks()["StackSummaries"]:
        cfn.update_stack(StackName="s", TemplateBody=body)
    else:
        cfn.create_stack(StackName="s", TemplateBody=body)
    stack = cfn.describe_stacks(StackName="s")["Stacks"][0]
    reasons = [e.get("ResourceStatusReason") for e in cfn.describe_stack_events(StackName="s")["StackEvents"]]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), [r for r in reasons if r]
    return cfn.describe_stack_resource(StackName="s", LogicalResourceId="Thing")["StackResourceDetail"][
        "PhysicalResourceId"
    ]


def rule(**properties) -> dict:
    return {"Thing": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": PATTERN, **properties}}}


def test_an_event_rule_changes_state_description_and_pattern_in_place(cfn):
    name = apply(cfn, rule(State="ENABLED", Description="before"))
    pattern = {"source": ["fraud.platform"], "detail-type": ["Fraud detected"]}
    assert apply(cfn, rule(State="DISABLED", Description="after", EventPattern=pattern)) == name
    described = boto3.client("events", region_name=REGION).describe_rule(Name=name)
    assert (described["State"], described["Description"], json.loads(described["EventPattern"])) == (
        "DISABLED",
        "after",
        pattern,
    )


def test_a_kms_alias_points_at_another_key_in_place(cfn):
    keys = {
        name: {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}}
        for name in ("First", "Second")
    }

    def alias(target: str) -> dict:
        return {
            "Thing": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/x", "TargetKeyId": {"Ref": target}}}
        }

    name = apply(cfn, {**keys, **alias("First")})
    assert apply(cfn, {**keys, **alias("Second")}) == name
    second = cfn.describe_stack_resource(StackName="s", LogicalResourceId="Second")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    aliases = boto3.client("kms", region_name=REGION).list_aliases()["Aliases"]
    assert [a["TargetKeyId"] for a in aliases if a["AliasName"] == "alias/x"] == [second]


def test_a_target_group_changes_its_health_check_in_place(cfn):
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}

    def group(path: str, matcher: str) -> dict:
        properties = {"Port": 443, "Protocol": "HTTPS", "VpcId": {"Ref": "Vpc"}, "TargetType": "ip"}
        return {
            "Vpc": vpc,
            "Thing": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {**properties, "HealthCheckPath": path, "Matcher": {"HttpCode": matcher}},
            },
        }

    arn = apply(cfn, group("/health", "200"))
    assert apply(cfn, group("/ready", "200-299")) == arn
    [described] = boto3.client("elbv2", region_name=REGION).describe_target_groups(TargetGroupArns=[arn])[
        "TargetGroups"
    ]
    assert (described["HealthCheckPath"], described["Matcher"]["HttpCode"]) == ("/ready", "200-299")


def test_a_kms_key_changes_description_rotation_and_state_in_place(cfn):
    # a JSON string: moto's key-policy check fails on the object form CloudFormation also accepts
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})

    def key(description: str, rotation: bool, enabled: bool) -> dict:
        properties = {"KeyPolicy": policy, "Description": description, "EnableKeyRotation": rotation}
        return {"Thing": {"Type": "AWS::KMS::Key", "Properties": {**properties, "Enabled": enabled}}}

    key_id = apply(cfn, key("before", False, True))
    assert apply(cfn, key("after", True, False)) == key_id
    kms = boto3.client("kms", region_name=REGION)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    rotation = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    assert (metadata["Description"], metadata["Enabled"], rotation) == ("after", False, True)


def test_a_bucket_changes_versioning_encryption_and_public_access_block_in_place(cfn):
    def bucket(status: str, algorithm: str, block: bool) -> dict:
        encryption = {
            "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]
        }
        flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        properties = {
            "VersioningConfiguration": {"Status": status},
            "BucketEncryption": encryption,
            "PublicAccessBlockConfiguration": dict.fromkeys(flags, block),
        }
        return {"Thing": {"Type": "AWS::S3::Bucket", "Properties": properties}}

    name = apply(cfn, bucket("Suspended", "AES256", False))
    assert apply(cfn, bucket("Enabled", "aws:kms", True)) == name
    s3 = boto3.client("s3", region_name=REGION)
    rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert set(block.values()) == {True}

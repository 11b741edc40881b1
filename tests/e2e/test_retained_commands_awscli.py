"""Every `remove:` command destroy prints, run as printed (bash, the AWS CLI) against the
localcloud server: each retained resource type with a remover, made the way the platform makes
it (a table with deletion protection on, a versioned bucket with old versions), is gone after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from cfnops.rollout.retained import REMOVERS, Retained
from templates_src.conventions import REGIONS
from tests.support.server import localcloud_server

BIN = Path(sys.executable).parent
REGION = "eu-west-1"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with localcloud_server(tmp_path_factory.mktemp("retained") / "env") as exports:
        yield {**os.environ, **exports, "AWS_PAGER": "", "PATH": f"{BIN}:{os.environ['PATH']}"}


def client(environment: dict, service: str, region: str = REGION):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=environment["AWS_ENDPOINT_URL"],
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
    )


def _table(env: dict) -> tuple[str, callable]:
    dynamodb = client(env, "dynamodb")
    dynamodb.create_table(
        TableName="dev-fraud rules",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        DeletionProtectionEnabled=True,
    )
    return "dev-fraud rules", lambda: "dev-fraud rules" in dynamodb.list_tables()["TableNames"]


def _global_table(env: dict) -> tuple[str, callable]:
    """Made by a stack, as the platform makes it (a replica per Region, each protected), then kept."""
    table = {
        "Type": "AWS::DynamoDB::GlobalTable",
        "DeletionPolicy": "RetainExceptOnCreate",
        "Properties": {
            "TableName": "dev-fraud-rules-global",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "Replicas": [{"Region": region, "DeletionProtectionEnabled": True} for region in REGIONS],
        },
    }
    cloudformation = client(env, "cloudformation")
    cloudformation.create_stack(StackName="kept-global", TemplateBody=json.dumps({"Resources": {"Kept": table}}))
    cloudformation.delete_stack(StackName="kept-global")

    def exists() -> bool:
        names = (client(env, "dynamodb", region).list_tables()["TableNames"] for region in REGIONS)
        return any("dev-fraud-rules-global" in listed for listed in names)

    return "dev-fraud-rules-global", exists


def _bucket(env: dict) -> tuple[str, callable]:
    s3 = client(env, "s3")
    s3.create_bucket(Bucket="dev-kept-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket="dev-kept-bucket", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        s3.put_object(Bucket="dev-kept-bucket", Key="a key/with spaces.json", Body=body)
    s3.delete_object(Bucket="dev-kept-bucket", Key="a key/with spaces.json")  # a delete marker too
    return "dev-kept-bucket", lambda: "dev-kept-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def _log_group(env: dict) -> tuple[str, callable]:
    logs = client(env, "logs")
    logs.create_log_group(logGroupName="/dev/eu-west-1/vpc-flow-logs")
    return "/dev/eu-west-1/vpc-flow-logs", lambda: bool(
        logs.describe_log_groups(logGroupNamePrefix="/dev/eu-west-1/vpc-flow-logs")["logGroups"]
    )


def _stream(env: dict) -> tuple[str, callable]:
    kinesis = client(env, "kinesis")
    kinesis.create_stream(StreamName="dev-events", ShardCount=1)
    return "dev-events", lambda: "dev-events" in kinesis.list_streams()["StreamNames"]


def _queue(env: dict) -> tuple[str, callable]:
    sqs = client(env, "sqs")
    url = sqs.create_queue(QueueName="dev-dlq")["QueueUrl"]
    return url, lambda: bool(sqs.list_queues(QueueNamePrefix="dev-dlq").get("QueueUrls"))


def _secret(env: dict) -> tuple[str, callable]:
    secrets = client(env, "secretsmanager")
    arn = secrets.create_secret(Name="dev/db", SecretString="x")["ARN"]
    return arn, lambda: bool(secrets.list_secrets()["SecretList"])


def _key(env: dict) -> tuple[str, callable]:
    kms = client(env, "kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    return key, lambda: kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] != "PendingDeletion"


MAKERS = {
    "AWS::DynamoDB::Table": _table,
    "AWS::DynamoDB::GlobalTable": _global_table,
    "AWS::S3::Bucket": _bucket,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Kinesis::Stream": _stream,
    "AWS::SQS::Queue": _queue,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::KMS::Key": _key,
}


def test_every_remover_has_a_resource_made_here():
    assert set(MAKERS) == set(REMOVERS)


@pytest.mark.parametrize("resource_type", sorted(REMOVERS))
def test_the_printed_remove_command_removes_the_resource(server, resource_type):
    physical_id, exists = MAKERS[resource_type](server)
    assert exists()
    item = Retained("kept-dev", "123456789012", REGION, "Kept", resource_type, physical_id, "Retain")
    done = subprocess.run(["bash", "-c", item.command], env=server, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{item.command}\n{done.stderr}"
    assert not exists(), item.command

"""What the Lambda handler tests set up on moto: the function's environment and its tables."""

from __future__ import annotations

import json

import boto3

REGION = "eu-west-1"


def set_environment(monkeypatch, variables: dict[str, str]) -> None:
    """The region and the function's environment variables, as Lambda gives them."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def create_table(name: str, *keys: str, types: str = "SS") -> None:
    """An on-demand table keyed by ``keys`` (hash, then range), strings unless ``types`` says N."""
    boto3.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": t} for k, t in zip(keys, types, strict=False)],
        KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ("HASH", "RANGE"), strict=False)],
    )


def create_audit_bucket(name: str, days: int = 1) -> None:
    """A bucket locked as the template's audit-logs bucket: Object Lock, COMPLIANCE by default."""
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}, ObjectLockEnabledForBucket=True
    )
    s3.put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": days}},
        },
    )


def audit_records(bucket: str) -> dict[str, dict]:
    """Every object in ``bucket`` -> its head (the lock mode and date) and JSON body."""
    s3 = boto3.client("s3")
    records = {}
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        head = s3.head_object(Bucket=bucket, Key=item["Key"])
        body = json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        records[item["Key"]] = {"head": head, "body": body}
    return records

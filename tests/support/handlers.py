"""What the Lambda handler tests set up on moto: the function's environment and its tables."""

from __future__ import annotations

import boto3

REGION = "eu-west-1"


def set_environment(monkeypatch, variables: dict[str, str]) -> None:
    """The region and the function's environment variables, as Lambda gives them."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def create_table(name: str, *keys: str) -> None:
    """An on-demand table keyed by ``keys`` (hash, then range), all strings."""
    boto3.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
        KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ("HASH", "RANGE"), strict=False)],
    )

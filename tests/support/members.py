"""The member accounts of localcloud's organization, as an operator reaches them (their
OrganizationAccountAccessRole)."""

from __future__ import annotations

import boto3


def credentials_of(account: str) -> dict:
    """The member account's own credentials (its OrganizationAccountAccessRole)."""
    found = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="cfnops-tests"
    )["Credentials"]
    return {
        "aws_access_key_id": found["AccessKeyId"],
        "aws_secret_access_key": found["SecretAccessKey"],
        "aws_session_token": found["SessionToken"],
    }


def as_member(account: str, service: str, region: str = "us-east-1"):
    return boto3.client(service, region_name=region, **credentials_of(account))

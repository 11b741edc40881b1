"""Has `make bootstrap` run? Read-only checks that deploy makes before its first change.

In every administrator region: the stack ``cfnops-bootstrap`` in a complete state and the
artifacts bucket (HeadBucket); once per account (IAM is global): every role the bootstrap
template names (GetRole). Without them the rollout would fail half-way, after it had
created StackSets (NoSuchBucket for a large template, or a StackSet that cannot assume
its administration role).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from ..core.aws import error_code
from ..core.errors import NotBootstrappedError
from ..core.protocols import AwsFactory
from .bootstrap import STACK_NAME, stack_status
from .deploy import artifacts_bucket

USABLE = (
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
)


def role_names(template: dict) -> list[str]:
    """The roles the bootstrap template creates by name."""
    return sorted(
        resource["Properties"]["RoleName"]
        for resource in template.get("Resources", {}).values()
        if resource.get("Type") == "AWS::IAM::Role" and isinstance(resource.get("Properties", {}).get("RoleName"), str)
    )


def _stack_gap(aws: AwsFactory, region: str) -> str | None:
    status = stack_status(aws.client("cloudformation", region))
    if status is None:
        return f"stack {STACK_NAME} in {region}"
    return None if status in USABLE else f"stack {STACK_NAME} in {region} ({status})"


def _bucket_gap(aws: AwsFactory, account: str, region: str, pattern: str) -> str | None:
    bucket = artifacts_bucket(pattern, account, region)
    try:
        aws.client("s3", region).head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
    except ClientError as error:
        if error_code(error) in ("404", "NoSuchBucket"):
            return f"bucket {bucket}"
        if error_code(error) in ("403", "AccessDenied"):
            return f"bucket {bucket} (exists, but not this account's or not readable: 403)"
        raise
    return None


def _role_gap(aws: AwsFactory, region: str, name: str) -> str | None:
    try:
        aws.client("iam", region).get_role(RoleName=name)
    except ClientError as error:
        if error_code(error) == "NoSuchEntity":
            return f"role {name}"
        raise
    return None


def missing(aws: AwsFactory, account: str, regions: list[str], roles: list[str], bucket_pattern: str) -> list[str]:
    """What bootstrap should have made and is not there (reads only)."""
    gaps = []
    for region in regions:
        gaps += [_stack_gap(aws, region), _bucket_gap(aws, account, region, bucket_pattern)]
    gaps += [_role_gap(aws, regions[0], name) for name in roles]
    return [gap for gap in gaps if gap]


def require(
    aws: AwsFactory, account: str, regions: list[str], roles: list[str], environment: str, bucket_pattern: str
) -> None:
    gaps = missing(aws, account, regions, roles, bucket_pattern)
    if gaps:
        raise NotBootstrappedError(
            f"not bootstrapped: missing {'; '.join(gaps)}: run `make bootstrap ENV={environment}` "
            "first (nothing was changed)"
        )

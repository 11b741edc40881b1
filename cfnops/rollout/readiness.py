"""Has `make bootstrap` run? Read-only checks that deploy makes before its first change.

In every administrator region: the stack ``cfnops-bootstrap`` in a complete state and the
artifacts bucket (HeadBucket); once per account (IAM is global): every role the bootstrap
template names (GetRole). Without them the rollout would fail half-way, after it had
created StackSets (NoSuchBucket for a large template, or a StackSet that cannot assume
its administration role).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from ..awsfacts import intrinsics
from ..awsfacts import statuses as aws_status
from ..build import bootstrap_stamp
from ..core.aws import error_code
from ..core.errors import NotBootstrappedError
from ..core.protocols import AwsFactory
from .bootstrap import STACK_NAME, find_stack, stack_status
from .deploy import artifacts_bucket

USABLE = (
    aws_status.Stack.CREATE_COMPLETE,
    aws_status.Stack.UPDATE_COMPLETE,
    aws_status.Stack.UPDATE_ROLLBACK_COMPLETE,
    aws_status.Stack.IMPORT_COMPLETE,
    aws_status.Stack.IMPORT_ROLLBACK_COMPLETE,
)


def role_names(template: dict) -> list[str]:
    """The roles the bootstrap template creates by name (not those its parameters' defaults
    leave out, such as CI's roles before a repository is named)."""
    conditions = intrinsics.evaluate_conditions(template, intrinsics.parameter_values(template, {}))
    return sorted(
        resource["Properties"]["RoleName"]
        for resource in template.get("Resources", {}).values()
        if resource.get("Type") == "AWS::IAM::Role"
        and isinstance(resource.get("Properties", {}).get("RoleName"), str)
        and conditions.get(resource.get("Condition", ""), True)
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


def outdated(aws: AwsFactory, regions: list[str], rendered: dict) -> list[str]:
    """Regions whose bootstrap stack was deployed from another render than generated/'s (its
    outputs' digest), each with the workload resource types it was not rendered for."""
    digest, types = bootstrap_stamp.stamped(rendered)
    found = []
    for region in regions:
        stack = find_stack(aws.client("cloudformation", region)) or {}
        outputs = {o["OutputKey"]: {"Value": o.get("OutputValue", "")} for o in stack.get("Outputs", [])}
        deployed_digest, deployed_types = bootstrap_stamp.stamped({"Outputs": outputs})
        if deployed_digest != digest:
            new = sorted(types - deployed_types)
            found.append(
                f"{region} (new resource types: {', '.join(new)})" if new else f"{region} (its template changed)"
            )
    return found


def require(
    aws: AwsFactory,
    account: str,
    regions: list[str],
    template: dict,
    environment: str,
    bucket_pattern: str,
) -> None:
    """Bootstrap there (exit 7 naming what is missing) and from the current render (exit 7 naming
    the resource types it lacks): before any workload call."""
    gaps = missing(aws, account, regions, role_names(template), bucket_pattern)
    hint = f"run `make bootstrap ENV={environment}` first (nothing was changed)"
    if gaps:
        raise NotBootstrappedError(f"not bootstrapped: missing {'; '.join(gaps)}: {hint}")
    old = outdated(aws, regions, template)
    if old:
        raise NotBootstrappedError(f"bootstrap is out of date in {'; '.join(old)}: {hint}")

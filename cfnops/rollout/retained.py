"""What `destroy` leaves behind on purpose: every resource whose DeletionPolicy keeps it
(Retain, RetainExceptOnCreate; a Snapshot policy deletes the resource and keeps a snapshot
with a generated name, which collides with nothing), read from each instance's stack before the stack
is deleted, with the command that removes it. Retained resources with fixed names (log
groups, tables and global tables, buckets, streams, queues, secrets) make the next create of the same
environment fail with "already exists"; for an environment the platform does not protect
(dev), whose data is rebuilt freely, `destroy --remove-retained` removes them after the
stacks are gone, so destroy then deploy converges. Protected ones (staging, prod) keep them:
there only the listed commands remove them, by hand.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..awsfacts import global_tables
from ..core.errors import InputError
from ..core.located import InstanceResource
from ..core.protocols import AwsFactory, CloudFormationClient
from ..inputs.platform import Platform
from ..inputs.stacksets import StackSetSpec

KEPT = ("Retain", "RetainExceptOnCreate")


@dataclass(frozen=True)
class Retained(InstanceResource):
    """A resource its DeletionPolicy (``policy``) keeps when its stack is deleted."""

    policy: str

    @property
    def command(self) -> str:
        remover = REMOVERS.get(self.resource_type)
        return (
            remover[0](self)
            if remover
            else f"(no command known for {self.resource_type}: remove {self.physical_id} by hand)"
        )


def check_removal(platform: Platform, environment: str, remove: bool) -> None:
    """Only an environment the platform does not protect removes its retained data."""
    if remove and platform.environment(environment).protected:
        raise InputError(
            f"--remove-retained: only {', '.join(platform.unprotected)} removes its retained data, got {environment}; "
            "nothing was changed"
        )


def _kept(template: dict) -> dict[str, tuple[str, str]]:
    return {
        name: (resource["Type"], resource.get("DeletionPolicy", ""))
        for name, resource in template.get("Resources", {}).items()
        if resource.get("DeletionPolicy") in KEPT
    }


def _stack_ids(client: CloudFormationClient, spec: StackSetSpec) -> list[dict]:
    try:
        return [
            s
            for page in client.get_paginator("list_stack_instances").paginate(StackSetName=spec.name)
            for s in page.get("Summaries", [])
            if s.get("StackId")
        ]
    except ClientError as error:
        if error.response["Error"]["Code"] == "StackSetNotFoundException":
            return []
        raise


def collect(aws: AwsFactory, spec: StackSetSpec, template: dict) -> list[Retained]:
    """The kept resources of every instance of ``spec`` (an instance whose stack cannot be
    read, in another account, lists nothing)."""
    kept, found = _kept(template), []
    if not kept:
        return []
    for instance in _stack_ids(aws.client("cloudformation", spec.administrator_region), spec):
        client = aws.client("cloudformation", instance["Region"])
        try:
            pages = client.get_paginator("list_stack_resources").paginate(StackName=instance["StackId"])
            resources = [r for page in pages for r in page.get("StackResourceSummaries", [])]
        except ClientError:
            continue
        for resource in resources:
            if resource["LogicalResourceId"] in kept and resource.get("PhysicalResourceId"):
                kind, policy = kept[resource["LogicalResourceId"]]
                found.append(
                    Retained(
                        spec.name,
                        instance["Account"],
                        instance["Region"],
                        resource["LogicalResourceId"],
                        kind,
                        resource["PhysicalResourceId"],
                        policy,
                    )
                )
    return found


def _empty_bucket(s3, name: str) -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if objects:
            s3.delete_objects(Bucket=name, Delete={"Objects": objects})


def _remove_bucket(aws: AwsFactory, item: Retained) -> None:
    s3 = aws.client("s3", item.region)
    _empty_bucket(s3, item.physical_id)
    s3.delete_bucket(Bucket=item.physical_id)


def _remove_table(aws: AwsFactory, item: Retained) -> None:
    dynamodb = aws.client("dynamodb", item.region)
    dynamodb.update_table(TableName=item.physical_id, DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=item.physical_id)


def _replica_regions(dynamodb, name: str, region: str) -> list[str]:
    """The global table's other replicas (DescribeTable's Replicas)."""
    replicas = dynamodb.describe_table(TableName=name)["Table"].get("Replicas", [])
    return sorted({r["RegionName"] for r in replicas} - {region})


def _remove_global_table(aws: AwsFactory, item: Retained) -> None:
    """Every other replica first (its deletion protection off in its Region, then UpdateTable
    ReplicaUpdates Delete, one per request, waiting for the table to be ACTIVE again), then the
    table of the stack's Region like a regional one (awsfacts/global_tables.py)."""
    dynamodb = aws.client("dynamodb", item.region)
    for region in _replica_regions(dynamodb, item.physical_id, item.region):
        aws.client("dynamodb", region).update_table(TableName=item.physical_id, DeletionProtectionEnabled=False)
        dynamodb.update_table(TableName=item.physical_id, ReplicaUpdates=global_tables.delete_replica(region))
        dynamodb.get_waiter("table_exists").wait(TableName=item.physical_id, WaiterConfig={"Delay": 5})
    _remove_table(aws, item)


def _global_table_command(item: Retained) -> str:
    table = f"--table-name {_q(item)}"
    regions = (
        f"aws dynamodb describe-table --region {item.region} {table} --output text "
        f"--query 'Table.Replicas[?RegionName!=`{item.region}`].RegionName'"
    )
    return (
        f"for region in $({regions}); do "
        f'aws dynamodb update-table --region "$region" {table} --no-deletion-protection-enabled >/dev/null && '
        f"aws dynamodb update-table --region {item.region} {table} "
        '--replica-updates "[{\\"Delete\\": {\\"RegionName\\": \\"$region\\"}}]" >/dev/null && '
        f"aws dynamodb wait table-exists --region {item.region} {table} || exit 1; done && "
        f"aws dynamodb update-table --region {item.region} {table} --no-deletion-protection-enabled "
        "--query TableDescription.TableName --output text && "
        f"aws dynamodb delete-table --region {item.region} {table} --query TableDescription.TableName --output text"
    )


def _q(item: Retained) -> str:
    return shlex.quote(item.physical_id)


def _bucket_command(item: Retained) -> str:
    """Every version and delete marker, then the bucket: `aws s3 rb --force` deletes only the
    current objects, so a versioned bucket stays not empty (BucketNotEmpty)."""
    where = f"--region {item.region} --bucket {_q(item)}"
    return (
        f"aws s3api list-object-versions {where} --output text "
        "--query '[Versions,DeleteMarkers][][].[Key,VersionId]' | "
        f"while IFS=$'\\t' read -r key version; do "
        f'aws s3api delete-object {where} --key "$key" --version-id "$version" >/dev/null || exit 1; done && '
        f"aws s3api delete-bucket {where}"
    )


# type -> (the command a person runs (bash), what --remove-retained calls)
REMOVERS: dict[str, tuple[Callable[[Retained], str], Callable[..., None]]] = {
    "AWS::Logs::LogGroup": (
        lambda r: f"aws logs delete-log-group --region {r.region} --log-group-name {_q(r)}",
        lambda aws, r: aws.client("logs", r.region).delete_log_group(logGroupName=r.physical_id),
    ),
    "AWS::DynamoDB::Table": (
        lambda r: (
            f"aws dynamodb update-table --region {r.region} --table-name {_q(r)} --no-deletion-protection-enabled "
            f"--query TableDescription.TableName --output text && "
            f"aws dynamodb delete-table --region {r.region} --table-name {_q(r)} --query TableDescription.TableName --output text"
        ),
        _remove_table,
    ),
    "AWS::DynamoDB::GlobalTable": (_global_table_command, _remove_global_table),
    "AWS::S3::Bucket": (lambda r: _bucket_command(r), _remove_bucket),
    "AWS::Kinesis::Stream": (
        lambda r: f"aws kinesis delete-stream --region {r.region} --stream-name {_q(r)}",
        lambda aws, r: aws.client("kinesis", r.region).delete_stream(StreamName=r.physical_id),
    ),
    "AWS::SQS::Queue": (
        # AWS CLI v1 pins sqs to its legacy hostnames in some regions unless --endpoint-url is
        # given (awscli/customizations/overridesslcommonname.py), ignoring AWS_ENDPOINT_URL:
        # pass it on when set (localcloud), nothing on AWS
        lambda r: (
            f"aws sqs delete-queue --region {r.region} --queue-url {_q(r)}"
            ' ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"}'
        ),
        lambda aws, r: aws.client("sqs", r.region).delete_queue(QueueUrl=r.physical_id),
    ),
    "AWS::SecretsManager::Secret": (
        lambda r: (
            f"aws secretsmanager delete-secret --region {r.region} --force-delete-without-recovery --secret-id {_q(r)}"
        ),
        lambda aws, r: aws.client("secretsmanager", r.region).delete_secret(
            SecretId=r.physical_id, ForceDeleteWithoutRecovery=True
        ),
    ),
    "AWS::KMS::Key": (
        lambda r: f"aws kms schedule-key-deletion --region {r.region} --pending-window-in-days 7 --key-id {_q(r)}",
        lambda aws, r: aws.client("kms", r.region).schedule_key_deletion(KeyId=r.physical_id, PendingWindowInDays=7),
    ),
}


def removable(items: list[Retained]) -> tuple[list[Retained], list[Retained]]:
    """(what --remove-retained removes, what it leaves: types with generated names only)."""
    return [i for i in items if i.resource_type in REMOVERS], [i for i in items if i.resource_type not in REMOVERS]


def remove(aws: AwsFactory, items: list[Retained]) -> list[tuple[Retained, str]]:
    """Remove each item (one with a remover); the ones that failed, each with a line saying why
    (one already gone is removed)."""
    problems = []
    for item in items:
        remover = REMOVERS[item.resource_type]
        try:
            remover[1](aws, item)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code not in (
                "ResourceNotFoundException",
                "NoSuchBucket",
                "NotFoundException",
                "AWS.SimpleQueueService.NonExistentQueue",
            ):
                problems.append(
                    (
                        item,
                        f"{item.region} {item.logical_id} {item.physical_id}: {code}: {error.response['Error'].get('Message', '')}",
                    )
                )
    return problems

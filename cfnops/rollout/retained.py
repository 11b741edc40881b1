"""What `destroy` leaves behind on purpose: every resource whose DeletionPolicy keeps it
(Retain, RetainExceptOnCreate; a Snapshot policy deletes the resource and keeps a snapshot
with a generated name, which collides with nothing), read from each instance's stack before the stack
is deleted, with the command that removes it. Retained resources with fixed names (log
groups, tables, buckets, streams, queues, secrets) make the next create of the same
environment fail with "already exists"; for dev, whose data is rebuilt freely, `destroy
--remove-retained` removes them after the stacks are gone, so destroy then deploy converges.
Staging and prod keep them: there only the listed commands remove them, by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..core.errors import InputError, OperationFailedError
from ..core.located import InstanceResource
from ..core.protocols import AwsFactory, CloudFormationClient
from ..inputs.stacksets import StackSetSpec

KEPT = ("Retain", "RetainExceptOnCreate")
REMOVABLE_IN = ("dev",)


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


def check_removal(environment: str, remove: bool) -> None:
    if remove and environment not in REMOVABLE_IN:
        raise InputError(
            f"--remove-retained: only {', '.join(REMOVABLE_IN)} removes its retained data, got {environment}; "
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


def collect_all(aws: AwsFactory, specs: list[StackSetSpec], templates: Mapping[str, dict]) -> list[Retained]:
    """The kept resources of every instance of every StackSet (``templates``: name -> template)."""
    return [item for spec in specs for item in collect(aws, spec, templates[spec.template])]


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


# type -> (the command a person runs, what --remove-retained calls)
REMOVERS: dict[str, tuple[Callable[[Retained], str], Callable[..., None]]] = {
    "AWS::Logs::LogGroup": (
        lambda r: f"aws logs delete-log-group --region {r.region} --log-group-name {r.physical_id}",
        lambda aws, r: aws.client("logs", r.region).delete_log_group(logGroupName=r.physical_id),
    ),
    "AWS::DynamoDB::Table": (
        lambda r: f"aws dynamodb delete-table --region {r.region} --table-name {r.physical_id}",
        _remove_table,
    ),
    "AWS::S3::Bucket": (lambda r: f"aws s3 rb --region {r.region} --force s3://{r.physical_id}", _remove_bucket),
    "AWS::Kinesis::Stream": (
        lambda r: f"aws kinesis delete-stream --region {r.region} --stream-name {r.physical_id}",
        lambda aws, r: aws.client("kinesis", r.region).delete_stream(StreamName=r.physical_id),
    ),
    "AWS::SQS::Queue": (
        lambda r: f"aws sqs delete-queue --region {r.region} --queue-url {r.physical_id}",
        lambda aws, r: aws.client("sqs", r.region).delete_queue(QueueUrl=r.physical_id),
    ),
    "AWS::SecretsManager::Secret": (
        lambda r: (
            f"aws secretsmanager delete-secret --region {r.region} --force-delete-without-recovery --secret-id {r.physical_id}"
        ),
        lambda aws, r: aws.client("secretsmanager", r.region).delete_secret(
            SecretId=r.physical_id, ForceDeleteWithoutRecovery=True
        ),
    ),
    "AWS::KMS::Key": (
        lambda r: (
            f"aws kms schedule-key-deletion --region {r.region} --pending-window-in-days 7 --key-id {r.physical_id}"
        ),
        lambda aws, r: aws.client("kms", r.region).schedule_key_deletion(KeyId=r.physical_id, PendingWindowInDays=7),
    ),
}


def removable(items: list[Retained]) -> tuple[list[Retained], list[Retained]]:
    """(what --remove-retained removes, what it leaves: types with generated names only)."""
    return [i for i in items if i.resource_type in REMOVERS], [i for i in items if i.resource_type not in REMOVERS]


def remove(aws: AwsFactory, items: list[Retained]) -> list[str]:
    """Remove each item (one with a remover); the ones that failed, as lines."""
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
                    f"{item.region} {item.logical_id} {item.physical_id}: {code}: {error.response['Error'].get('Message', '')}"
                )
    return problems


def remove_removable(aws: AwsFactory, items: list[Retained]) -> tuple[list[Retained], list[Retained]]:
    """(what was removed, what stays): removes each item of a type with a remover;
    OperationFailedError listing the removals that failed."""
    removed, left = removable(items)
    problems = remove(aws, removed)
    if problems:
        raise OperationFailedError("\n".join(problems))
    return removed, left

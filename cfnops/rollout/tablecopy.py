"""`make copy-tables`: the copy step of a migration from a regional DynamoDB table to a
global table (docs/regions.md: DynamoDB global tables, turned on safely).

A template marks the global table that replaces a regional one with
``Metadata.cfnops.MigratesFrom: <logical id of the regional table>``. For every such pair
in every region of the StackSet, the regional table's items are read (Scan, paginated) and
written into the global table's replica of that region (BatchWriteItem, 25 at a time,
unprocessed items sent again). A put replaces an item with the same key, so running it
again changes nothing: it is idempotent. Regions are copied secondaries first and the
primary last, so for a key present in several regional tables the primary's item wins.
Nothing is deleted: the regional table is retired later, by RetireRegionalTable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..awsfacts.intrinsics import Resolver
from ..core.aws import error_code
from ..core.errors import OperationFailedError
from ..core.protocols import AwsFactory, DynamoDBClient, Progress

BATCH = 25  # BatchWriteItem's limit
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Migration:
    source: str  # logical id of the regional table
    target: str  # logical id of the global table


@dataclass(frozen=True)
class Copied:
    stackset: str
    region: str
    source: str
    target: str
    items: int


def migrations(template: Mapping) -> list[Migration]:
    resources = template.get("Resources", {})
    return [
        Migration(body["Metadata"]["cfnops"]["MigratesFrom"], logical_id)
        for logical_id, body in sorted(resources.items())
        if body.get("Type") == "AWS::DynamoDB::GlobalTable"
        and "MigratesFrom" in (body.get("Metadata") or {}).get("cfnops", {})
    ]


def table_name(template: Mapping, logical_id: str, values: Mapping[str, str], region: str) -> str:
    resolver = Resolver({**values, "AWS::Region": region})
    return str(resolver(template["Resources"][logical_id]["Properties"]["TableName"]))


def _exists(client: DynamoDBClient, name: str) -> bool:
    try:
        client.describe_table(TableName=name)
        return True
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return False
        raise


def _write(client: DynamoDBClient, name: str, items: list[dict]) -> None:
    requests = [{"PutRequest": {"Item": item}} for item in items]
    for _ in range(MAX_ATTEMPTS):
        if not requests:
            return
        answer = client.batch_write_item(RequestItems={name: requests})
        requests = answer.get("UnprocessedItems", {}).get(name, [])
    raise OperationFailedError(
        f"copy into {name}: {len(requests)} items still unprocessed after {MAX_ATTEMPTS} attempts"
    )


def copy_table(client: DynamoDBClient, source: str, target: str) -> int:
    """Scan ``source``, write every item into ``target``; the number of items copied."""
    copied = 0
    for page in client.get_paginator("scan").paginate(TableName=source, ConsistentRead=True):
        items = page.get("Items", [])
        for start in range(0, len(items), BATCH):
            _write(client, target, items[start : start + BATCH])
        copied += len(items)
    return copied


def regions_primary_last(regions: tuple[str, ...], primary: str) -> list[str]:
    return [region for region in regions if region != primary] + [region for region in regions if region == primary]


def copy_environment(
    aws: AwsFactory, specs, templates: Mapping[str, Mapping], resolved, progress: Progress
) -> list[Copied]:
    """Every migration of every StackSet of the environment, region by region."""
    done = []
    for spec in specs:
        template = templates[spec.template]
        for migration in migrations(template):
            for region in regions_primary_last(spec.regions, spec.primary):
                values = resolved.plain(spec.template, region)
                source, target = (
                    table_name(template, logical_id, values, region)
                    for logical_id in (migration.source, migration.target)
                )
                client = aws.client("dynamodb", region)
                if not _exists(client, source):
                    progress.note(spec.name, f"{region}: no regional table {source}: nothing to copy")
                    continue
                if not _exists(client, target):
                    raise OperationFailedError(
                        f"{spec.name}: {region}: global table {target} does not exist yet: "
                        "deploy with EnableGlobalTable: true first, then copy"
                    )
                items = copy_table(client, source, target)
                progress.note(spec.name, f"{region}: copied {items} items {source} -> {target}")
                done.append(Copied(spec.name, region, source, target, items))
    return done

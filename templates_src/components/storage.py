"""DynamoDB tables: on-demand, point-in-time recovery, SSE with the CMK, retained.

A table is either regional (one per stack instance) or global (created once, in the
primary region, replicated to every region). Either way its name and ARN are the same,
so policies and applications do not care which one it is.
"""

from __future__ import annotations

from troposphere import Ref, Sub, Template
from troposphere import dynamodb as ddb

from ..conventions import REGIONS, retain, standard_tags


def table_name(suffix: str) -> Sub:
    """DynamoDB names are regional; a global table needs the same name in every region."""
    return Sub(f"${{Environment}}-{suffix}")


def table_arn(suffix: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{Environment}}-{suffix}")


def _keys(hash_key: str, range_key: str | None, range_key_type: str = "S"):
    attributes = [ddb.AttributeDefinition(AttributeName=hash_key, AttributeType="S")]
    schema = [ddb.KeySchema(AttributeName=hash_key, KeyType="HASH")]
    if range_key:
        attributes.append(ddb.AttributeDefinition(AttributeName=range_key, AttributeType=range_key_type))
        schema.append(ddb.KeySchema(AttributeName=range_key, KeyType="RANGE"))
    return attributes, schema


def add_regional_table(
    template: Template,
    title: str,
    suffix: str,
    key,
    hash_key: str,
    range_key: str | None = None,
    condition=None,
    deletion_protection=True,
    ttl_attribute: str | None = None,
    stream_view: str | None = None,
    range_key_type: str = "S",
) -> ddb.Table:
    """``deletion_protection`` also blocks the cleanup of a failed first creation (as on
    AWS): make it a per-environment switch, off where stacks are rebuilt freely.
    ``ttl_attribute``: items expire at that epoch second; ``stream_view``: a DynamoDB stream;
    ``range_key_type``: "N" for a numeric range key (versions sort as numbers)."""
    attributes, schema = _keys(hash_key, range_key, range_key_type)
    extra = {}
    if ttl_attribute:
        extra["TimeToLiveSpecification"] = ddb.TimeToLiveSpecification(AttributeName=ttl_attribute, Enabled=True)
    if stream_view:
        extra["StreamSpecification"] = ddb.StreamSpecification(StreamViewType=stream_view)
    table = ddb.Table(
        title,
        TableName=table_name(suffix),
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=attributes,
        KeySchema=schema,
        PointInTimeRecoverySpecification=ddb.PointInTimeRecoverySpecification(PointInTimeRecoveryEnabled=True),
        SSESpecification=ddb.SSESpecification(SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=Ref(key)),
        DeletionProtectionEnabled=deletion_protection,
        Tags=standard_tags(),
        **extra,
    )
    if condition:
        table.Condition = condition
    return template.add_resource(retain(table))


def add_global_table(
    template: Template,
    title: str,
    suffix: str,
    key_alias_of_region,
    hash_key: str,
    range_key: str | None,
    condition: str,
    deletion_protection,
    migrates_from: ddb.Table | None = None,
) -> ddb.GlobalTable:
    """Replicated to every platform region; each replica encrypted with its region's CMK
    (``key_alias_of_region(region)`` names it; it must exist in that region before the
    table: DynamoDB needs a key of the replica's own region), with point-in-time recovery
    and ``deletion_protection``. ``migrates_from``: the regional table whose items
    ``cfnops copy-tables`` copies into this one (Metadata.cfnops.MigratesFrom)."""
    attributes, schema = _keys(hash_key, range_key)
    replicas = [
        ddb.ReplicaSpecification(
            Region=region,
            PointInTimeRecoverySpecification=ddb.PointInTimeRecoverySpecification(PointInTimeRecoveryEnabled=True),
            SSESpecification=ddb.ReplicaSSESpecification(KMSMasterKeyId=key_alias_of_region(region)),
            DeletionProtectionEnabled=deletion_protection,
            Tags=standard_tags(),
        )
        for region in REGIONS
    ]
    table = ddb.GlobalTable(
        title,
        Condition=condition,
        TableName=table_name(suffix),
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=attributes,
        KeySchema=schema,
        StreamSpecification=ddb.StreamSpecification(StreamViewType="NEW_AND_OLD_IMAGES"),
        SSESpecification=ddb.GlobalTableSSESpecification(SSEEnabled=True, SSEType="KMS"),
        Replicas=replicas,
    )
    if migrates_from is not None:
        table.Metadata = {"cfnops": {"MigratesFrom": migrates_from.title}}
    return template.add_resource(retain(table))

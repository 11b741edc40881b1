"""Kinesis data streams encrypted with a customer-managed key."""

from __future__ import annotations

from troposphere import Ref, Template, kinesis

from ..conventions import physical_name, retain, standard_tags


def add_stream(template: Template, title: str, suffix: str, key, retention_hours, shard_count=None) -> kinesis.Stream:
    """On-demand when ``shard_count`` is None, else provisioned with that many shards."""
    properties = dict(
        Name=physical_name("kinesis", suffix),
        RetentionPeriodHours=retention_hours,
        StreamEncryption=kinesis.StreamEncryption(EncryptionType="KMS", KeyId=Ref(key)),
        Tags=standard_tags(),
    )
    if shard_count is None:
        properties["StreamModeDetails"] = kinesis.StreamModeDetails(StreamMode="ON_DEMAND")
    else:
        properties["StreamModeDetails"] = kinesis.StreamModeDetails(StreamMode="PROVISIONED")
        properties["ShardCount"] = shard_count
    return template.add_resource(retain(kinesis.Stream(title, **properties)))

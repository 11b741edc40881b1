"""Limits AWS's service APIs put on an in-place update that CloudFormation's handler makes
through them (the stack update fails with the service's refusal), where the registry schema
says nothing.

Kinesis UpdateShardCount (the handler's call for a ShardCount change), from
https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html: by
default a call cannot scale a stream up to more than double its current open shard count,
nor down below half of it (LimitExceededException). The default retention period, 24
hours, from https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kinesis-stream.html
(RetentionPeriodHours).
"""

from __future__ import annotations

UPDATE_SHARD_COUNT_PAGE = "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html"
KINESIS_SCALE_FACTOR = 2  # up to double, down to half, in one UpdateShardCount
KINESIS_DEFAULT_RETENTION_HOURS = 24


def shard_count_refusal(stream: str, current: int, target: int) -> str:
    """AWS's refusal of UpdateShardCount from ``current`` open shards to ``target`` ("" when allowed)."""
    if target > current * KINESIS_SCALE_FACTOR:
        return (
            f"LimitExceededException: UpdateShardCount cannot scale stream {stream} up to more than double its "
            f"current open shard count ({current} -> {target}); change ShardCount in steps ({UPDATE_SHARD_COUNT_PAGE})"
        )
    if target * KINESIS_SCALE_FACTOR < current:
        return (
            f"LimitExceededException: UpdateShardCount cannot scale stream {stream} down below half its "
            f"current open shard count ({current} -> {target}); change ShardCount in steps ({UPDATE_SHARD_COUNT_PAGE})"
        )
    return ""

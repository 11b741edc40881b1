"""Resource types that hold data, and what their policies keep when one goes.

The one definition of "stateful" for the plan and deploy's guard: database clusters and
instances, tables, buckets (vector buckets and indexes too), keys, secrets, log groups,
streams, queues and caches. Defaults are CloudFormation's documented ones: without a
DeletionPolicy a resource is deleted, except AWS::RDS::DBCluster and an
AWS::RDS::DBInstance without DBClusterIdentifier (Snapshot); without an
UpdateReplacePolicy the old resource of a replacement is deleted.
"""

from __future__ import annotations

STATEFUL_TYPES = frozenset(
    {
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::DocDB::DBCluster",
        "AWS::Neptune::DBCluster",
        "AWS::Redshift::Cluster",
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::S3::Bucket",
        "AWS::S3Vectors::VectorBucket",
        "AWS::S3Vectors::Index",
        "AWS::EFS::FileSystem",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Logs::LogGroup",
        "AWS::Kinesis::Stream",
        "AWS::SQS::Queue",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ServerlessCache",
    }
)

_KEEPS = {
    "Retain": "kept (Retain): the old resource and its data stay, outside the stack",
    "RetainExceptOnCreate": "kept (RetainExceptOnCreate): the resource and its data stay, outside the stack",
    "Snapshot": "a snapshot is kept (Snapshot); the resource itself is deleted",
    "Delete": "NOTHING is kept (Delete): the resource and its data are deleted",
}


def is_stateful(type_name: str) -> bool:
    return type_name in STATEFUL_TYPES


def deletion_policy(type_name: str, declared: str | None, properties: dict) -> str:
    if declared:
        return declared
    if type_name == "AWS::RDS::DBCluster" or (
        type_name == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in properties
    ):
        return "Snapshot"
    return "Delete"


def update_replace_policy(declared: str | None) -> str:
    return declared or "Delete"


def keeps(policy: str) -> str:
    return _KEEPS.get(policy, f"{policy}: not a policy CloudFormation knows")

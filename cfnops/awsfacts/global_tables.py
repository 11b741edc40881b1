"""DynamoDB global tables (version 2019.11.21): how a replica goes.

From the DynamoDB API Reference, ReplicationGroupUpdate
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicationGroupUpdate.html):
UpdateTable's ``ReplicaUpdates`` entry ``{"Delete": {"RegionName": …}}`` "invokes the
DeleteTableReplica action in the destination Region, deleting the replica and all of its items
in the destination Region". DescribeTable's ``Table.Replicas`` names the replicas
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
Deletion protection is a setting of each replica (``DeletionProtectionEnabled`` per replica in
AWS::DynamoDB::GlobalTable's ReplicaSpecification), so it is turned off in the replica's own
Region before that replica is deleted.
"""

from __future__ import annotations

URL = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicationGroupUpdate.html"


def delete_replica(region: str) -> list[dict]:
    """UpdateTable's ReplicaUpdates that delete the replica in ``region``."""
    return [{"Delete": {"RegionName": region}}]

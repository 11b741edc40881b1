"""AWS::ElastiCache::ReplicationGroup and AWS::ElastiCache::SubnetGroup on localcloud: real moto
resources (describe-replication-groups, modify-replication-group, add-tags-to-resource and drift
see them), not placeholders. Ref is the group's name, lowercased as ElastiCache stores it
(ReplicationGroupId / CacheSubnetGroupName, or CloudFormation's generated name); GetAtt of the
endpoints keeps the placeholder's deterministic values. A stack update sets the template's
values on the group again (ModifyReplicationGroup's settings; a subnet group is made again with
its subnets and description); deletion deletes it."""

from __future__ import annotations

from moto.elasticache.models import elasticache_backends

from ..cloudformation.patches import PutBacked, add_model
from ..core.values import flag

REPLICATION_GROUP = "AWS::ElastiCache::ReplicationGroup"
SUBNET_GROUP = "AWS::ElastiCache::SubnetGroup"


def _backend(account: str, region: str):
    return elasticache_backends[account][region]


def _number(properties: dict, key: str) -> int | None:
    return int(properties[key]) if properties.get(key) is not None else None


def _tags(properties: dict) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags") or []]


def _replicas(properties: dict) -> int | None:
    """Replicas per node group: NumCacheClusters (primary and replicas, cluster mode disabled) makes
    NumCacheClusters - 1 of them, as on AWS (moto makes one node unless it is given replicas)."""
    if properties.get("ReplicasPerNodeGroup") is None and properties.get("NumCacheClusters") is not None:
        return int(properties["NumCacheClusters"]) - 1
    return _number(properties, "ReplicasPerNodeGroup")


def _create_group(name: str, properties: dict, account: str, region: str) -> None:
    _backend(account, region).create_replication_group(
        replication_group_id=name,
        replication_group_description=properties.get("ReplicationGroupDescription", ""),
        global_replication_group_id=properties.get("GlobalReplicationGroupId"),
        primary_cluster_id=properties.get("PrimaryClusterId"),
        automatic_failover_enabled=flag(properties.get("AutomaticFailoverEnabled", False)),
        multi_az_enabled=flag(properties.get("MultiAZEnabled", False)),
        num_cache_clusters=_number(properties, "NumCacheClusters"),
        preferred_cache_cluster_azs=properties.get("PreferredCacheClusterAZs") or [],
        num_node_groups=_number(properties, "NumNodeGroups"),
        replicas_per_node_group=_replicas(properties),
        node_group_configuration=properties.get("NodeGroupConfiguration") or [],
        cache_node_type=properties.get("CacheNodeType"),
        engine=properties.get("Engine"),
        engine_version=properties.get("EngineVersion"),
        cache_parameter_group_name=properties.get("CacheParameterGroupName"),
        cache_subnet_group_name=properties.get("CacheSubnetGroupName"),
        cache_security_group_names=properties.get("CacheSecurityGroupNames") or [],
        security_group_ids=properties.get("SecurityGroupIds") or [],
        tags=_tags(properties),
        snapshot_arns=properties.get("SnapshotArns") or [],
        snapshot_name=properties.get("SnapshotName"),
        preferred_maintenance_window=properties.get("PreferredMaintenanceWindow"),
        port=_number(properties, "Port"),
        notification_topic_arn=properties.get("NotificationTopicArn"),
        auto_minor_version_upgrade=flag(properties.get("AutoMinorVersionUpgrade", True)),
        snapshot_retention_limit=_number(properties, "SnapshotRetentionLimit"),
        snapshot_window=properties.get("SnapshotWindow"),
        auth_token=properties.get("AuthToken"),
        transit_encryption_enabled=flag(properties.get("TransitEncryptionEnabled", False)),
        at_rest_encryption_enabled=flag(properties.get("AtRestEncryptionEnabled", False)),
        kms_key_id=properties.get("KmsKeyId"),
        user_group_ids=properties.get("UserGroupIds") or [],
        log_delivery_configurations=properties.get("LogDeliveryConfigurations") or [],
        data_tiering_enabled=flag(properties.get("DataTieringEnabled", False)),
        network_type=properties.get("NetworkType"),
        ip_discovery=properties.get("IpDiscovery"),
        transit_encryption_mode=properties.get("TransitEncryptionMode"),
        cluster_mode=properties.get("ClusterMode"),
        serverless_cache_snapshot_name=None,
    )


def _modify_group(name: str, properties: dict, account: str, region: str) -> None:
    """What an update changes in place: ModifyReplicationGroup's settings and the tags."""
    backend = _backend(account, region)
    group = backend.modify_replication_group(
        replication_group_id=name,
        replication_group_description=properties.get("ReplicationGroupDescription", ""),
        engine=properties.get("Engine"),
        cache_node_type=properties.get("CacheNodeType"),
        automatic_failover_enabled=flag(properties.get("AutomaticFailoverEnabled", False)),
        multi_az_enabled=flag(properties.get("MultiAZEnabled", False)),
        snapshot_retention_limit=_number(properties, "SnapshotRetentionLimit") or 0,
    )
    group.auto_minor_version_upgrade = flag(properties.get("AutoMinorVersionUpgrade", True))
    group.transit_encryption_enabled = flag(properties.get("TransitEncryptionEnabled", False))
    if properties.get("Tags"):
        backend.tagging_service.tag_resource(group.arn, _tags(properties))


def _put_group(name: str, properties: dict, account: str, region: str) -> None:
    if name in _backend(account, region).replication_groups:
        _modify_group(name, properties, account, region)
    else:
        _create_group(name, properties, account, region)


class ReplicationGroupResource(PutBacked):
    """Ref: the group's id; the group itself lives in moto's ElastiCache backend."""

    kind = REPLICATION_GROUP
    put = staticmethod(_put_group)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = str(properties.get("ReplicationGroupId") or generated_name).lower()

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        group = backend.replication_groups.pop(self.physical_resource_id, None)
        if group is not None:
            backend.tagging_service.delete_all_tags_for_resource(group.arn)


def _put_subnet_group(name: str, properties: dict, account: str, region: str) -> None:
    backend = _backend(account, region)
    old = backend.cache_subnet_groups.pop(name, None)  # an update: made again with the template's values
    if old is not None:
        backend.tagging_service.delete_all_tags_for_resource(old.arn)
    backend.create_cache_subnet_group(
        cache_subnet_group_name=name,
        cache_subnet_group_description=properties.get("Description", ""),
        subnet_ids=list(properties.get("SubnetIds") or []),
        tags=_tags(properties) or None,
    )


class SubnetGroupResource(PutBacked):
    """Ref: the subnet group's name; the group itself lives in moto's ElastiCache backend."""

    kind = SUBNET_GROUP
    put = staticmethod(_put_subnet_group)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = str(properties.get("CacheSubnetGroupName") or generated_name).lower()

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        group = backend.cache_subnet_groups.pop(self.physical_resource_id, None)
        if group is not None:
            backend.tagging_service.delete_all_tags_for_resource(group.arn)


add_model(REPLICATION_GROUP, ReplicationGroupResource)
add_model(SUBNET_GROUP, SubnetGroupResource)

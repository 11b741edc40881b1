"""Readers of the clustered data stores and their scaling: ElastiCache replication groups and
cache subnet groups (localcloud/elasticache/groups.py makes them real in moto), Application
Auto Scaling targets and policies (localcloud/applicationautoscaling/scaling.py), Aurora DB
clusters and their parameter groups (localcloud/rds/clusters.py). Each turns the
emulated resource into CloudFormation's property shape (Missing when it is gone), as readers.py
does, reading what the type's read handler returns (DescribeReplicationGroups,
DescribeCacheSubnetGroups, ListTagsForResource, DescribeScalableTargets, DescribeScalingPolicies, DescribeDBClusters,
DescribeDBClusterParameters); write-only properties (a group's AuthToken,
CacheSubnetGroupName, SecurityGroupIds, EngineVersion, KmsKeyId; a target's RoleARN, a policy's
ScalingTargetId; a cluster's MasterUserPassword) are never compared (exclusions.py), so they are not read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.values import flag
from .readers import Missing, Target, _backend
from .tags import _pairs


def _elasticache(target: Target):
    return _backend("elasticache", "elasticache_backends", target.account, target.region)


def _replication_group_of(target: Target):
    group = _elasticache(target).replication_groups.get(target.physical_id)
    return None if group is None or group.status == "deleting" else group


def _replication_group(target: Target) -> dict:
    group = _replication_group_of(target)
    if group is None:
        raise Missing()
    return {
        "ReplicationGroupId": group.replication_group_id,
        "ReplicationGroupDescription": group.description,
        "Engine": group.engine,
        "CacheNodeType": group.cache_node_type,
        "AutomaticFailoverEnabled": group.automatic_failover == "enabled",
        "MultiAZEnabled": group.multi_az == "enabled",
        "NumCacheClusters": len(group.member_clusters),
        "Port": group.port,
        "SnapshotRetentionLimit": group.snapshot_retention_limit,
        "AtRestEncryptionEnabled": flag(group.at_rest_encryption_enabled),
        "TransitEncryptionEnabled": flag(group.transit_encryption_enabled),
        "AutoMinorVersionUpgrade": flag(group.auto_minor_version_upgrade),
    }


def _replication_group_tags(target: Target) -> dict[str, str]:
    group = _replication_group_of(target)
    return dict(_elasticache(target).tagging_service.get_tag_dict_for_resource(group.arn)) if group else {}


def _cache_subnet_group(target: Target) -> dict:
    group = _elasticache(target).cache_subnet_groups.get(target.physical_id)
    if group is None:
        raise Missing()
    return {
        "CacheSubnetGroupName": group.cache_subnet_group_name,
        "Description": group.cache_subnet_group_description,
        "SubnetIds": sorted(group.subnet_ids),
    }


def _cache_subnet_group_tags(target: Target) -> dict[str, str]:
    group = _elasticache(target).cache_subnet_groups.get(target.physical_id)
    return dict(_elasticache(target).tagging_service.get_tag_dict_for_resource(group.arn)) if group else {}


def _autoscaling(target: Target):
    return _backend("applicationautoscaling", "applicationautoscaling_backends", target.account, target.region)


def _scalable_target(target: Target) -> dict:
    resource_id, dimension, _ = target.physical_id.split("|")
    found = _autoscaling(target).targets.get(dimension, {}).get(resource_id)
    if found is None:
        raise Missing()
    return {
        "ResourceId": found.resource_id,
        "ScalableDimension": found.scalable_dimension,
        "ServiceNamespace": found.service_namespace,
        "MinCapacity": found.min_capacity,
        "MaxCapacity": found.max_capacity,
        "SuspendedState": found.suspended_state,
    }


def _scaling_policy(target: Target) -> dict:
    policy = next((p for p in _autoscaling(target).policies.values() if p.policy_arn == target.physical_id), None)
    if policy is None:
        raise Missing()
    return {
        "PolicyName": policy.policy_name,
        "PolicyType": policy.policy_type,
        "ResourceId": policy.resource_id,
        "ScalableDimension": policy.scalable_dimension,
        "ServiceNamespace": policy.service_namespace,
        "TargetTrackingScalingPolicyConfiguration": policy.target_tracking_scaling_policy_configuration,
        "StepScalingPolicyConfiguration": policy.step_scaling_policy_configuration,
    }


def _rds(target: Target):
    return _backend("rds", "rds_backends", target.account, target.region)


def _db_cluster(target: Target) -> dict:
    cluster = _rds(target).clusters.get(target.physical_id)
    if cluster is None:
        raise Missing()
    scaling = cluster.serverless_v2_scaling_configuration
    return {
        "DBClusterIdentifier": cluster.db_cluster_identifier,
        "Engine": cluster.engine,
        "EngineVersion": cluster.engine_version,
        "DatabaseName": cluster.database_name,
        "MasterUsername": cluster.master_username,
        "ManageMasterUserPassword": flag(cluster.manage_master_user_password),
        "DBClusterParameterGroupName": cluster.parameter_group,
        "DBSubnetGroupName": cluster.db_subnet_group_name,
        "GlobalClusterIdentifier": cluster.global_cluster_identifier,
        "StorageEncrypted": flag(cluster.storage_encrypted),
        "BackupRetentionPeriod": cluster.backup_retention_period,
        "CopyTagsToSnapshot": flag(cluster.copy_tags_to_snapshot),
        "DeletionProtection": flag(cluster.deletion_protection),
        "EnableIAMDatabaseAuthentication": flag(cluster.iam_auth),
        "PreferredBackupWindow": cluster.preferred_backup_window,
        "PreferredMaintenanceWindow": cluster.preferred_maintenance_window,
        "VpcSecurityGroupIds": sorted(cluster.vpc_security_group_ids or []),
        "EnableCloudwatchLogsExports": sorted(cluster.enabled_cloudwatch_logs_exports),
        "ServerlessV2ScalingConfiguration": {
            "MinCapacity": scaling.get("MinCapacity"),
            "MaxCapacity": scaling.get("MaxCapacity"),
        }
        if scaling
        else None,
    }


def _db_cluster_tags(target: Target) -> dict[str, str]:
    cluster = _rds(target).clusters.get(target.physical_id)
    return _pairs(cluster.get_tags()) if cluster is not None else {}


def _cluster_parameter_group(target: Target) -> dict:
    group = _rds(target).db_cluster_parameter_groups.get(target.physical_id)
    if group is None:
        raise Missing()
    return {
        "Description": group.description,
        "Family": group.db_parameter_group_family,
        "Parameters": {name: p.get("ParameterValue") for name, p in group.parameters.items()},
    }


def _cluster_parameter_group_tags(target: Target) -> dict[str, str]:
    group = _rds(target).db_cluster_parameter_groups.get(target.physical_id)
    return _pairs(group.get_tags()) if group is not None else {}


def _parameters(value: Any) -> Any:
    """Parameter values as RDS answers them: strings."""
    return {name: str(item) for name, item in value.items()} if isinstance(value, dict) else value


def _unordered(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


READERS: dict[str, Callable[[Target], dict]] = {
    "AWS::ElastiCache::ReplicationGroup": _replication_group,
    "AWS::ElastiCache::SubnetGroup": _cache_subnet_group,
    "AWS::ApplicationAutoScaling::ScalableTarget": _scalable_target,
    "AWS::ApplicationAutoScaling::ScalingPolicy": _scaling_policy,
    "AWS::RDS::DBCluster": _db_cluster,
    "AWS::RDS::DBClusterParameterGroup": _cluster_parameter_group,
}

TAGS: dict[str, Callable[[Target], dict[str, str]]] = {
    "AWS::ElastiCache::ReplicationGroup": _replication_group_tags,
    "AWS::ElastiCache::SubnetGroup": _cache_subnet_group_tags,
    "AWS::RDS::DBCluster": _db_cluster_tags,
    "AWS::RDS::DBClusterParameterGroup": _cluster_parameter_group_tags,
}

PROJECTIONS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("AWS::ElastiCache::SubnetGroup", "SubnetIds"): _unordered,
    ("AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId"): lambda v: v.lower() if isinstance(v, str) else v,
    ("AWS::ElastiCache::SubnetGroup", "CacheSubnetGroupName"): lambda v: v.lower() if isinstance(v, str) else v,
    ("AWS::RDS::DBCluster", "VpcSecurityGroupIds"): _unordered,
    ("AWS::RDS::DBCluster", "EnableCloudwatchLogsExports"): _unordered,
    ("AWS::RDS::DBCluster", "DBClusterIdentifier"): lambda v: v.lower() if isinstance(v, str) else v,
    ("AWS::RDS::DBClusterParameterGroup", "Parameters"): _parameters,
}

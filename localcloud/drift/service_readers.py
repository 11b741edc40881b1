"""Readers of service types readers.py does not read: ECS clusters, load-balancer target groups,
Lambda event source mappings, RDS parameter and subnet groups, DynamoDB global tables (each
replica a moto table in its region) and Aurora global clusters. Each turns the emulated
resource into CloudFormation's property shape (Missing when it is gone), as readers.py does.
A key-value list (ClusterSettings, TargetGroupAttributes) is read as {key: value} on both
sides, so a setting the template sets is compared by its key, whatever the order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.values import flag
from .readers import Missing, Target, _backend, _or_missing
from .tags import _pairs


def _cluster(target: Target) -> dict:
    backend = _backend("ecs", "ecs_backends", target.account, target.region)
    cluster = backend.clusters.get(target.physical_id.rsplit("/", 1)[-1])
    if cluster is None or cluster.status != "ACTIVE":
        raise Missing()
    return {"ClusterName": cluster.name, "ClusterSettings": settings(cluster.settings)}


def _cluster_tags(target: Target) -> dict[str, str]:
    backend = _backend("ecs", "ecs_backends", target.account, target.region)
    cluster = backend.clusters.get(target.physical_id.rsplit("/", 1)[-1])
    return _pairs(cluster.tags) if cluster is not None else {}


def settings(value: Any) -> Any:
    """[{Name, Value}] (either key case) or [{Key, Value}] as {name: value}."""
    if not isinstance(value, list):
        return value
    pairs = {}
    for item in value:
        name = item.get("Name", item.get("name", item.get("Key", item.get("key"))))
        pairs[name] = str(item.get("Value", item.get("value")))
    return pairs


def _target_group(target: Target) -> dict:
    backend = _backend("elbv2", "elbv2_backends", target.account, target.region)
    group = _or_missing(backend.target_groups.get(target.physical_id))
    return {
        "Port": group.port,
        "Protocol": group.protocol,
        "TargetType": group.target_type,
        "VpcId": group.vpc_id,
        "HealthCheckEnabled": flag(group.health_check_enabled),
        "HealthCheckPath": group.health_check_path,
        "HealthCheckProtocol": group.health_check_protocol,
        "HealthCheckIntervalSeconds": group.health_check_interval_seconds,
        "HealthyThresholdCount": group.healthy_threshold_count,
        "UnhealthyThresholdCount": group.unhealthy_threshold_count,
        "Matcher": getattr(group, "matcher", None),
        "TargetGroupAttributes": {key: str(value) for key, value in group.attributes.items()},
    }


def _target_group_tags(target: Target) -> dict[str, str]:
    backend = _backend("elbv2", "elbv2_backends", target.account, target.region)
    return dict(backend.tagging_service.get_tag_dict_for_resource(target.physical_id))


def function_name(value: Any) -> Any:
    """A function named by name or ARN, as its name (AWS answers the ARN)."""
    return value.split(":function:", 1)[-1].split(":", 1)[0] if isinstance(value, str) else value


def _mapping_of(target: Target):
    backend = _backend("awslambda", "lambda_backends", target.account, target.region)
    return backend.get_event_source_mapping(target.physical_id)


def _event_source_mapping(target: Target) -> dict:
    mapping = _or_missing(_mapping_of(target))
    return {
        "EventSourceArn": mapping.event_source_arn,
        "FunctionName": function_name(mapping.function_name),
        "BatchSize": mapping.batch_size,
        "StartingPosition": mapping.starting_position,
        "BisectBatchOnFunctionError": mapping.bisect_on_error,
        "DestinationConfig": mapping.destination_config,
        "FunctionResponseTypes": mapping.function_response_types,
        "MaximumRecordAgeInSeconds": mapping.max_record_age,
        "MaximumRetryAttempts": mapping.max_retry_attempts,
    }


def _event_source_mapping_tags(target: Target) -> dict[str, str]:
    mapping = _mapping_of(target)
    return _pairs(mapping.tags) if mapping is not None else {}


def _rds(target: Target):
    return _backend("rds", "rds_backends", target.account, target.region)


def _parameter_group(target: Target) -> dict:
    group = _or_missing(_rds(target).db_parameter_groups.get(target.physical_id.lower()))
    return {
        "Description": group.description,
        "Family": group.family,
        "Parameters": {name: p.get("ParameterValue") for name, p in group.parameters.items()},
    }


def _subnet_group(target: Target) -> dict:
    group = _or_missing(_rds(target).subnet_groups.get(target.physical_id))
    return {
        "DBSubnetGroupDescription": group.description,
        "SubnetIds": sorted(subnet.id for subnet in group._subnets),
    }


def _rds_group_tags(groups: str) -> Callable[[Target], dict[str, str]]:
    def read(target: Target) -> dict[str, str]:
        group = getattr(_rds(target), groups).get(target.physical_id.lower())
        return _pairs(group.tags) if group is not None else {}

    return read


def _replica(account: str, region: str, name: str) -> dict:
    table = _or_missing(_backend("dynamodb", "dynamodb_backends", account, region).tables.get(name))
    recovery = table.continuous_backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
    return {
        "Region": region,
        "DeletionProtectionEnabled": flag(table.deletion_protection_enabled),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": recovery == "ENABLED"},
    }


def _global_table(target: Target) -> dict:
    """The table's replicas, each in its region: a replica gone is a REMOVE of it."""
    name = target.expected.get("TableName") or target.physical_id
    regions = [r.get("Region") for r in target.expected.get("Replicas") or []]
    replicas = []
    for region in regions:
        try:
            replicas.append(_replica(target.account, region, name))
        except Missing:
            continue
    if not replicas:
        raise Missing()
    home = _backend("dynamodb", "dynamodb_backends", target.account, replicas[0]["Region"]).tables[name]
    stream = home.stream_specification or {}
    return {
        "BillingMode": home.billing_mode,
        "StreamSpecification": {"StreamViewType": stream.get("StreamViewType")}
        if stream.get("StreamEnabled")
        else None,
        "Replicas": replicas_by_region(replicas),
    }


def replicas_by_region(value: Any) -> Any:
    """Replicas on what the reader reads of each (deletion protection, point-in-time recovery), by region."""
    if not isinstance(value, list):
        return value
    fields = ("Region", "DeletionProtectionEnabled", "PointInTimeRecoverySpecification")
    return sorted(
        (
            {name: flag(r[name]) if name == "DeletionProtectionEnabled" else r[name] for name in fields if name in r}
            for r in value
            if isinstance(r, dict)
        ),
        key=lambda r: str(r.get("Region")),
    )


def _global_cluster(target: Target) -> dict:
    from ..rds.globaldb import find_global_cluster

    cluster = _or_missing(find_global_cluster(target.account, target.physical_id))
    return {
        "GlobalClusterIdentifier": cluster.global_cluster_identifier,
        "DeletionProtection": flag(cluster.deletion_protection),
    }


READERS: dict[str, Callable[[Target], dict]] = {
    "AWS::DynamoDB::GlobalTable": _global_table,
    "AWS::ECS::Cluster": _cluster,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::Lambda::EventSourceMapping": _event_source_mapping,
    "AWS::RDS::DBParameterGroup": _parameter_group,
    "AWS::RDS::DBSubnetGroup": _subnet_group,
    "AWS::RDS::GlobalCluster": _global_cluster,
}

TAGS: dict[str, Callable[[Target], dict[str, str]]] = {
    "AWS::ECS::Cluster": _cluster_tags,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group_tags,
    "AWS::Lambda::EventSourceMapping": _event_source_mapping_tags,
    "AWS::RDS::DBParameterGroup": _rds_group_tags("db_parameter_groups"),
    "AWS::RDS::DBSubnetGroup": _rds_group_tags("subnet_groups"),
}

PROJECTIONS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("AWS::ECS::Cluster", "ClusterSettings"): settings,
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupAttributes"): settings,
    ("AWS::Lambda::EventSourceMapping", "FunctionName"): function_name,
    ("AWS::RDS::DBSubnetGroup", "SubnetIds"): lambda value: sorted(value) if isinstance(value, list) else value,
    ("AWS::DynamoDB::GlobalTable", "Replicas"): replicas_by_region,
}

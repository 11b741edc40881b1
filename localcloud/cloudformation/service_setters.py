"""In-place setters of properties AWS updates without replacement ("Update requires: No
interruption" or "Some interruptions"), one per (type, property), each calling the emulated
service's API as CloudFormation's handler calls the real one (Kinesis' UpdateShardCount,
Lambda's UpdateFunctionConfiguration, RDS' ModifyDBInstance, ...). A value the service
itself refuses fails with the service's reason (a shard count beyond double the current
one, say), as the stack update fails on AWS.

``inplace.SETTERS`` merges ``SETTERS`` from here; inplace.py applies them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from cfnops.awsfacts import service_updates

from ..awslambda.concurrency import set_reserved
from ..core.backends import backend
from ..core.values import flag

Setter = Callable[[Any, Any, str, str], None]


class ServiceRefused(Exception):
    """The emulated service refuses the value, with AWS's reason (the update fails)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


# --- Kinesis -----------------------------------------------------------------------------


def _kinesis(account: str, region: str):
    return backend("kinesis", "kinesis_backends", account, region)


def _shard_count(stream, count, account, region):
    """UpdateShardCount (UNIFORM_SCALING) within what the API allows in one call."""
    target = int(count)
    current = len([shard for shard in stream.shards.values() if shard.is_open])
    refusal = service_updates.shard_count_refusal(stream.stream_name, current, target)
    if refusal:
        raise ServiceRefused(refusal)
    _kinesis(account, region).update_shard_count(stream.arn, stream.stream_name, target)


def _retention_hours(stream, hours, account, region):
    """Increase- or DecreaseStreamRetentionPeriod (no value: the default, 24 hours)."""
    target = int(hours) if hours is not None else service_updates.KINESIS_DEFAULT_RETENTION_HOURS
    kinesis = _kinesis(account, region)
    change = (
        kinesis.increase_stream_retention_period
        if target >= stream.retention_period_hours
        else kinesis.decrease_stream_retention_period
    )
    change(stream.arn, stream.stream_name, target)


def _stream_encryption(stream, encryption, account, region):
    """StartStreamEncryption, or StopStreamEncryption when the property is gone."""
    kinesis = _kinesis(account, region)
    if not encryption:
        kinesis.stop_stream_encryption(stream.arn, stream.stream_name)
        return
    kinesis.start_stream_encryption(stream.arn, stream.stream_name, encryption["EncryptionType"], encryption["KeyId"])


def _stream_mode(stream, details, account, region):
    _kinesis(account, region).update_stream_mode(stream.arn, details or {"StreamMode": "PROVISIONED"})


# --- Lambda ------------------------------------------------------------------------------


def _lambda(account: str, region: str):
    return backend("awslambda", "lambda_backends", account, region)


def _function_configuration(key: str) -> Setter:
    """UpdateFunctionConfiguration with the one changed key (moto's update_configuration)."""

    def set_configuration(function, value, account, region):
        if key == "Environment":
            value = value or {"Variables": {}}
        _lambda(account, region).update_function_configuration(function.function_name, "$LATEST", {key: value})

    return set_configuration


def _function_code(function, code, account, region):
    """UpdateFunctionCode with the new image, bucket object or inline code."""
    spec = dict(code)
    if "ZipFile" in spec:  # inline code: Lambda gets it zipped, as CloudFormation sends it
        spec = {"ZipFile": _zipped(spec["ZipFile"])}
    _lambda(account, region).update_function_code(function.function_name, "$LATEST", spec)


def _zipped(source: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


# --- ECS ---------------------------------------------------------------------------------


def _desired_count(service, count, account, region):
    backend("ecs", "ecs_backends", account, region).update_service(
        {
            "cluster": service.cluster_name,
            "service": service.name,
            "desired_count": int(count if count is not None else 1),
        }
    )


# --- RDS ---------------------------------------------------------------------------------

_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NUMBERS = {"AllocatedStorage", "BackupRetentionPeriod", "MonitoringInterval", "PerformanceInsightsRetentionPeriod"}


def _snake(name: str) -> str:
    """``DBInstanceClass`` -> ``db_instance_class``, ``MultiAZ`` -> ``multi_az``."""
    return _SNAKE.sub("_", name).lower()


def _db_instance(key: str) -> Setter:
    """ModifyDBInstance with ApplyImmediately (CloudFormation's handler applies at once)."""
    attribute = _snake(key)

    def modify(instance, value, account, region):
        if key in _NUMBERS and value is not None:
            value = int(value)
        elif isinstance(value, str) and value.lower() in ("true", "false"):
            value = flag(value)
        backend("rds", "rds_backends", account, region).modify_db_instance(
            instance.db_instance_identifier, {attribute: value, "apply_immediately": True}
        )

    return modify


# --- IAM ---------------------------------------------------------------------------------


def _iam(account: str):
    return backend("iam", "iam_backends", account, "aws")


def _assume_role_policy(role, document, account, region):
    _iam(account).update_assume_role_policy(role.name, _text(document))


def _role_description(role, description, account, region):
    _iam(account).update_role(role.name, description or "", role.max_session_duration)


def _max_session(role, seconds, account, region):
    _iam(account).update_role(role.name, role.description, int(seconds if seconds is not None else 3600))


def _managed_policies(role, arns, account, region):
    """AttachRolePolicy for each new ARN, DetachRolePolicy for each one gone."""
    iam = _iam(account)
    wanted, attached = set(arns or []), set(role.managed_policies)
    for arn in sorted(attached - wanted):
        iam.detach_role_policy(arn, role.name)
    for arn in sorted(wanted - attached):
        iam.attach_role_policy(arn, role.name)


def _inline_policies(role, policies, account, region):
    """PutRolePolicy for each policy, DeleteRolePolicy for each name gone."""
    iam = _iam(account)
    wanted = {policy["PolicyName"]: policy["PolicyDocument"] for policy in policies or []}
    for name in sorted(set(role.policies) - set(wanted)):
        iam.delete_role_policy(role.name, name)
    for name, document in sorted(wanted.items()):
        iam.put_role_policy(role.name, name, _text(document))


def _permissions_boundary(role, arn, account, region):
    iam = _iam(account)
    if arn:
        iam.put_role_permissions_boundary(role.name, arn)
    else:
        iam.delete_role_permissions_boundary(role.name)


# --- S3 ----------------------------------------------------------------------------------


def _s3(account: str):
    return backend("s3", "s3_backends", account, "aws")


def _lifecycle(bucket, configuration, account, region):
    """PutBucketLifecycleConfiguration (rules in the API's shape), or delete it."""
    s3 = _s3(account)
    rules = (configuration or {}).get("Rules")
    if not rules:
        s3.delete_bucket_lifecycle(bucket.name)
        return
    s3.put_bucket_lifecycle(bucket.name, [_lifecycle_rule(rule) for rule in rules])


def _lifecycle_rule(rule: dict) -> dict:
    """CloudFormation's rule shape -> the API's (what moto's set_lifecycle reads)."""
    api: dict[str, Any] = {"ID": rule.get("Id"), "Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "ExpirationInDays" in rule:
        api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "NoncurrentVersionExpiration" in rule:
        api["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    if "Transitions" in rule:
        api["Transitions"] = [
            {"Days": int(t["TransitionInDays"]), "StorageClass": t["StorageClass"]} for t in rule["Transitions"]
        ]
    return api


def _object_lock(bucket, configuration, account, region):
    """PutObjectLockConfiguration: the default retention of a bucket made with object lock."""
    retention = ((configuration or {}).get("Rule") or {}).get("DefaultRetention") or {}
    _s3(account).put_object_lock_configuration(
        bucket.name,
        lock_enabled=(configuration or {}).get("ObjectLockEnabled") == "Enabled",
        mode=retention.get("Mode"),
        days=int(retention["Days"]) if "Days" in retention else None,
        years=int(retention["Years"]) if "Years" in retention else None,
    )


def _object_lock_enabled(bucket, enabled, account, region):
    """Object Lock turned on for an existing (versioned) bucket; turning it off is refused
    before this (updates.refusal: AWS's documented one-way setting)."""
    if flag(enabled):
        _s3(account).put_object_lock_configuration(bucket.name, lock_enabled=True)


def _versioning(bucket, configuration, account, region):
    _s3(account).put_bucket_versioning(bucket.name, (configuration or {}).get("Status", "Suspended"))


def _encryption(bucket, configuration, account, region):
    s3 = _s3(account)
    if configuration:
        [rule] = configuration["ServerSideEncryptionConfiguration"][:1]  # S3 keeps one rule
        api = {"ApplyServerSideEncryptionByDefault": rule.get("ServerSideEncryptionByDefault", {})}
        if "BucketKeyEnabled" in rule:
            api["BucketKeyEnabled"] = str(flag(rule["BucketKeyEnabled"])).lower()
        s3.put_bucket_encryption(bucket.name, {"Rule": api})
    else:
        s3.delete_bucket_encryption(bucket.name)


def _public_access_block(bucket, configuration, account, region):
    s3 = _s3(account)
    if configuration:
        s3.put_public_access_block(bucket.name, {key: str(flag(value)) for key, value in configuration.items()})
    else:
        s3.delete_public_access_block(bucket.name)


def _ownership(bucket, controls, account, region):
    s3 = _s3(account)
    if controls:
        s3.put_bucket_ownership_controls(bucket.name, controls["Rules"][0]["ObjectOwnership"])
    else:
        s3.delete_bucket_ownership_controls(bucket.name)


# --- SQS, SNS, Logs, KMS --------------------------------------------------------------------


def _queue_attribute(key: str) -> Setter:
    def set_attribute(queue, value, account, region):
        backend("sqs", "sqs_backends", account, region).set_queue_attributes(
            queue.name, {key: "" if value is None else str(value)}
        )

    return set_attribute


def _topic_key(topic, key_id, account, region):
    backend("sns", "sns_backends", account, region).set_topic_attribute(topic.arn, "KmsMasterKeyId", key_id or "")


def _log_group_key(group, key_id, account, region):
    """AssociateKmsKey, or DisassociateKmsKey when the property is gone."""
    logs = backend("logs", "logs_backends", account, region)
    if key_id:
        logs.associate_kms_key(group.name, key_id)
    else:
        logs.disassociate_kms_key(group.name)


def _kms(account: str, region: str):
    return backend("kms", "kms_backends", account, region)


def _key_description(key, description, account, region):
    _kms(account, region).update_key_description(key.id, description or "")


def _key_rotation(key, enabled, account, region):
    kms = _kms(account, region)
    (kms.enable_key_rotation if flag(enabled) else kms.disable_key_rotation)(key.id)


def _key_enabled(key, enabled, account, region):
    kms = _kms(account, region)
    (kms.disable_key if enabled is not None and not flag(enabled) else kms.enable_key)(key.id)


def _key_policy(key, policy, account, region):
    _kms(account, region).put_key_policy(key.id, _text(policy))


def _pending_window(key, days, account, region):
    """CloudFormation keeps it for the key's deletion (ScheduleKeyDeletion): no API call."""
    key.deletion_window_in_days = int(days) if days is not None else 30


# --- EC2 ---------------------------------------------------------------------------------


def _ec2(account: str, region: str):
    return backend("ec2", "ec2_backends", account, region)


_ROUTE_TARGETS = {
    "GatewayId": "gateway_id",
    "NatGatewayId": "nat_gateway_id",
    "VpcPeeringConnectionId": "vpc_peering_connection_id",
}


def _route_target(key: str) -> Setter:
    """ReplaceRoute with the new target (the destination stays)."""

    def replace(route, target, account, region):
        if target is None:
            return  # the route's other target replaces it (set by its own property)
        _ec2(account, region).replace_route(
            route.route_table.id, route.destination_cidr_block, **{_ROUTE_TARGETS[key]: target}
        )

    return replace


def _vpc_attribute(key: str) -> Setter:
    attribute = {"EnableDnsHostnames": "enableDnsHostnames", "EnableDnsSupport": "enableDnsSupport"}[key]

    def modify(vpc, value, account, region):
        _ec2(account, region).modify_vpc_attribute(vpc.id, attribute, flag(value))

    return modify


def _map_public_ip(subnet, value, account, region):
    _ec2(account, region).modify_subnet_attribute(subnet.id, "map_public_ip_on_launch", str(flag(value)).lower())


# --- EventBridge, KMS aliases, target groups ------------------------------------------------


def _rule_field(key: str) -> Setter:
    """PutRule on the same rule: its description, state or pattern (targets stay)."""

    def put(rule, value, account, region):
        from moto.events.models import EventPattern

        if key == "EventPattern":
            rule.event_pattern = EventPattern.load(_text(value) if value is not None else None)
        elif key == "State":
            rule.state = value or "ENABLED"
        else:
            rule.description = value

    return put


def _alias_target(alias, key_id, account, region):
    """UpdateAlias: the alias points at another key."""
    _kms(account, region).update_alias(key_id, alias.alias_name)


_HEALTH_CHECKS = {
    "HealthCheckEnabled": "health_check_enabled",
    "HealthCheckIntervalSeconds": "health_check_interval",
    "HealthCheckPath": "health_check_path",
    "HealthCheckProtocol": "health_check_proto",
    "HealthyThresholdCount": "healthy_threshold_count",
    "UnhealthyThresholdCount": "unhealthy_threshold_count",
    "Matcher": "http_codes",
}


def _health_check(key: str) -> Setter:
    """ModifyTargetGroup with the one changed health-check setting."""

    def modify(group, value, account, region):
        if key == "Matcher":
            value = (value or {}).get("HttpCode", "200")
        elif key == "HealthCheckEnabled":
            value = flag(value)
        backend("elbv2", "elbv2_backends", account, region).modify_target_group(
            group.arn, **{_HEALTH_CHECKS[key]: value}
        )

    return modify


SETTERS: dict[str, dict[str, Setter]] = {
    "AWS::Events::Rule": {key: _rule_field(key) for key in ("Description", "EventPattern", "State")},
    "AWS::KMS::Alias": {"TargetKeyId": _alias_target},
    "AWS::ElasticLoadBalancingV2::TargetGroup": {key: _health_check(key) for key in _HEALTH_CHECKS},
    "AWS::Kinesis::Stream": {
        "ShardCount": _shard_count,
        "RetentionPeriodHours": _retention_hours,
        "StreamEncryption": _stream_encryption,
        "StreamModeDetails": _stream_mode,
    },
    "AWS::Lambda::Function": {
        **{
            key: _function_configuration(key)
            for key in ("Environment", "Handler", "MemorySize", "Role", "Runtime", "Timeout", "VpcConfig")
        },
        "Code": _function_code,
        "ReservedConcurrentExecutions": set_reserved,
    },
    "AWS::ECS::Service": {"DesiredCount": _desired_count},
    "AWS::RDS::DBInstance": {
        key: _db_instance(key)
        for key in (
            "AllocatedStorage",
            "AutoMinorVersionUpgrade",
            "BackupRetentionPeriod",
            "CopyTagsToSnapshot",
            "DBInstanceClass",
            "EngineVersion",
            "MultiAZ",
            "PubliclyAccessible",
            "StorageType",
            "MonitoringInterval",
            "EnableIAMDatabaseAuthentication",
            "EnablePerformanceInsights",
            "PerformanceInsightsRetentionPeriod",
        )
    },
    "AWS::IAM::Role": {
        "AssumeRolePolicyDocument": _assume_role_policy,
        "Description": _role_description,
        "MaxSessionDuration": _max_session,
        "ManagedPolicyArns": _managed_policies,
        "Policies": _inline_policies,
        "PermissionsBoundary": _permissions_boundary,
    },
    "AWS::S3::Bucket": {
        "LifecycleConfiguration": _lifecycle,
        "ObjectLockConfiguration": _object_lock,
        "ObjectLockEnabled": _object_lock_enabled,
        "VersioningConfiguration": _versioning,
        "BucketEncryption": _encryption,
        "PublicAccessBlockConfiguration": _public_access_block,
        "OwnershipControls": _ownership,
    },
    "AWS::SQS::Queue": {key: _queue_attribute(key) for key in ("MessageRetentionPeriod", "KmsMasterKeyId")},
    "AWS::SNS::Topic": {"KmsMasterKeyId": _topic_key},
    "AWS::Logs::LogGroup": {"KmsKeyId": _log_group_key},
    "AWS::KMS::Key": {
        "Description": _key_description,
        "EnableKeyRotation": _key_rotation,
        "Enabled": _key_enabled,
        "KeyPolicy": _key_policy,
        "PendingWindowInDays": _pending_window,
    },
    "AWS::EC2::Route": {key: _route_target(key) for key in _ROUTE_TARGETS},
    "AWS::EC2::VPC": {key: _vpc_attribute(key) for key in ("EnableDnsHostnames", "EnableDnsSupport")},
    "AWS::EC2::Subnet": {"MapPublicIpOnLaunch": _map_public_ip},
}

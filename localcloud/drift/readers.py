"""What localcloud's drift detection reads: one reader per resource type (READERS), each
turning the emulated resource into CloudFormation's property shape, and projections
(PROJECTIONS) that bring the template's value of a structured property into the same
shape before comparing (the fields both sides have, lists that are sets sorted).

A reader raises Missing when the resource is gone (DELETED) and Unreadable(reason) when
it exists but cannot be read (NOT_CHECKED, with that reason). It returns None for a
property the resource no longer has (a deleted public access block, a removed stream),
which the comparison reports as REMOVE. Properties moto does not model are not read
(Lambda's DeadLetterConfig, for one): they are left out, never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.backends import backend as _backend
from ..core.values import flag


class Missing(Exception):
    """The physical resource is gone."""


class Unreadable(Exception):
    """The resource exists but localcloud cannot read it; the message says why."""


@dataclass(frozen=True)
class Target:
    account: str
    region: str
    physical_id: str
    expected: dict  # the template's properties, intrinsics resolved
    stack: Any = None  # moto's stack, for rules other resources of the stack add


def _or_missing(value):
    if value is None:
        raise Missing()
    return value


def _document(value: Any) -> Any:
    if isinstance(value, (bytes, str)):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- EC2 -----------------------------------------------------------------------------------

PEERS = (
    "CidrIp",
    "CidrIpv6",
    "SourceSecurityGroupId",
    "DestinationSecurityGroupId",
    "SourcePrefixListId",
    "DestinationPrefixListId",
)
PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}


def security_rule(rule: Any) -> Any:
    """A security-group rule in one canonical shape (template or emulator side)."""
    if not isinstance(rule, dict):
        return rule
    protocol = str(rule.get("IpProtocol", "")).lower()
    protocol = PROTOCOLS.get(protocol, protocol)
    canonical: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != "-1":
        canonical.update(FromPort=int(rule.get("FromPort", -1)), ToPort=int(rule.get("ToPort", -1)))
    canonical.update({peer: rule[peer] for peer in PEERS if rule.get(peer)})
    # moto keeps descriptions of CIDR rules only: a rule to a security group is compared without
    if rule.get("Description") and not (rule.get("SourceSecurityGroupId") or rule.get("DestinationSecurityGroupId")):
        canonical["Description"] = rule["Description"]
    return canonical


def rule_set(rules: Any) -> Any:
    if not isinstance(rules, list):
        return rules
    return sorted((security_rule(r) for r in rules), key=lambda r: json.dumps(r, sort_keys=True))


def _moto_rule(rule, egress: bool) -> dict:
    shape = {"IpProtocol": rule.ip_protocol, "FromPort": rule.from_port, "ToPort": rule.to_port}
    if rule.ip_range:
        shape.update(rule.ip_range)
    if rule.source_group.get("GroupId"):
        shape["DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"] = rule.source_group["GroupId"]
        if rule.source_group.get("Description"):
            shape["Description"] = rule.source_group["Description"]
    if rule.prefix_list_id:
        shape["DestinationPrefixListId" if egress else "SourcePrefixListId"] = rule.prefix_list_id
    return security_rule(shape)


def _group(account, region, group_id):
    return _backend("ec2", "ec2_backends", account, region).get_security_group_from_id(group_id)


def _security_group(target: Target) -> dict:
    group = _or_missing(_group(target.account, target.region, target.physical_id))
    return {
        "GroupDescription": group.description,
        "SecurityGroupIngress": rule_set([_moto_rule(r, False) for r in group.ingress_rules]),
        "SecurityGroupEgress": rule_set([_moto_rule(r, True) for r in group.egress_rules]),
    }


def _group_rule(target: Target, egress: bool) -> dict:
    group = _group(target.account, target.region, target.expected.get("GroupId", ""))
    if group is None:
        raise Missing()
    wanted = security_rule(target.expected)
    wanted.pop("Description", None)
    for rule in group.egress_rules if egress else group.ingress_rules:
        actual = _moto_rule(rule, egress)
        if {k: v for k, v in actual.items() if k != "Description"} == wanted:
            return (
                {**actual, "Description": actual.get("Description")}
                if "Description" in security_rule(target.expected)
                else actual
            )
    raise Missing()


def _ingress(target: Target) -> dict:
    return _group_rule(target, egress=False)


def _vpc(target: Target) -> dict:
    vpc = _or_missing(_backend("ec2", "ec2_backends", target.account, target.region).vpcs.get(target.physical_id))
    return {
        "CidrBlock": vpc.cidr_block,
        "EnableDnsHostnames": flag(vpc.enable_dns_hostnames),
        "EnableDnsSupport": flag(vpc.enable_dns_support),
    }


def _subnet(target: Target) -> dict:
    backend = _backend("ec2", "ec2_backends", target.account, target.region)
    subnet = _or_missing(
        next((s for zone in backend.subnets.values() for s in zone.values() if s.id == target.physical_id), None)
    )
    return {"CidrBlock": subnet.cidr_block, "MapPublicIpOnLaunch": flag(subnet.map_public_ip_on_launch)}


# --- data stores -----------------------------------------------------------------------------


def _table(target: Target) -> dict:
    table = _or_missing(
        _backend("dynamodb", "dynamodb_backends", target.account, target.region).tables.get(target.physical_id)
    )
    recovery = table.continuous_backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    stream = table.stream_specification or {}
    sse = table.sse_specification or {}
    ttl = table.ttl or {}
    return {
        "BillingMode": table.billing_mode,
        "DeletionProtectionEnabled": flag(table.deletion_protection_enabled),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": recovery},
        "StreamSpecification": {"StreamViewType": stream.get("StreamViewType")}
        if stream.get("StreamEnabled")
        else None,
        "SSESpecification": {
            "SSEEnabled": flag(sse.get("SSEEnabled", sse.get("Enabled", True))),
            "SSEType": sse.get("SSEType"),
            "KMSMasterKeyId": sse.get("KMSMasterKeyId"),
        }
        if sse
        else {"SSEEnabled": False},
        "TimeToLiveSpecification": {
            "Enabled": ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"),
            "AttributeName": ttl.get("AttributeName"),
        },
    }


def _lifecycle_rule(rule: Any) -> dict:
    """A lifecycle rule projected on the fields both sides carry."""
    if isinstance(rule, dict):
        transitions = rule.get("Transitions") or []
        return {
            "Id": rule.get("Id"),
            "Status": rule.get("Status"),
            "ExpirationInDays": rule.get("ExpirationInDays"),
            "Transitions": sorted([(t.get("StorageClass"), int(t.get("TransitionInDays", 0))) for t in transitions]),
            "NoncurrentDays": (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
            or rule.get("NoncurrentVersionExpirationInDays"),
        }
    return {
        "Id": rule.id,
        "Status": rule.status,
        "ExpirationInDays": int(rule.expiration_days) if rule.expiration_days else None,
        "Transitions": sorted([(t.storage_class, int(t.days or 0)) for t in rule.transitions or []]),
        "NoncurrentDays": int(rule.nve_noncurrent_days) if rule.nve_noncurrent_days else None,
    }


def lifecycle(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {"Rules": sorted((_lifecycle_rule(r) for r in value.get("Rules") or []), key=lambda r: str(r["Id"]))}


def _encryption_default(rule: dict) -> dict:
    default = rule.get("ServerSideEncryptionByDefault") or rule.get("ApplyServerSideEncryptionByDefault") or {}
    return {"SSEAlgorithm": default.get("SSEAlgorithm"), "KMSMasterKeyID": default.get("KMSMasterKeyID")}


def bucket_encryption(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    rules = value.get("ServerSideEncryptionConfiguration") or value.get("Rule") or []
    rules = rules if isinstance(rules, list) else [rules]
    return {"Rules": sorted((_encryption_default(r) for r in rules), key=lambda r: json.dumps(r, sort_keys=True))}


def _bucket_of(target: Target, name: str):
    from moto.s3.models import s3_backends

    return s3_backends[target.account]["aws"].buckets.get(name)


def _bucket(target: Target) -> dict:
    bucket = _or_missing(_bucket_of(target, target.physical_id))
    block = bucket.public_access_block
    return {
        "VersioningConfiguration": {"Status": bucket.versioning_status or "Suspended"},
        "PublicAccessBlockConfiguration": None
        if block is None
        else {
            "BlockPublicAcls": block.block_public_acls,
            "BlockPublicPolicy": block.block_public_policy,
            "IgnorePublicAcls": block.ignore_public_acls,
            "RestrictPublicBuckets": block.restrict_public_buckets,
        },
        "BucketEncryption": bucket_encryption(bucket.encryption) if bucket.encryption else None,
        "LifecycleConfiguration": {
            "Rules": sorted((_lifecycle_rule(r) for r in bucket.rules), key=lambda r: str(r["Id"]))
        }
        if bucket.rules
        else None,
    }


def _stream(target: Target) -> dict:
    stream = _or_missing(
        _backend("kinesis", "kinesis_backends", target.account, target.region).streams.get(target.physical_id)
    )
    return {
        "RetentionPeriodHours": stream.retention_period_hours,
        "StreamEncryption": {"EncryptionType": stream.encryption_type, "KeyId": stream.key_id}
        if stream.encryption_type != "NONE"
        else None,
        "StreamModeDetails": {"StreamMode": (stream.stream_mode or {}).get("StreamMode")},
    }


def _queue_named(target: Target, url: str):
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return _backend("sqs", "sqs_backends", target.account, target.region).queues.get(name)


def _queue(target: Target) -> dict:
    queue = _or_missing(_queue_named(target, target.physical_id))
    redrive = _document(getattr(queue, "redrive_policy", None))
    return {
        "VisibilityTimeout": queue.visibility_timeout,
        "MessageRetentionPeriod": queue.message_retention_period,
        "KmsMasterKeyId": getattr(queue, "kms_master_key_id", None),
        "RedrivePolicy": redrive or None,
    }


def _topic(target: Target) -> dict:
    topic = _or_missing(_backend("sns", "sns_backends", target.account, target.region).topics.get(target.physical_id))
    return {"KmsMasterKeyId": topic.kms_master_key_id or None, "DisplayName": topic.display_name or None}


def _log_group(target: Target) -> dict:
    group = _or_missing(_backend("logs", "logs_backends", target.account, target.region).groups.get(target.physical_id))
    return {"RetentionInDays": group.retention_in_days, "KmsKeyId": group.kms_key_id}


# --- identity and keys ---------------------------------------------------------------------------


def _role(target: Target) -> dict:
    from moto.iam.models import iam_backends

    role = _or_missing(
        next((r for r in iam_backends[target.account]["aws"].roles.values() if r.name == target.physical_id), None)
    )
    return {
        "Description": role.description or None,
        "MaxSessionDuration": role.max_session_duration,
        "AssumeRolePolicyDocument": _document(role.assume_role_policy_document),
        "Policies": sorted(
            ({"PolicyName": name, "PolicyDocument": _document(document)} for name, document in role.policies.items()),
            key=lambda p: p["PolicyName"],
        ),
        "ManagedPolicyArns": sorted(role.managed_policies),
        "PermissionsBoundary": role.permissions_boundary_arn,
    }


def named_policies(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(p, dict) and "PolicyName" in p for p in value):
        return sorted(
            ({**p, "PolicyDocument": _document(p.get("PolicyDocument"))} for p in value), key=lambda p: p["PolicyName"]
        )
    return value


def unordered(value: Any) -> Any:
    return sorted(value, key=str) if isinstance(value, list) else value


def _key(target: Target) -> dict:
    key = _or_missing(_backend("kms", "kms_backends", target.account, target.region).keys.get(target.physical_id))
    if key.key_state == "PendingDeletion":
        raise Missing()
    return {
        "Description": key.description,
        "EnableKeyRotation": flag(key.key_rotation_status),
        "Enabled": flag(key.enabled),
        "KeyPolicy": _document(key.policy),
    }


# --- compute -----------------------------------------------------------------------------------


def _function(target: Target) -> dict:
    from moto.awslambda.exceptions import UnknownFunctionException

    storage = _backend("awslambda", "lambda_backends", target.account, target.region)._lambdas
    try:
        function = storage.get_function_by_name_forbid_qualifier(target.physical_id)
    except UnknownFunctionException:  # only "not found" is a missing resource: other errors fail the detection
        raise Missing() from None
    vpc = function._vpc_config or None
    return {
        "MemorySize": function.memory_size,
        "Timeout": function.timeout,
        "Handler": function.handler,
        "Runtime": function.run_time,
        "Environment": {"Variables": dict(function.environment_vars)},
        "VpcConfig": {
            "SubnetIds": sorted(vpc.get("SubnetIds", [])),
            "SecurityGroupIds": sorted(vpc.get("SecurityGroupIds", [])),
        }
        if vpc
        else None,
        "TracingConfig": {"Mode": (function.tracing_config or {}).get("Mode")},
        "ReservedConcurrentExecutions": function.reserved_concurrency,
        "KmsKeyArn": function.kms_key_arn,
    }


def vpc_config(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {
        "SubnetIds": sorted(value.get("SubnetIds", [])),
        "SecurityGroupIds": sorted(value.get("SecurityGroupIds", [])),
    }


CONTAINER_FIELDS = (
    "Name",
    "Image",
    "Cpu",
    "Memory",
    "MemoryReservation",
    "Essential",
    "Privileged",
    "ReadonlyRootFilesystem",
    "User",
    "Command",
    "EntryPoint",
)


def _camel(name: str) -> str:
    return name[0].lower() + name[1:]


def container(definition: dict) -> dict:
    """A container definition projected on its security- and sizing-relevant fields, with
    ECS's documented defaults (Essential true, Cpu 0, Privileged false), whatever the key case."""

    def get(name: str):
        return definition.get(name, definition.get(_camel(name)))

    projected = {name: get(name) for name in CONTAINER_FIELDS if get(name) is not None}
    projected.setdefault("Essential", True)
    projected.setdefault("Cpu", 0)
    projected.setdefault("Privileged", False)
    environment = get("Environment") or []
    projected["Environment"] = sorted(
        (e.get("Name", e.get("name")), e.get("Value", e.get("value"))) for e in environment
    )
    ports = get("PortMappings") or []
    projected["PortMappings"] = sorted(
        (int(p.get("ContainerPort", p.get("containerPort", 0))), str(p.get("Protocol", p.get("protocol")) or "tcp"))
        for p in ports
    )
    return projected


def containers(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return sorted((container(d) for d in value if isinstance(d, dict)), key=lambda d: str(d.get("Name")))


def _task_definition(target: Target) -> dict:
    backend = _backend("ecs", "ecs_backends", target.account, target.region)
    family, _, revision = target.physical_id.rsplit("/", 1)[-1].partition(":")
    definition = _or_missing((backend.task_definitions.get(family) or {}).get(int(revision or 0)))
    return {
        "ContainerDefinitions": containers(definition.container_definitions),
        "Cpu": definition.cpu,
        "Memory": definition.memory,
        "NetworkMode": definition.network_mode,
        "ExecutionRoleArn": getattr(definition, "execution_role_arn", None),
        "TaskRoleArn": getattr(definition, "task_role_arn", None),
    }


def _service(target: Target) -> dict:
    backend = _backend("ecs", "ecs_backends", target.account, target.region)
    service = _or_missing(
        next((s for s in backend.services.values() if s.arn == target.physical_id and s.status == "ACTIVE"), None)
    )
    return {
        "DesiredCount": service.desired_count,
        "TaskDefinition": service.task_definition,
        "LaunchType": service.launch_type,
    }


def _listener(target: Target) -> dict:
    backend = _backend("elbv2", "elbv2_backends", target.account, target.region)
    listener = _or_missing(
        next(
            (
                one
                for b in backend.load_balancers.values()
                for one in b.listeners.values()
                if one.arn == target.physical_id
            ),
            None,
        )
    )
    return {
        "Port": listener.port,
        "Protocol": listener.protocol,
        "SslPolicy": listener.ssl_policy,
        "Certificates": [{"CertificateArn": c} for c in sorted(listener.certificates)] or None,
    }


def certificates(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [
        {"CertificateArn": c.get("CertificateArn")} for c in sorted(value, key=lambda c: str(c.get("CertificateArn")))
    ]


def _db_instance(target: Target) -> dict:
    backend = _backend("rds", "rds_backends", target.account, target.region)
    instance = _or_missing(backend.databases.get(target.physical_id))
    return {
        "DBInstanceClass": instance.db_instance_class,
        "PubliclyAccessible": flag(instance.publicly_accessible),
        "MultiAZ": flag(instance.multi_az),
        "DeletionProtection": flag(instance.deletion_protection),
        "StorageEncrypted": flag(instance.storage_encrypted),
        "BackupRetentionPeriod": instance.backup_retention_period,
        "EnableIAMDatabaseAuthentication": flag(instance.enable_iam_database_authentication),
        "VPCSecurityGroups": sorted(instance.vpc_security_group_ids),
    }


READERS: dict[str, Callable[[Target], dict]] = {
    "AWS::DynamoDB::Table": _table,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::EC2::SecurityGroupIngress": _ingress,
    "AWS::EC2::Subnet": _subnet,
    "AWS::EC2::VPC": _vpc,
    "AWS::ECS::Service": _service,
    "AWS::ECS::TaskDefinition": _task_definition,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::IAM::Role": _role,
    "AWS::KMS::Key": _key,
    "AWS::Kinesis::Stream": _stream,
    "AWS::Lambda::Function": _function,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::RDS::DBInstance": _db_instance,
    "AWS::S3::Bucket": _bucket,
    "AWS::SNS::Topic": _topic,
    "AWS::SQS::Queue": _queue,
}

# (type, property) -> the projection both sides go through before they are compared
PROJECTIONS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("AWS::EC2::SecurityGroup", "SecurityGroupIngress"): rule_set,
    ("AWS::EC2::SecurityGroup", "SecurityGroupEgress"): rule_set,
    ("AWS::EC2::SecurityGroupIngress", "Description"): lambda value: value or None,
    ("AWS::S3::Bucket", "LifecycleConfiguration"): lifecycle,
    ("AWS::S3::Bucket", "BucketEncryption"): bucket_encryption,
    ("AWS::IAM::Role", "Policies"): named_policies,
    ("AWS::IAM::Role", "ManagedPolicyArns"): unordered,
    ("AWS::Lambda::Function", "VpcConfig"): vpc_config,
    ("AWS::ECS::TaskDefinition", "ContainerDefinitions"): containers,
    ("AWS::ElasticLoadBalancingV2::Listener", "Certificates"): certificates,
    ("AWS::RDS::DBInstance", "VPCSecurityGroups"): unordered,
}

"""CloudFormation drift detection for localcloud, which moto does not have.

Expected properties are the deployed template's, with intrinsic functions resolved by
moto against the stack as created; actual properties are read from the emulated
resource by a reader per type (READERS). A property is compared when the template sets
it and the reader can read it; differences carry CloudFormation's PropertyPath,
ExpectedValue, ActualValue and DifferenceType (ADD, REMOVE, NOT_EQUAL). A resource whose
reader cannot find it is DELETED; a type without a reader is NOT_CHECKED, and its record
says why (``not_read``): the gap is localcloud's, never CloudFormation's. The API this
boto3 speaks has no field for that reason, so the README lists the types read.

APIs: DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts,
DetectStackResourceDrift, DetectStackSetDrift (an operation like any other) and
ListStackInstanceResourceDrifts; the StackSet engine shows drift on its instances.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing


class Missing(Exception):
    """The physical resource is gone."""


def _backend(module: str, name: str, account: str, region: str):
    backends = getattr(__import__(f"moto.{module}", fromlist=[name]), name)
    return backends[account][region]


def _boolean(value: Any) -> bool:
    """A flag as CloudFormation means it: the strings "true"/"false" (any case) are
    booleans, never truthy text (bool("false") is True)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _or_missing(value):
    if value is None:
        raise Missing()
    return value


def _log_group(account, region, physical_id):
    group = _or_missing(_backend("logs", "logs_backends", account, region).groups.get(physical_id))
    return {"RetentionInDays": group.retention_in_days, "KmsKeyId": group.kms_key_id}


def _topic(account, region, physical_id):
    topic = _or_missing(_backend("sns", "sns_backends", account, region).topics.get(physical_id))
    return {"KmsMasterKeyId": topic.kms_master_key_id or None, "DisplayName": topic.display_name or None}


def _table(account, region, physical_id):
    table = _or_missing(_backend("dynamodb", "dynamodb_backends", account, region).tables.get(physical_id))
    return {"BillingMode": table.billing_mode, "DeletionProtectionEnabled": _boolean(table.deletion_protection_enabled)}


def _bucket(account, region, physical_id):
    from moto.s3.models import s3_backends

    bucket = _or_missing(s3_backends[account]["aws"].buckets.get(physical_id))
    block = bucket.public_access_block
    actual: dict[str, Any] = {"VersioningConfiguration": {"Status": bucket.versioning_status}}
    if block is not None:
        actual["PublicAccessBlockConfiguration"] = {
            "BlockPublicAcls": block.block_public_acls, "BlockPublicPolicy": block.block_public_policy,
            "IgnorePublicAcls": block.ignore_public_acls, "RestrictPublicBuckets": block.restrict_public_buckets}
    return actual


def _key(account, region, physical_id):
    key = _or_missing(_backend("kms", "kms_backends", account, region).keys.get(physical_id))
    if key.key_state == "PendingDeletion":
        raise Missing()
    return {"Description": key.description, "EnableKeyRotation": _boolean(key.key_rotation_status), "Enabled": _boolean(key.enabled)}


def _vpc(account, region, physical_id):
    vpc = _or_missing(_backend("ec2", "ec2_backends", account, region).vpcs.get(physical_id))
    return {"CidrBlock": vpc.cidr_block, "EnableDnsHostnames": _boolean(vpc.enable_dns_hostnames),
            "EnableDnsSupport": _boolean(vpc.enable_dns_support)}


def _subnet(account, region, physical_id):
    backend = _backend("ec2", "ec2_backends", account, region)
    subnet = next((s for zone in backend.subnets.values() for s in zone.values() if s.id == physical_id), None)
    subnet = _or_missing(subnet)
    return {"CidrBlock": subnet.cidr_block, "MapPublicIpOnLaunch": _boolean(subnet.map_public_ip_on_launch)}


def _security_group(account, region, physical_id):
    group = _or_missing(_backend("ec2", "ec2_backends", account, region).get_security_group_from_id(physical_id))
    return {"GroupDescription": group.description}


def _role(account, region, physical_id):
    from moto.iam.models import iam_backends

    role = next((r for r in iam_backends[account]["aws"].roles.values() if r.name == physical_id), None)
    role = _or_missing(role)
    document = role.assume_role_policy_document
    return {"Description": role.description or None, "MaxSessionDuration": role.max_session_duration,
            "AssumeRolePolicyDocument": json.loads(document) if isinstance(document, str) else document}


def _queue(account, region, physical_id):
    name = physical_id.rstrip("/").rsplit("/", 1)[-1]
    queue = _or_missing(_backend("sqs", "sqs_backends", account, region).queues.get(name))
    return {"VisibilityTimeout": queue.visibility_timeout, "MessageRetentionPeriod": queue.message_retention_period,
            "KmsMasterKeyId": getattr(queue, "kms_master_key_id", None)}


def _stream(account, region, physical_id):
    stream = _or_missing(_backend("kinesis", "kinesis_backends", account, region).streams.get(physical_id))
    return {"RetentionPeriodHours": stream.retention_period_hours}


def _function(account, region, physical_id):
    storage = _backend("awslambda", "lambda_backends", account, region)._lambdas
    try:
        function = storage.get_function_by_name_forbid_qualifier(physical_id)
    except Exception:  # noqa: BLE001 - moto raises its own not-found error
        raise Missing() from None
    return {"MemorySize": function.memory_size, "Timeout": function.timeout, "Handler": function.handler,
            "Runtime": function.run_time}


READERS: dict[str, Callable[[str, str, str], dict]] = {
    "AWS::Logs::LogGroup": _log_group,
    "AWS::SNS::Topic": _topic,
    "AWS::DynamoDB::Table": _table,
    "AWS::S3::Bucket": _bucket,
    "AWS::KMS::Key": _key,
    "AWS::EC2::VPC": _vpc,
    "AWS::EC2::Subnet": _subnet,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::IAM::Role": _role,
    "AWS::SQS::Queue": _queue,
    "AWS::Kinesis::Stream": _stream,
    "AWS::Lambda::Function": _function,
}


def _normal(value: Any) -> Any:
    """String booleans ("true", "False", ...) as booleans, at any depth: CloudFormation
    compares a template's "false" and a service's false as the same value."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def not_read(resource_type: str) -> str:
    return (f"localcloud does not read {resource_type} resources, so it cannot check them for drift "
            "(on AWS, CloudFormation checks every type that supports drift detection)")


def _text(value: Any) -> str:
    """Values as CloudFormation shows them: scalars plain, structures as JSON."""
    value = _normal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def differences(expected: dict, actual: dict, path: str = "") -> list[dict]:
    """Property differences for what the template sets and the reader reads."""
    found = []
    for name, actual_value in actual.items():
        if name not in expected:
            continue
        expected_value, where = expected[name], f"{path}/{name}"
        if isinstance(actual_value, dict) and isinstance(expected_value, dict) and name != "AssumeRolePolicyDocument":
            found += differences(expected_value, actual_value, where)
        elif actual_value is None:
            found.append({"PropertyPath": where, "ExpectedValue": _text(expected_value), "ActualValue": "null",
                          "DifferenceType": "REMOVE"})
        elif _text(expected_value) != _text(actual_value):
            found.append({"PropertyPath": where, "ExpectedValue": _text(expected_value), "ActualValue": _text(actual_value),
                          "DifferenceType": "NOT_EQUAL"})
    return found


@dataclass
class ResourceDrift:
    logical_id: str
    physical_id: str
    resource_type: str
    status: str  # IN_SYNC | MODIFIED | DELETED | NOT_CHECKED
    expected: dict
    actual: dict
    differences: list[dict]
    timestamp: datetime
    reason: str = ""

    def to_api(self, stack_id: str, stackset: bool = False) -> dict:
        drift = {"StackId": stack_id, "LogicalResourceId": self.logical_id, "PhysicalResourceId": self.physical_id,
                 "ResourceType": self.resource_type, "StackResourceDriftStatus": self.status,
                 "PropertyDifferences": self.differences, "Timestamp": self.timestamp}
        if not stackset and self.status != "NOT_CHECKED":
            drift["ExpectedProperties"] = json.dumps(self.expected, sort_keys=True, default=str)
            drift["ActualProperties"] = json.dumps(self.actual, sort_keys=True, default=str)
        return drift


def detect_resource(stack, logical_id: str) -> ResourceDrift:
    resource_map = stack.resource_map
    resource_json = resource_map._resource_json_map[logical_id]
    resource = resource_map._parsed_resources.get(logical_id)
    physical_id = getattr(resource, "physical_resource_id", "") or ""
    kind = resource_json["Type"]
    expected = parsing.clean_json(resource_json.get("Properties", {}), resource_map)
    now = datetime.now(timezone.utc)
    reader = READERS.get(kind)
    if reader is None:
        return ResourceDrift(logical_id, physical_id, kind, "NOT_CHECKED", expected, {}, [], now, not_read(kind))
    try:
        actual = reader(stack.account_id, stack.region_name, physical_id)
    except Missing:
        return ResourceDrift(logical_id, physical_id, kind, "DELETED", expected, {}, [], now)
    found = differences(expected, actual)
    return ResourceDrift(logical_id, physical_id, kind, "MODIFIED" if found else "IN_SYNC", expected, actual, found, now)


def detect_stack(stack) -> list[ResourceDrift]:
    """Every resource the stack created (conditional ones that were not created are skipped)."""
    created = [key for key, resource in stack.resource_map._parsed_resources.items()
               if key in stack.resource_map._resource_json_map and resource is not None and not isinstance(resource, str)]
    drifts = [detect_resource(stack, logical_id) for logical_id in sorted(created)]
    stack.__dict__["localcloud_drifts"] = drifts  # DescribeStackResourceDrifts answers the latest detection, as on AWS
    return drifts


def stack_status(drifts: list[ResourceDrift]) -> str:
    return "DRIFTED" if any(d.status in ("MODIFIED", "DELETED") for d in drifts) else "IN_SYNC"


# --- plain-stack APIs -------------------------------------------------------------------


def _stack(response, name: str):
    return cfn_models.cloudformation_backends[response.current_account][response.region].get_stack(name)


def _detections(response) -> dict:
    backend = cfn_models.cloudformation_backends[response.current_account][response.region]
    return backend.__dict__.setdefault("localcloud_drift_detections", {})


def detect_stack_drift(self):
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    drifts = detect_stack(stack)
    detection_id = str(uuid.uuid4())
    stack.__dict__["localcloud_drifts"] = drifts
    _detections(self)[detection_id] = (stack, drifts, datetime.now(timezone.utc))
    return ActionResult({"StackDriftDetectionId": detection_id})


def describe_stack_drift_detection_status(self):
    from moto.core.responses import ActionResult

    from .stacksets import _Error

    detection = _detections(self).get(self._get_param("StackDriftDetectionId"))
    if detection is None:
        raise _Error("ValidationError", "StackDriftDetectionId not found")
    stack, drifts, when = detection
    return ActionResult({
        "StackId": stack.stack_id, "StackDriftDetectionId": self._get_param("StackDriftDetectionId"),
        "StackDriftStatus": stack_status(drifts), "DetectionStatus": "DETECTION_COMPLETE",
        "DriftedStackResourceCount": sum(d.status in ("MODIFIED", "DELETED") for d in drifts), "Timestamp": when})


def describe_stack_resource_drifts(self):
    from .stacksets import _paged

    stack = _stack(self, self._get_param("StackName"))
    statuses = self._get_param("StackResourceDriftStatusFilters") or []
    drifts = [d.to_api(stack.stack_id) for d in stack.__dict__.get("localcloud_drifts", [])
              if not statuses or d.status in statuses]
    return _paged(self, drifts, "StackResourceDrifts")


def detect_stack_resource_drift(self):
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    return ActionResult({"StackResourceDrift": detect_resource(stack, self._get_param("LogicalResourceId")).to_api(stack.stack_id)})


HANDLERS = {
    "detect_stack_drift": detect_stack_drift,
    "describe_stack_drift_detection_status": describe_stack_drift_detection_status,
    "describe_stack_resource_drifts": describe_stack_resource_drifts,
    "detect_stack_resource_drift": detect_stack_resource_drift,
}

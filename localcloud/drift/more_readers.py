"""Readers of the access-related types readers.py does not read: egress rule resources,
managed policies, Lambda permissions, KMS aliases, EventBridge rules and buses, load
balancers and dashboards; each turns the emulated resource into CloudFormation's property
shape (Missing when it is gone), as readers.py does."""

from __future__ import annotations

import json
from typing import Any

from .readers import Missing, Target, _backend, _document, _group_rule, _or_missing


def _egress(target: Target) -> dict:
    return _group_rule(target, egress=True)


def _managed_policy(target: Target) -> dict:
    from moto.iam.models import iam_backends

    policy = _or_missing(iam_backends[target.account]["aws"].managed_policies.get(target.physical_id))
    default = next(v for v in policy.versions if v.version_id == policy.default_version_id)
    roles = [
        r.name for r in iam_backends[target.account]["aws"].roles.values() if target.physical_id in r.managed_policies
    ]
    return {
        "PolicyDocument": _document(default.document),
        "Roles": sorted(roles),
        "Description": policy.description or None,
    }


def _alias(target: Target) -> dict:
    backend = _backend("kms", "kms_backends", target.account, target.region)
    alias = _or_missing(next((a for a in backend.list_aliases() if a.alias_name == target.physical_id), None))
    return {"TargetKeyId": alias.target_key_id}


def key_id(value: Any) -> Any:
    """A key named by id or ARN, as its id (AWS answers an alias's TargetKeyId as the key id)."""
    return value.rsplit("/", 1)[-1] if isinstance(value, str) else value


def _permission_fields(statement: dict) -> dict:
    condition = statement.get("Condition") or {}
    principal = statement.get("Principal") or {}
    return {
        "Action": statement.get("Action"),
        "Principal": principal.get("Service") or principal.get("AWS") if isinstance(principal, dict) else principal,
        "SourceArn": (condition.get("ArnLike") or {}).get("AWS:SourceArn"),
        "SourceAccount": (condition.get("StringEquals") or {}).get("AWS:SourceAccount"),
    }


def _permission(target: Target) -> dict:
    """The function policy's statement granting the template's action to its principal."""
    from moto.awslambda.exceptions import UnknownFunctionException

    backend = _backend("awslambda", "lambda_backends", target.account, target.region)
    try:
        function = backend.get_function(target.expected.get("FunctionName", ""))
    except UnknownFunctionException:  # only "not found" is a missing resource; any other error is reported
        raise Missing() from None
    statements = [_permission_fields(s) for s in function.policy.statements]
    wanted = (target.expected.get("Action"), target.expected.get("Principal"))
    found = next((s for s in statements if (s["Action"], s["Principal"]) == wanted), None)
    return _or_missing(found)


def _rule(target: Target) -> dict:
    backend = _backend("events", "events_backends", target.account, target.region)
    name = target.physical_id.split("|")[-1]
    bus_name = target.expected.get("EventBusName") or "default"
    bus_name = bus_name.rsplit("/", 1)[-1]
    bus = _or_missing(backend.event_buses.get(bus_name))
    rule = _or_missing(bus.rules.get(name))
    return {
        "State": rule.state,
        "Description": rule.description,
        "EventPattern": json.loads(rule.event_pattern.dump()) if rule.event_pattern.dump() else None,
        "Targets": sorted(({"Id": t["Id"], "Arn": t["Arn"]} for t in rule.targets), key=lambda t: t["Id"]),
    }


def targets(value: Any) -> Any:
    """Rule targets on the fields both sides carry (retry and dead-letter settings are not read)."""
    if not isinstance(value, list):
        return value
    return sorted(({"Id": t.get("Id"), "Arn": t.get("Arn")} for t in value), key=lambda t: str(t["Id"]))


def _bus(target: Target) -> dict:
    backend = _backend("events", "events_backends", target.account, target.region)
    bus = _or_missing(backend.event_buses.get(target.physical_id))
    return {"Name": bus.name}


def _load_balancer(target: Target) -> dict:
    backend = _backend("elbv2", "elbv2_backends", target.account, target.region)
    balancer = _or_missing(backend.load_balancers.get(target.physical_id))
    return {"Scheme": balancer.scheme, "SecurityGroups": sorted(balancer.security_groups), "Type": balancer.type}


def _dashboard(target: Target) -> dict:
    backend = _backend("cloudwatch", "cloudwatch_backends", target.account, target.region)
    dashboard = _or_missing(backend.dashboards.get(target.physical_id))
    return {"DashboardBody": _document(dashboard.body)}


READERS = {
    "AWS::CloudWatch::Dashboard": _dashboard,
    "AWS::EC2::SecurityGroupEgress": _egress,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::Events::EventBus": _bus,
    "AWS::Events::Rule": _rule,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::KMS::Alias": _alias,
    "AWS::Lambda::Permission": _permission,
}

PROJECTIONS = {
    ("AWS::KMS::Alias", "TargetKeyId"): key_id,
    ("AWS::Events::Rule", "Targets"): targets,
    ("AWS::IAM::ManagedPolicy", "Roles"): lambda value: sorted(value) if isinstance(value, list) else value,
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "SecurityGroups"): (
        lambda value: sorted(value) if isinstance(value, list) else value
    ),
    ("AWS::CloudWatch::Dashboard", "DashboardBody"): _document,
}

"""Every parameter change AWS makes in place rehearses on localcloud.

For each StackSet's template deployed to eu-west-1, created as a plain stack with staging's
values: each parameter that reaches only properties AWS updates in place (the plan's
Modify or Interrupt in cfnops/awsfacts/update_behaviour_table.json, derived from the
registry schemas and AWS's documented update behaviour) and no Condition is changed, alone,
to the value another environment gives it (else another value its constraints allow). The
stack update must complete, every resource it reaches keep its physical id, and each
property it reaches read back, through the service's own API with plain boto3, as the newly
resolved value."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass

import boto3
import pytest

import localcloud
from cfnops.build import render
from cfnops.changes import engine
from cfnops.inputs import params
from cfnops.inputs import stacksets as specs_of
from tests.conftest import PLATFORM, ROOT
from tests.unit.localcloud.test_localcloud_updates import (
    CAPABILITIES,
    UNTAGGED_IN_MOTO,
    physical_ids,
    source,
    tags_of,
)

localcloud.install()
from moto import mock_aws  # noqa: E402
from moto.cloudformation import parsing  # noqa: E402
from moto.cloudformation.models import cloudformation_backends  # noqa: E402

from cfnops.inputs.project import Project  # noqa: E402
from localcloud.cloudformation.patches import Placeholder  # noqa: E402

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ENVIRONMENT = "staging"
IN_PLACE = {engine.MODIFY, engine.INTERRUPT}
TABLE = json.loads((ROOT / "cfnops" / "awsfacts" / "update_behaviour_table.json").read_text())["types"]


def _names(node) -> set[str]:
    """Parameters and resources a template fragment refers to (Ref, Fn::Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= set(re.findall(r"\$\{([^!}.][^}.]*)\}", text))
            found |= _names(value)
    elif isinstance(node, list):
        for item in node:
            found |= _names(item)
    return found


@dataclass(frozen=True)
class Change:
    template: str
    parameter: str
    old: str
    new: str
    reaches: tuple[tuple[str, str, str], ...]  # (logical id, type, property)

    def __str__(self) -> str:
        return f"{self.template}.{self.parameter}"


def _specs(project: Project, templates: dict) -> list:
    ordered = specs_of.load_project(project, ENVIRONMENT, templates)
    return [spec for spec in ordered if REGION in spec.regions]


def _reached(template: dict, parameter: str) -> list[tuple[str, str, str, str]]:
    """(logical id, type, property, plan action) of each property the parameter reaches."""
    return [
        (name, resource["Type"], key, TABLE[resource["Type"]][key]["plan"])
        for name, resource in template["Resources"].items()
        for key, value in (resource.get("Properties") or {}).items()
        if parameter in _names(value)
    ]


def _other_value(parameter: str, definition: dict, old: str, elsewhere: list[str]) -> str | None:
    """Another environment's value, else one the parameter's constraints allow."""
    for value in elsewhere:
        if value != old:
            return value
    allowed = [str(v) for v in definition.get("AllowedValues", [])]
    if allowed:
        return next((v for v in allowed if v != old), None)
    if definition.get("Type") == "Number":
        number = int(old)
        return str(number + 1 if number + 1 <= definition.get("MaxValue", number + 1) else number - 1)
    pattern, longest = definition.get("AllowedPattern", ".*"), definition.get("MaxLength", 4096)
    last = old[-1:]
    tweaked = old[:-1] + ("1" if last == "0" else "0") if last.isdigit() else old[:-1] + ("b" if last == "a" else "a")
    candidates = [f"{old}-changed" if old else "changed", tweaked]
    fits = [value for value in candidates if re.fullmatch(pattern, value) and len(value) <= longest]
    return fits[0] if definition.get("Type") == "String" and fits else None


def changes() -> list[Change]:
    project = Project(ROOT, PLATFORM)
    templates = render.read_generated(project)
    resolved = {env: params.resolve_deployed(project, env, templates) for env in PLATFORM.environments}
    found = []
    for spec in _specs(project, templates):
        template = templates[spec.template]
        conditioned = _names(template.get("Conditions", {}))
        values = resolved[ENVIRONMENT].plain(spec.template, REGION)
        for parameter, definition in template.get("Parameters", {}).items():
            reached = _reached(template, parameter)
            if parameter in conditioned or not reached or any(action not in IN_PLACE for *_, action in reached):
                continue
            elsewhere = [
                resolved[env].plain(spec.template, REGION).get(parameter, "")
                for env in PLATFORM.environments
                if env != ENVIRONMENT and REGION in resolved[env].values.get(spec.template, {})
            ]
            new = _other_value(parameter, definition, values[parameter], elsewhere)
            found.append(Change(spec.template, parameter, values[parameter], new or "", tuple(r[:3] for r in reached)))
    return found


CHANGES = changes()


@pytest.fixture(scope="module")
def stacks():
    """Every StackSet's template as a stack in eu-west-1 with staging's values, in dependency order."""
    project = Project(ROOT, PLATFORM)
    templates = render.read_generated(project)
    resolved = params.resolve_deployed(project, ENVIRONMENT, templates)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name=REGION)
        for spec in _specs(project, templates):
            values = resolved.plain(spec.template, REGION)
            client.create_stack(
                StackName=spec.template,
                **source(templates[spec.template], f"{spec.template}.json"),
                Capabilities=CAPABILITIES,
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
            )
            stack = client.describe_stacks(StackName=spec.template)["Stacks"][0]
            assert stack["StackStatus"] == "CREATE_COMPLETE", (spec.template, stack.get("StackStatusReason"))
        yield templates


def test_parameters_reaching_in_place_properties_are_found():
    """The derivation finds what it should (data-pipeline's ShardCount, the issue's case)."""
    assert "data-pipeline.ShardCount" in map(str, CHANGES)


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_an_in_place_parameter_change_converges(stacks, change):
    assert change.new, f"{change}: no other environment's value and no constraint gives another value"
    client = boto3.client("cloudformation", region_name=REGION)
    template = stacks[change.template]
    before = physical_ids(client, change.template)
    client.update_stack(
        StackName=change.template,
        UsePreviousTemplate=True,
        Capabilities=CAPABILITIES,
        Parameters=[
            {"ParameterKey": k, "ParameterValue": change.new}
            if k == change.parameter
            else {"ParameterKey": k, "UsePreviousValue": True}
            for k in template.get("Parameters", {})
        ],
    )
    stack = client.describe_stacks(StackName=change.template)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack.get("StackStatusReason")
    after = physical_ids(client, change.template)
    resource_map = cloudformation_backends[ACCOUNT][REGION].get_stack(change.template).resource_map
    for logical_id, kind, key in change.reaches:
        if logical_id not in before or (key == "Tags" and kind in UNTAGGED_IN_MOTO):
            continue  # not created in this region (a Condition); moto keeps no tags for the type
        assert after[logical_id] == before[logical_id], f"{logical_id} was replaced"
        wanted = parsing.clean_json(template["Resources"][logical_id]["Properties"][key], resource_map)
        actual = read_back(kind, key, after[logical_id], resource_map._parsed_resources[logical_id])
        wanted = PROJECTIONS.get(key, lambda value: value)(wanted)
        assert agrees(wanted, actual), (logical_id, key, wanted, actual)


def _pairs(tags) -> dict:
    return {t["Key"]: t["Value"] for t in tags} if isinstance(tags, list) else tags


def _named(policies) -> dict:
    return {policy["PolicyName"]: policy["PolicyDocument"] for policy in policies}


# property -> the template's value in the shape the readers give (name -> value)
PROJECTIONS = {"Tags": _pairs, "Policies": _named, "LoadBalancerAttributes": _pairs}


def read_back(kind: str, key: str, physical_id: str, model):
    """The value as the emulated service reports it (a placeholder, which no service backs:
    what it holds)."""
    if isinstance(model, Placeholder):
        return PROJECTIONS.get(key, lambda value: value)(model.properties.get(key))
    if key == "Tags":
        return tags_of(kind, physical_id, model)
    reader = READERS.get((kind, key))
    assert reader is not None, f"add a boto3 reader for {kind}.{key}"
    return reader(physical_id, model)


def agrees(wanted, actual) -> bool:
    """What the service reports matches the template's value: each field the service reports
    (a dict's common keys, a list item by item, scalars as text)."""
    if isinstance(wanted, dict) and isinstance(actual, dict):
        common = set(wanted) & set(actual)
        return bool(common) and all(agrees(wanted[k], actual[k]) for k in common)
    if isinstance(wanted, list) and isinstance(actual, list):
        return len(wanted) == len(actual) and all(agrees(w, a) for w, a in zip(wanted, actual, strict=True))
    return str(wanted).lower() == str(actual).lower()


def _client(service: str):
    return boto3.client(service, region_name=REGION)


def _stream(physical_id: str) -> dict:
    return _client("kinesis").describe_stream_summary(StreamName=physical_id)["StreamDescriptionSummary"]


def _function(model) -> dict:
    return _client("lambda").get_function(FunctionName=model.function_name)


def _db_instance(physical_id: str) -> dict:
    return _client("rds").describe_db_instances(DBInstanceIdentifier=physical_id)["DBInstances"][0]


def _lifecycle(physical_id: str) -> dict:
    rules = _client("s3").get_bucket_lifecycle_configuration(Bucket=physical_id)["Rules"]
    return {
        "Rules": [
            {"Id": r["ID"], **({"ExpirationInDays": r["Expiration"]["Days"]} if "Expiration" in r else {})}
            for r in rules
        ]
    }


def _object_lock(physical_id: str) -> dict:
    configuration = _client("s3").get_object_lock_configuration(Bucket=physical_id)["ObjectLockConfiguration"]
    return configuration


def _service(model) -> dict:
    return _client("ecs").describe_services(cluster=model.cluster_name, services=[model.name])["services"][0]


def _route(model) -> dict:
    table = _client("ec2").describe_route_tables(RouteTableIds=[model.route_table.id])["RouteTables"][0]
    return next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == model.destination_cidr_block)


def _role_policies(physical_id: str) -> dict:
    iam = boto3.client("iam")
    return {
        name: iam.get_role_policy(RoleName=physical_id, PolicyName=name)["PolicyDocument"]
        for name in iam.list_role_policies(RoleName=physical_id)["PolicyNames"]
    }


def _listener_certificates(model) -> list:
    [listener] = _client("elbv2").describe_listeners(ListenerArns=[model.arn])["Listeners"]
    return [{"CertificateArn": c["CertificateArn"]} for c in listener.get("Certificates", [])]


# (type, property) -> the value as the service reports it, through its API
READERS = {
    ("AWS::IAM::Role", "Policies"): lambda pid, m: _role_policies(pid),
    ("AWS::ElasticLoadBalancingV2::Listener", "Certificates"): lambda pid, m: _listener_certificates(m),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerAttributes"): lambda pid, m: _pairs(
        _client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=m.arn)["Attributes"]
    ),
    ("AWS::Kinesis::Stream", "ShardCount"): lambda pid, m: _stream(pid)["OpenShardCount"],
    ("AWS::Kinesis::Stream", "RetentionPeriodHours"): lambda pid, m: _stream(pid)["RetentionPeriodHours"],
    ("AWS::Lambda::Function", "Environment"): lambda pid, m: _function(m)["Configuration"]["Environment"],
    ("AWS::Lambda::Function", "MemorySize"): lambda pid, m: _function(m)["Configuration"]["MemorySize"],
    ("AWS::Lambda::Function", "ReservedConcurrentExecutions"): lambda pid, m: _function(m)["Concurrency"][
        "ReservedConcurrentExecutions"
    ],
    ("AWS::Lambda::Function", "Code"): lambda pid, m: {"ImageUri": _function(m)["Code"].get("ImageUri")},
    ("AWS::ECS::Service", "DesiredCount"): lambda pid, m: _service(m)["desiredCount"],
    ("AWS::RDS::DBInstance", "DBInstanceClass"): lambda pid, m: _db_instance(pid)["DBInstanceClass"],
    ("AWS::RDS::DBInstance", "AllocatedStorage"): lambda pid, m: _db_instance(pid)["AllocatedStorage"],
    ("AWS::RDS::DBInstance", "DeletionProtection"): lambda pid, m: _db_instance(pid)["DeletionProtection"],
    ("AWS::S3::Bucket", "LifecycleConfiguration"): lambda pid, m: _lifecycle(pid),
    ("AWS::S3::Bucket", "ObjectLockConfiguration"): lambda pid, m: _object_lock(pid),
    ("AWS::EC2::Route", "VpcPeeringConnectionId"): lambda pid, m: _route(m).get("VpcPeeringConnectionId"),
    ("AWS::Logs::LogGroup", "RetentionInDays"): lambda pid, m: (
        _client("logs").describe_log_groups(logGroupNamePrefix=pid)["logGroups"][0].get("retentionInDays")
    ),
    ("AWS::DynamoDB::Table", "DeletionProtectionEnabled"): lambda pid, m: _client("dynamodb").describe_table(
        TableName=pid
    )["Table"]["DeletionProtectionEnabled"],
}

"""First creation of deletion-protected resources, with the exact API calls (Stubber):
instances are created with every *DeletionProtection parameter "false", then the same
deploy restores the environment's values with UpdateStackInstances; only where the
creation succeeded; and an instance left with protection off is finished by the next deploy."""

from __future__ import annotations

import json

import pytest
from botocore.stub import ANY

from cfnops.build import render
from cfnops.inputs import params
from cfnops.rollout import protection
from cfnops.rollout.deploy import DeployOptions, StackSetApplier
from cfnops.rollout.plan import Actual, InstanceState, build_desired, make_plan
from tests.conftest import PLATFORM
from tests.support.stubber import ADMIN, actual_of, expect_operation, fast, make_spec, quiet, stackset_arguments

TEMPLATE = (
    json.dumps(
        {
            "Parameters": {
                "Environment": {"Type": "String"},
                "DbDeletionProtection": {"Type": "String", "AllowedValues": ["true", "false"], "Default": "true"},
            },
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        },
        indent=2,
        sort_keys=True,
    )
    + "\n"
)
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
SEQUENTIAL = {
    "RegionConcurrencyType": "SEQUENTIAL",
    "RegionOrder": list(REGIONS),
    "FailureToleranceCount": 0,
    "MaxConcurrentCount": 1,
}
OFF = [{"ParameterKey": "DbDeletionProtection", "ParameterValue": "false"}]


@pytest.fixture(scope="module")
def prod(project):
    return params.resolve_deployed(project, "prod", render.read_generated(project))


@pytest.fixture
def desired(prod):
    spec = make_spec(environment="prod", template="data-pipeline", accounts=(ADMIN,), tags={"Team": "fraud"})
    return build_desired(spec, TEMPLATE, prod, ADMIN)


def instances_call(stub, operation: str, operation_id: str, regions, overrides, action: str, statuses=None) -> None:
    stub.add_response(
        operation,
        {"OperationId": operation_id},
        {
            "StackSetName": "data-pipeline-prod",
            "Accounts": [ADMIN],
            "Regions": list(regions),
            "ParameterOverrides": overrides,
            "OperationPreferences": {**SEQUENTIAL, "RegionOrder": list(regions)},
            "OperationId": ANY,
        },
    )
    statuses = statuses or {region: "SUCCEEDED" for region in regions}
    expect_operation(
        stub, "data-pipeline-prod", operation_id, [(ADMIN, r, s, "") for r, s in statuses.items()], action=action
    )


def test_created_with_protection_off_then_turned_on_in_prod(aws, stub, desired):
    assert desired.parameters["DbDeletionProtection"] == "true"  # prod's value, a StackSet parameter
    stub.add_response(
        "create_stack_set", {"StackSetId": "x"}, {**stackset_arguments(desired), "TemplateBody": TEMPLATE}
    )
    instances_call(stub, "create_stack_instances", "op-create", REGIONS, OFF, "CREATE")
    instances_call(
        stub, "update_stack_instances", "op-protect", REGIONS, [], "UPDATE"
    )  # no override: the StackSet's "true"
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, Actual(exists=False))
    assert plan.protect == tuple((ADMIN, r) for r in sorted(REGIONS))
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert [(o.action, o.status) for o in result.outcomes] == [("CREATE", "SUCCEEDED"), ("UPDATE", "SUCCEEDED")]


def test_protection_is_turned_on_only_where_the_creation_succeeded(aws, stub, desired):
    stub.add_response(
        "create_stack_set", {"StackSetId": "x"}, {**stackset_arguments(desired), "TemplateBody": TEMPLATE}
    )
    instances_call(
        stub,
        "create_stack_instances",
        "op-create",
        REGIONS,
        OFF,
        "CREATE",
        {"us-east-1": "SUCCEEDED", "us-west-2": "FAILED", "eu-west-1": "CANCELLED"},
    )
    instances_call(stub, "update_stack_instances", "op-protect", ["us-east-1"], [], "UPDATE")
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, Actual(exists=False))
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert [(r.region, r.status) for _, r in result.failed] == [("us-west-2", "FAILED"), ("eu-west-1", "CANCELLED")]


def left(desired, region: str, status: str = "CURRENT") -> InstanceState:
    """An instance whose last operation (ours) left a first creation's overrides: protection off."""
    return InstanceState(
        ADMIN,
        region,
        ADMIN,
        status,
        "SUCCEEDED" if status == "CURRENT" else "FAILED",
        "",
        f"cfnops-{desired.creation_digest(region)}-0123456789ab",
    )


def test_the_next_deploy_turns_on_what_an_interrupted_one_left_off(aws, stub, desired):
    instances = [left(desired, r) for r in REGIONS]  # known from their OperationIds: no DescribeStackInstance
    instances_call(stub, "update_stack_instances", "op-protect", REGIONS, [], "UPDATE")
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, actual_of(desired, instances))
    assert (plan.action, plan.update_overrides, plan.retry, plan.protect) == (
        "update",
        (),
        (),
        tuple((ADMIN, r) for r in sorted(REGIONS)),
    )
    StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()


def test_a_failed_creation_is_retried_with_protection_off_then_protected(aws, stub, desired):
    instances = [
        left(desired, "us-east-1"),
        left(desired, "us-west-2", "OUTDATED"),
        InstanceState(
            ADMIN,
            "eu-west-1",
            ADMIN,
            "CURRENT",
            "SUCCEEDED",
            "",
            f"cfnops-{desired.region_digest('eu-west-1')}-0123456789ab",
        ),
    ]
    instances_call(stub, "update_stack_instances", "op-retry", ["us-west-2"], OFF, "UPDATE")
    instances_call(stub, "update_stack_instances", "op-protect", ["us-east-1", "us-west-2"], [], "UPDATE")
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, actual_of(desired, instances))
    assert plan.retry == ((ADMIN, "us-west-2"),) and plan.update_overrides == ()
    StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()


def test_protected_instances_need_nothing(aws, stub, desired):
    instances = [
        InstanceState(ADMIN, r, ADMIN, "CURRENT", "SUCCEEDED", "", f"cfnops-{desired.region_digest(r)}-0123456789ab")
        for r in REGIONS
    ]
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, actual_of(desired, instances))
    assert not plan.changed and plan.protect == ()


def test_dev_creates_without_a_second_step(aws, stub, project):
    dev = params.resolve_deployed(project, "dev", render.read_generated(project))
    desired = build_desired(
        make_spec(environment="dev", template="data-pipeline", accounts=(ADMIN,)), TEMPLATE, dev, ADMIN
    )
    assert desired.parameters["DbDeletionProtection"] == "false" and desired.creation_overrides("us-east-1") == {}
    assert make_plan(aws.client("cloudformation", "us-east-1"), desired, Actual(exists=False)).protect == ()


def test_deletion_protection_parameters_are_found_by_name_and_allowed_values():
    template = {
        "Parameters": {
            "DbDeletionProtection": {"Type": "String", "AllowedValues": ["true", "false"]},
            "TableDeletionProtection": {"Type": "String", "AllowedValues": [True, False]},
            "ModeDeletionProtection": {"Type": "String", "AllowedValues": ["on", "off"]},  # not a true/false switch
            "DeletionProtectionNote": {"Type": "String", "AllowedValues": ["true", "false"]},  # not the suffix
            "EnableGlobalTable": {"Type": "String", "AllowedValues": ["true", "false"]},
        }
    }
    assert protection.declared(template) == ("DbDeletionProtection", "TableDeletionProtection")


def protection_refs(node) -> set[str]:
    """Parameters referenced by any DeletionProtection* property in a template's resources, or by
    a load balancer's ``deletion_protection.enabled`` attribute."""
    if isinstance(node, list):
        return set().union(*(protection_refs(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {
        value["Ref"]
        for key, value in node.items()
        if key.startswith("DeletionProtection") and isinstance(value, dict) and "Ref" in value
    }
    if node.get("Key") == "deletion_protection.enabled" and isinstance(node.get("Value"), dict):
        found.add(node["Value"]["Ref"])
    return found.union(*(protection_refs(value) for value in node.values()))


def test_every_deletion_protection_switch_of_the_generated_templates_is_found(project):
    templates = render.read_generated(project)
    switches = {name: protection_refs(body["Resources"]) for name, body in templates.items()}
    assert sum(len(refs) for refs in switches.values()) >= 5  # the test sees the templates' switches at all
    assert {name: set(protection.declared(body)) for name, body in templates.items()} == switches


ROLES_TEMPLATE = (
    json.dumps(
        {
            **json.loads(TEMPLATE),
            "Parameters": {**json.loads(TEMPLATE)["Parameters"], "PrimaryRegion": {"Type": "String"}},
        },
        indent=2,
        sort_keys=True,
    )
    + "\n"
)


def test_a_failed_primary_leaves_the_held_back_regions_alone(aws, stub, prod):
    """Region roles: the primary failed, so the others are not created, and nothing turns
    protection on there (UpdateStackInstances of an instance that does not exist is refused:
    StackInstanceNotFoundException); the stubber fails on any further call."""
    spec = make_spec(
        environment="prod",
        template="data-pipeline",
        accounts=(ADMIN,),
        tags={"Team": "fraud"},
        primary_region="us-east-1",
    )
    roles_desired = build_desired(spec, ROLES_TEMPLATE, prod, ADMIN)
    stub.add_response(
        "create_stack_set", {"StackSetId": "x"}, {**stackset_arguments(roles_desired), "TemplateBody": ROLES_TEMPLATE}
    )
    instances_call(stub, "create_stack_instances", "op-primary", ["us-east-1"], OFF, "CREATE", {"us-east-1": "FAILED"})
    plan = make_plan(aws.client("cloudformation", "us-east-1"), roles_desired, Actual(exists=False))
    assert {region for _, region in plan.protect} == set(REGIONS)
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert [(r.region, r.status) for _, r in result.failed] == [("us-east-1", "FAILED")]
    stub.assert_no_pending_responses()

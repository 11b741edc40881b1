"""The plan's reads (vouch.py): ListStackInstances alone when every instance's last operation
is cfnops' with the desired StackSet's state; DescribeStackSet whenever one is not."""

from __future__ import annotations

import json

import pytest

from cfnops.build import render
from cfnops.inputs import params
from cfnops.rollout import vouch
from cfnops.rollout.plan import build_desired, digest, make_plan, new_operation_id, operation_state, read_actual
from tests.support.stubber import ADMIN, make_spec

TEMPLATE = json.dumps(
    {"Parameters": {"Environment": {"Type": "String"}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
)
REGIONS = ("us-east-1", "us-west-2")


@pytest.fixture(scope="module")
def staging(project):
    return params.resolve_deployed(project, "staging", render.read_generated(project))


@pytest.fixture
def desired(staging):
    return build_desired(make_spec(template="network", accounts=(ADMIN,), regions=REGIONS), TEMPLATE, staging, ADMIN)


def listing(stub, desired, operation_id, status="CURRENT"):
    summaries = [
        {
            "Account": ADMIN,
            "Region": region,
            "Status": status,
            "LastOperationId": operation_id(region),
            "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"},
        }
        for region in REGIONS
    ]
    stub.add_response("list_stack_instances", {"Summaries": summaries}, {"StackSetName": desired.spec.name})


def described(stub, desired, template=TEMPLATE):
    stackset = {
        "StackSetName": desired.spec.name,
        "Status": "ACTIVE",
        "TemplateBody": template,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in desired.parameters.items()],
        "Capabilities": list(desired.spec.capabilities),
        "Tags": [{"Key": k, "Value": v} for k, v in desired.tags],
        "Description": desired.spec.description,
        "ManagedExecution": {"Active": desired.spec.managed_execution},
        "AdministrationRoleARN": f"arn:aws:iam::{ADMIN}:role/{desired.spec.administration_role}",
        "ExecutionRoleName": desired.spec.execution_role,
    }
    stub.add_response("describe_stack_set", {"StackSet": stackset}, {"StackSetName": desired.spec.name})


def ours(desired, state):
    return lambda region: new_operation_id(desired.region_digest(region), state)


def test_instances_that_vouch_for_the_desired_state_need_no_describe_stack_set(aws, stub, desired):
    listing(stub, desired, ours(desired, vouch.state_digest(desired)))
    client = aws.client("cloudformation", "us-east-1")
    actual = read_actual(client, desired.spec, desired)
    plan = make_plan(client, desired, actual)
    assert actual.exists and not plan.changed and len(actual.instances) == 2


@pytest.mark.parametrize(
    "case",
    ["another tool's operation", "an operation before an UpdateStackSet", "an older cfnops id", "OUTDATED", "changed"],
)
def test_anything_else_reads_describe_stack_set(aws, stub, desired, staging, case):
    state = vouch.state_digest(desired)
    operation = {
        "another tool's operation": lambda region: "8f1c0d7e-console",
        "an operation before an UpdateStackSet": ours(desired, vouch.unsettled_digest()),
        "an older cfnops id": lambda region: new_operation_id(desired.region_digest(region)),
    }.get(case, ours(desired, state))
    wanted = desired
    if case == "changed":  # the template file changed since: the state it names is no longer the desired one
        wanted = build_desired(desired.spec, TEMPLATE.replace("SNS::Topic", "SQS::Queue"), staging, ADMIN)
    listing(stub, wanted, operation, status="OUTDATED" if case == "OUTDATED" else "CURRENT")
    described(stub, wanted, template=TEMPLATE)
    if case == "another tool's operation":  # its overrides are not vouched for either: read
        for region in REGIONS:
            stub.add_response(
                "describe_stack_instance",
                {"StackInstance": {"ParameterOverrides": []}},
                {"StackSetName": wanted.spec.name, "StackInstanceAccount": ADMIN, "StackInstanceRegion": region},
            )
    client = aws.client("cloudformation", "us-east-1")
    actual = read_actual(client, wanted.spec, wanted)
    plan = make_plan(client, wanted, actual)
    stub.assert_no_pending_responses()
    assert actual.exists and plan.stackset_changes == (("template",) if case == "changed" else ())


def test_operation_ids_name_the_state_and_older_ids_still_parse():
    assert operation_state(new_operation_id(digest({}), "0123456789")) == "0123456789"
    assert operation_state(new_operation_id(digest({}))) is None
    assert operation_state("not-ours") is None

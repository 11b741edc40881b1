"""PRUNE and the guard: removing instances whose stacks are deleted removes every resource
of them, so each stateful one is refused in staging and prod unless ALLOW_REPLACE names
it; when the stacks are retained nothing is lost and the plan says "stack kept"."""

from __future__ import annotations

import json

import pytest
from botocore.stub import ANY

from cfnops.build import render
from cfnops.changes import guard
from cfnops.core.errors import RefusedError
from cfnops.inputs import params
from cfnops.inputs.stackset_preferences import default_preferences
from cfnops.rollout import planview
from cfnops.rollout.deploy import DeployOptions, StackSetApplier, deletes_stacks
from cfnops.rollout.plan import InstanceState, build_desired, digest, make_plan, new_operation_id
from templates_src.conventions import REGIONS
from tests.conftest import PLATFORM
from tests.support.stubber import ACCOUNTS, ADMIN, actual_of, current, fast, make_spec, quiet

TEMPLATE = json.dumps(
    {
        "Parameters": {"Environment": {"Type": "String"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Environment"}, "prod"]}},
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "${Environment}-t"}}},
            "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {}},
            "ProdOnlyQueue": {"Type": "AWS::SQS::Queue", "Condition": "IsProd", "Properties": {}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        },
    }
)


def removal_plan(aws, stub, project, environment: str, console_account: str | None = None):
    """Instances in eu-west-1 that the StackSet no longer wants; ``console_account``'s was last
    touched by another tool, so its overrides are read."""
    resolved = params.resolve_deployed(project, environment, render.read_generated(project))
    spec = make_spec(
        environment=environment,
        template="network",
        regions=REGIONS[:2],
        preferences=default_preferences(PLATFORM.environment(environment).production, REGIONS),
    )
    desired = build_desired(spec, TEMPLATE, resolved, ADMIN)
    instances = [current(a, r, new_operation_id(desired.region_digest(r))) for a in ACCOUNTS for r in REGIONS[:2]]
    instances += [
        current(a, "eu-west-1", new_operation_id(digest({})))
        if a != console_account
        else InstanceState(a, "eu-west-1", a, "CURRENT", "SUCCEEDED", "", "console-op")
        for a in ACCOUNTS
    ]
    if console_account:
        stub.add_response(
            "describe_stack_instance",
            {"StackInstance": {"ParameterOverrides": []}},
            {"StackSetName": spec.name, "StackInstanceAccount": console_account, "StackInstanceRegion": "eu-west-1"},
        )
    actual = actual_of(desired, instances, parameters={"Environment": environment})
    return make_plan(aws.client("cloudformation", "us-east-1"), desired, actual)


def test_removed_instances_resources_are_removes_and_their_overrides_read_only_when_not_ours(aws, stub, project):
    plan = removal_plan(aws, stub, project, "staging", console_account=ACCOUNTS[1])
    stub.assert_no_pending_responses()
    assert plan.remove == tuple((a, "eu-west-1") for a in ACCOUNTS)
    [group] = plan.removed_resources
    assert group.instances == plan.remove
    assert [(c.logical_id, c.action, c.policy, c.destructive) for c in group.changes] == [
        ("Logs", "Remove", "Retain", True),
        ("Table", "Remove", "Delete", True),
        ("Topic", "Remove", "Delete", False),
    ]


def test_prune_deleting_stacks_in_staging_is_refused_with_zero_mutating_calls(aws, stub, project):
    plan = removal_plan(aws, stub, project, "staging")
    options = DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, prune=True, wait=fast(), concurrent=False)
    assert deletes_stacks(plan, options)
    with pytest.raises(RefusedError) as refused:
        guard.enforce(PLATFORM.environment("staging"), [plan], frozenset(), print, lambda p: deletes_stacks(p, options))
    assert refused.value.problems == [
        "deploy refused: network/Logs (AWS::Logs::LogGroup): Remove in eu-west-1; kept (Retain): the old resource and its data "
        "stay, outside the stack",
        "deploy refused: network/Table (AWS::DynamoDB::Table): Remove in eu-west-1; NOTHING is kept (Delete): the resource and its "
        "data are deleted",
        "nothing was changed; to go ahead, name them: ALLOW_REPLACE=network/Logs,network/Table (--allow-replace)",
    ]
    stub.assert_no_pending_responses()  # nothing but the reads: no mutating call was queued or made
    guard.enforce(
        PLATFORM.environment("staging"),
        [plan],
        guard.parse("network/Logs,network/Table"),
        print,
        lambda p: deletes_stacks(p, options),
    )
    assert not deletes_stacks(
        plan, DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket)
    )  # without PRUNE nothing is removed
    assert not deletes_stacks(
        plan, DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, prune=True, retain_stacks=True)
    )
    lines = planview.describe(plan, retain_stacks=False)
    assert (
        "    removing them (PRUNE=1) deletes the stacks in eu-west-1 (111111111111, 222222222222): 3 resources removed, 2 stateful"
        in lines
    )
    assert (
        "      - Remove Table (AWS::DynamoDB::Table)  STATEFUL: NOTHING is kept (Delete): the resource and its data are deleted"
        in lines
    )


def test_prune_in_prod_keeps_the_stacks_so_nothing_is_refused_and_the_plan_says_so(aws, stub, project):
    plan = removal_plan(aws, stub, project, "prod")
    assert [c.logical_id for c in plan.removed_resources[0].changes] == ["Logs", "ProdOnlyQueue", "Table", "Topic"]
    options = DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, prune=True, wait=fast(), concurrent=False)
    assert not deletes_stacks(plan, options)
    guard.enforce(PLATFORM.environment("prod"), [plan], frozenset(), print, lambda p: deletes_stacks(p, options))
    lines = planview.describe(plan)
    assert (
        "    stack kept (RetainStacks): removing them (PRUNE=1) leaves their stacks and resources in place, outside the StackSet"
        in lines
    )
    assert not any("deletes the stacks" in line for line in lines)
    stub.add_response(
        "delete_stack_instances",
        {"OperationId": "op-d"},
        {
            "StackSetName": "network-prod",
            "Accounts": list(ACCOUNTS),
            "Regions": ["eu-west-1"],
            "RetainStacks": True,
            "OperationPreferences": ANY,
            "OperationId": ANY,
        },
    )
    stub.add_response(
        "describe_stack_set_operation",
        {"StackSetOperation": {"OperationId": "op-d", "Status": "SUCCEEDED"}},
        {"StackSetName": "network-prod", "OperationId": "op-d"},
    )
    stub.add_response(
        "list_stack_set_operation_results", {"Summaries": []}, {"StackSetName": "network-prod", "OperationId": "op-d"}
    )
    StackSetApplier(aws, plan, quiet(), options, ADMIN).remove()
    stub.assert_no_pending_responses()


def _formats(plan, retains: bool) -> tuple[dict, list[str]]:
    import jsonschema

    from cfnops.changes import json_view, markdown, report

    built = report.build(plan.desired.spec.environment, [plan], retains_stacks=lambda p: retains)
    data = json.loads(json_view.render(built))
    jsonschema.validate(data, json.loads(json_view.SCHEMA_FILE.read_text()))
    return data["stacksets"][0]["prune"], markdown.render(built).splitlines()


def test_the_json_and_markdown_plans_say_what_prune_deletes_like_the_text_plan(aws, stub, project):
    plan = removal_plan(aws, stub, project, "staging")
    prune, lines = _formats(plan, retains=False)
    assert prune["stacks"] == "deleted"
    [group] = prune["groups"]
    assert (group["regions"], group["removed"]) == (["eu-west-1"], 3)
    assert group["instances"] == [{"target": a, "region": "eu-west-1"} for a in ACCOUNTS]
    assert [(s["logical_id"], s["policy"]) for s in group["stateful"]] == [("Logs", "Retain"), ("Table", "Delete")]
    assert group["stateful"][1]["keeps"].startswith("NOTHING is kept (Delete)")
    assert f"**Removed instances** (`PRUNE=1`): `{ACCOUNTS[0]}/eu-west-1`, `{ACCOUNTS[1]}/eu-west-1`" in lines
    assert "- stacks deleted in eu-west-1: 3 resources removed, 2 stateful" in lines
    assert (
        "  - 🗑️ Remove `Table` (AWS::DynamoDB::Table): NOTHING is kept (Delete): the resource and its data are deleted"
        in lines
    )


def test_the_json_and_markdown_plans_say_stack_kept_when_prune_retains_the_stacks(aws, stub, project):
    plan = removal_plan(aws, stub, project, "prod")
    prune, lines = _formats(plan, retains=True)
    assert prune == {"stacks": "kept", "groups": []}
    assert "- stack kept (RetainStacks): their stacks and resources stay in place, outside the StackSet" in lines
    assert not any("stacks deleted" in line for line in lines)

"""Exact API arguments for every StackSet call shape, checked against the real service
model by botocore's Stubber: SELF_MANAGED and SERVICE_MANAGED, several accounts,
per-region overrides, operation preferences, TemplateBody and TemplateURL, pagination,
failed instances, OperationInProgressException and timeouts."""

from __future__ import annotations

import hashlib
import json

import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from cfnops.build import render
from cfnops.core.errors import OperationFailedError
from cfnops.inputs import params
from cfnops.inputs.stackset_preferences import default_preferences
from cfnops.rollout.deploy import DeployOptions, StackSetApplier, failures
from cfnops.rollout.operations import Runner, WaitSettings
from cfnops.rollout.plan import Actual, InstanceState, build_desired, make_plan, read_actual
from templates_src.conventions import REGIONS
from tests.conftest import PLATFORM
from tests.support.stubber import (
    ACCOUNTS,
    ADMIN,
    OUS,
    FakeClock,
    actual_of,
    current,
    expect_operation,
    fast,
    make_spec,
    quiet,
    stackset_arguments,
)

SMALL_TEMPLATE = (
    json.dumps(
        {"Parameters": {"Environment": {"Type": "String"}}, "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}},
        indent=2,
        sort_keys=True,
    )
    + "\n"
)


@pytest.fixture(scope="module")
def staging(project):
    return params.resolve_deployed(project, "staging", render.read_generated(project))


def overrides(staging, region: str, creating: bool = False) -> list[dict]:
    """fraud-detection's per-region overrides; a creation also turns staging's deletion protection off."""
    values = staging.plain("fraud-detection", region)
    protection = [{"ParameterKey": "DbDeletionProtection", "ParameterValue": "false"}] if creating else []
    return [{"ParameterKey": k, "ParameterValue": values[k]} for k in ("CertificateArn", "ContainerImage")] + protection


PARALLEL = {
    "RegionConcurrencyType": "PARALLEL",
    "FailureToleranceCount": 0,
    "MaxConcurrentPercentage": 100,
    "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
}


def test_self_managed_create_with_several_accounts_overrides_and_template_url(aws, stub, project, staging):
    text = project.template_path("fraud-detection").read_text()
    desired = build_desired(make_spec(), text, staging, ADMIN)
    s3 = Stubber(aws.client("s3", "us-east-1"))
    key = f"templates/fraud-detection-staging/{hashlib.sha256(text.encode()).hexdigest()}.json"
    s3.add_response(
        "put_object",
        {"VersionId": "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrH"},
        {
            "Bucket": f"cfnops-artifacts-{ADMIN}-us-east-1",
            "Key": key,
            "Body": text.encode(),
            "ContentType": "application/json",
        },
    )
    s3.activate()
    stub.add_response(
        "create_stack_set",
        {"StackSetId": "fraud-detection-staging:1"},
        {
            **stackset_arguments(desired),
            # the version just written: what the StackSet reads is what was uploaded
            "TemplateURL": f"https://cfnops-artifacts-{ADMIN}-us-east-1.s3.us-east-1.amazonaws.com/{key}"
            "?versionId=3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrH",
        },
    )
    for region in REGIONS:  # one call per region: overrides differ by region
        stub.add_response(
            "create_stack_instances",
            {"OperationId": f"op-{region}"},
            {
                "StackSetName": "fraud-detection-staging",
                "Accounts": list(ACCOUNTS),
                "Regions": [region],
                "ParameterOverrides": overrides(staging, region, creating=True),
                "OperationPreferences": PARALLEL,
                "OperationId": ANY,
            },
        )
        expect_operation(
            stub, "fraud-detection-staging", f"op-{region}", [(a, region, "SUCCEEDED", "") for a in ACCOUNTS]
        )
    for region in (
        REGIONS
    ):  # then deletion protection on: the environment's overrides, DbDeletionProtection back to the StackSet's
        stub.add_response(
            "update_stack_instances",
            {"OperationId": f"protect-{region}"},
            {
                "StackSetName": "fraud-detection-staging",
                "Accounts": list(ACCOUNTS),
                "Regions": [region],
                "ParameterOverrides": overrides(staging, region),
                "OperationPreferences": PARALLEL,
                "OperationId": ANY,
            },
        )
        expect_operation(
            stub,
            "fraud-detection-staging",
            f"protect-{region}",
            [(a, region, "SUCCEEDED", "") for a in ACCOUNTS],
            action="UPDATE",
        )
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, Actual(exists=False))
    assert desired.parameters["DbDeletionProtection"] == "true"
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert [o.status for o in result.outcomes] == ["SUCCEEDED"] * 6 and result.failed == []
    s3.assert_no_pending_responses()


def test_service_managed_create_targets_organizational_units(aws, stub, staging):
    desired = build_desired(make_spec(template="network", model="SERVICE_MANAGED"), SMALL_TEMPLATE, staging, ADMIN)
    stub.add_response(
        "create_stack_set",
        {"StackSetId": "network-staging:1"},
        {**stackset_arguments(desired, "SERVICE_MANAGED"), "TemplateBody": SMALL_TEMPLATE},
    )
    stub.add_response(
        "create_stack_instances",
        {"OperationId": "op-1"},
        {
            "StackSetName": "network-staging",
            "DeploymentTargets": {"OrganizationalUnitIds": list(OUS)},
            "Regions": list(REGIONS),
            "ParameterOverrides": [],
            "OperationPreferences": ANY,
            "OperationId": ANY,
        },
    )
    expect_operation(stub, "network-staging", "op-1", [("333333333333", r, "SUCCEEDED", "") for r in REGIONS])
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, Actual(exists=False))
    assert plan.add == tuple(sorted((ou, r) for ou in OUS for r in REGIONS))
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert result.failed == []


def ours(desired, region: str) -> str:
    return f"cfnops-{desired.region_digest(region)}-0123456789ab"


def test_prod_update_is_sequential_primary_first_one_at_a_time(aws, stub, project, staging):
    prod = params.resolve_deployed(project, "prod", render.read_generated(project))
    desired = build_desired(make_spec(environment="prod", template="network"), SMALL_TEMPLATE, prod, ADMIN)
    instances = [current(a, r, ours(desired, r)) for a in ACCOUNTS for r in REGIONS]
    old = dict(desired.parameters, FlowLogRetentionDays="90")
    stub.add_response(
        "update_stack_set",
        {"OperationId": "op-u"},
        {
            **stackset_arguments(desired),
            "TemplateBody": SMALL_TEMPLATE,
            "OperationPreferences": {
                "RegionConcurrencyType": "SEQUENTIAL",
                "RegionOrder": list(REGIONS),
                "FailureToleranceCount": 0,
                "MaxConcurrentCount": 1,
            },
            "OperationId": ANY,
        },
    )
    expect_operation(
        stub, "network-prod", "op-u", [(a, r, "SUCCEEDED", "") for a in ACCOUNTS for r in REGIONS], action="UPDATE"
    )
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, actual_of(desired, instances, parameters=old))
    assert plan.stackset_changes == ("parameters",)
    assert [(c.scope, c.key, c.old, c.new) for c in plan.parameter_changes] == [
        ("StackSet", "FlowLogRetentionDays", "90", "365")
    ]
    StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()


def test_override_change_is_update_stack_instances_for_that_region_only(aws, stub, project, staging):
    text = project.template_path("fraud-detection").read_text()
    desired = build_desired(make_spec(), text, staging, ADMIN)
    instances = [current(a, r, ours(desired, r)) for a in ACCOUNTS for r in REGIONS]
    instances = [
        i
        if i.region != "eu-west-1"
        else InstanceState(i.account, i.region, i.target, "CURRENT", "SUCCEEDED", "", "console-op")
        for i in instances
    ]
    client = aws.client("cloudformation", "us-east-1")
    for account in ACCOUNTS:  # not our operation: the overrides are read, not assumed
        stub.add_response(
            "describe_stack_instance",
            {"StackInstance": {"ParameterOverrides": overrides(staging, "eu-west-1")[:1]}},
            {
                "StackSetName": "fraud-detection-staging",
                "StackInstanceAccount": account,
                "StackInstanceRegion": "eu-west-1",
            },
        )
    stub.add_response(
        "update_stack_instances",
        {"OperationId": "op-o"},
        {
            "StackSetName": "fraud-detection-staging",
            "Accounts": list(ACCOUNTS),
            "Regions": ["eu-west-1"],
            "ParameterOverrides": overrides(staging, "eu-west-1"),
            "OperationPreferences": ANY,
            "OperationId": ANY,
        },
    )
    expect_operation(
        stub, "fraud-detection-staging", "op-o", [(a, "eu-west-1", "SUCCEEDED", "") for a in ACCOUNTS], action="UPDATE"
    )
    plan = make_plan(client, desired, actual_of(desired, instances))
    assert plan.update_overrides == ("eu-west-1",) and plan.stackset_changes == ()
    StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()


def test_prune_in_prod_retains_the_stacks(aws, stub, project):
    prod = params.resolve_deployed(project, "prod", render.read_generated(project))
    desired = build_desired(
        make_spec(
            environment="prod",
            template="network",
            regions=REGIONS[:2],
            preferences=default_preferences(PLATFORM.environment("prod").production, REGIONS),
        ),
        SMALL_TEMPLATE,
        prod,
        ADMIN,
    )
    instances = [current(a, r, ours(desired, r)) for a in ACCOUNTS for r in REGIONS]
    stub.add_response(
        "delete_stack_instances",
        {"OperationId": "op-d"},
        {
            "StackSetName": "network-prod",
            "Accounts": list(ACCOUNTS),
            "Regions": ["eu-west-1"],
            "RetainStacks": True,
            "OperationPreferences": {
                "RegionConcurrencyType": "SEQUENTIAL",
                "RegionOrder": ["eu-west-1"],
                "FailureToleranceCount": 0,
                "MaxConcurrentCount": 1,
            },
            "OperationId": ANY,
        },
    )
    expect_operation(
        stub, "network-prod", "op-d", [(a, "eu-west-1", "SUCCEEDED", "") for a in ACCOUNTS], action="DELETE"
    )
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, actual_of(desired, instances))
    assert plan.remove == tuple((a, "eu-west-1") for a in ACCOUNTS)
    applier = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, prune=True, wait=fast(), concurrent=False),
        ADMIN,
    )
    applier.apply()
    applier.remove()


def test_list_stack_instances_pages_are_followed(aws, stub):
    spec = make_spec(template="network")
    stub.add_response(
        "describe_stack_set",
        {"StackSet": {"StackSetName": spec.name, "Status": "ACTIVE", "TemplateBody": "{}"}},
        {"StackSetName": spec.name},
    )
    pages = [[("111111111111", "us-east-1")], [("111111111111", "us-west-2"), ("222222222222", "us-west-2")]]
    for index, page in enumerate(pages):
        response = {
            "Summaries": [
                {
                    "Account": a,
                    "Region": r,
                    "Status": "CURRENT",
                    "LastOperationId": "x",
                    "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"},
                }
                for a, r in page
            ]
        }
        if index == 0:
            response["NextToken"] = "page-2"
        stub.add_response(
            "list_stack_instances", response, {"StackSetName": spec.name, **({"NextToken": "page-2"} if index else {})}
        )
    actual = read_actual(aws.client("cloudformation", "us-east-1"), spec)
    assert [(i.account, i.region) for i in actual.instances] == [p for page in pages for p in page]


def test_failed_instance_under_a_succeeded_operation_is_reported(aws, stub, staging):
    desired = build_desired(make_spec(template="network"), SMALL_TEMPLATE, staging, ADMIN)
    stub.add_response(
        "create_stack_set", {"StackSetId": "x"}, {**stackset_arguments(desired), "TemplateBody": SMALL_TEMPLATE}
    )
    stub.add_response("create_stack_instances", {"OperationId": "op-1"}, ANY_CREATE(desired))
    expect_operation(
        stub,
        "network-staging",
        "op-1",
        [
            ("111111111111", "us-east-1", "SUCCEEDED", ""),
            ("222222222222", "us-west-2", "FAILED", "Resource limit exceeded: VPCs"),
        ],
    )
    plan = make_plan(aws.client("cloudformation", "us-east-1"), desired, Actual(exists=False))
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert result.outcomes[0].status == "SUCCEEDED"
    assert failures([result]) == [
        "network-staging: 222222222222/us-west-2 FAILED: Resource limit exceeded: VPCs (operation op-1)"
    ]


def ANY_CREATE(desired):  # upper case: reads like the expected_params it stands for
    return {
        "StackSetName": desired.spec.name,
        "Accounts": list(ACCOUNTS),
        "Regions": list(REGIONS),
        "ParameterOverrides": [],
        "OperationPreferences": ANY,
        "OperationId": ANY,
    }


def test_operation_in_progress_waits_for_the_other_operation(aws, stub):
    client = aws.client("cloudformation", "us-east-1")
    stub.add_client_error(
        "update_stack_instances",
        service_error_code="OperationInProgressException",
        service_message="Another Operation on StackSet x is in progress",
        http_status_code=400,
    )
    stub.add_response(
        "list_stack_set_operations",
        {
            "Summaries": [
                {"OperationId": "old-done", "Status": "SUCCEEDED"},
                {"OperationId": "theirs", "Status": "RUNNING"},
            ]
        },
        {"StackSetName": "x"},
    )
    stub.add_response(
        "describe_stack_set_operation",
        {"StackSetOperation": {"OperationId": "theirs", "Status": "RUNNING"}},
        {"StackSetName": "x", "OperationId": "theirs"},
    )
    expect_operation(stub, "x", "theirs", [], action="UPDATE")
    stub.add_response("update_stack_instances", {"OperationId": "ours"})
    expect_operation(stub, "x", "ours", [("111111111111", "us-east-1", "SUCCEEDED", "")], action="UPDATE")
    clock = FakeClock()
    outcome = Runner(client, quiet(), fast(clock)).start(
        "x",
        "UPDATE",
        lambda: client.update_stack_instances(StackSetName="x", Accounts=["111111111111"], Regions=["us-east-1"]),
    )
    assert (outcome.operation_id, outcome.status) == ("ours", "SUCCEEDED")
    assert clock.now == 1.0  # one backoff sleep while the other operation ran


def test_an_operation_id_refused_as_existing_is_our_retried_request_and_is_waited_for(aws, stub):
    """botocore retries a call whose answer was lost with the same OperationId; CloudFormation then
    refuses it as existing although the first attempt started it: wait for it, never fail or start again."""
    client = aws.client("cloudformation", "us-east-1")
    stub.add_client_error(
        "create_stack_instances",
        service_error_code="OperationIdAlreadyExistsException",
        service_message="The specified operation ID already exists.",
        http_status_code=409,
    )
    expect_operation(stub, "x", "cfnops-0-ours", [("111111111111", "us-east-1", "SUCCEEDED", "")], action="CREATE")
    outcome = Runner(client, quiet(), fast()).start(
        "x",
        "CREATE",
        lambda: client.create_stack_instances(
            StackSetName="x", Accounts=["111111111111"], Regions=["us-east-1"], OperationId="cfnops-0-ours"
        ),
        operation_id="cfnops-0-ours",
    )
    assert (outcome.operation_id, outcome.status) == ("cfnops-0-ours", "SUCCEEDED")


def test_an_operation_id_refused_as_existing_that_is_not_ours_fails(aws, stub):
    client = aws.client("cloudformation", "us-east-1")
    stub.add_client_error("create_stack_instances", service_error_code="OperationIdAlreadyExistsException")
    with pytest.raises(ClientError):
        Runner(client, quiet(), fast()).start(
            "x",
            "CREATE",
            lambda: client.create_stack_instances(StackSetName="x", Accounts=["1"], Regions=["us-east-1"]),
        )


def test_wait_backs_off_and_times_out(aws, stub):
    client = aws.client("cloudformation", "us-east-1")
    for _ in range(5):
        stub.add_response(
            "describe_stack_set_operation",
            {"StackSetOperation": {"OperationId": "slow", "Status": "RUNNING"}},
            {"StackSetName": "x", "OperationId": "slow"},
        )
    clock = FakeClock()
    with pytest.raises(OperationFailedError, match="operation slow still RUNNING after 10s; it keeps running in AWS"):
        Runner(client, quiet(), fast(clock, timeout=10)).wait("x", "slow", "UPDATE")
    assert clock.now == 1.0 + 1.5 + 2.25 + 3.375  # x1.5 each poll; the next (4, capped) would pass the timeout


def test_not_found_stackset_is_planned_for_creation(aws, stub):
    stub.add_client_error(
        "describe_stack_set",
        service_error_code="StackSetNotFoundException",
        service_message="StackSet network-staging not found",
        http_status_code=404,
    )
    assert read_actual(aws.client("cloudformation", "us-east-1"), make_spec(template="network")).exists is False


ROLES_TEMPLATE = (
    json.dumps(
        {
            "Parameters": {"Environment": {"Type": "String"}, "PrimaryRegion": {"Type": "String"}},
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        },
        indent=2,
        sort_keys=True,
    )
    + "\n"
)
SECONDARY_FIRST = ("us-west-2", "us-east-1", "eu-west-1")


def roles_plan(aws, staging):
    spec = make_spec(template="network", regions=SECONDARY_FIRST, primary_region="us-east-1")
    desired = build_desired(spec, ROLES_TEMPLATE, staging, ADMIN)
    return desired, make_plan(aws.client("cloudformation", "us-east-1"), desired, Actual(exists=False))


def test_region_roles_create_the_primary_first_and_wait_for_it_then_the_others(aws, stub, staging):
    desired, plan = roles_plan(aws, staging)
    stub.add_response(
        "create_stack_set",
        {"StackSetId": "network-staging:1"},
        {**stackset_arguments(desired), "TemplateBody": ROLES_TEMPLATE},
    )
    stub.add_response(
        "create_stack_instances",
        {"OperationId": "op-primary"},
        {
            "StackSetName": "network-staging",
            "Accounts": list(ACCOUNTS),
            "Regions": ["us-east-1"],
            "ParameterOverrides": [],
            "OperationPreferences": PARALLEL,
            "OperationId": ANY,
        },
    )
    expect_operation(stub, "network-staging", "op-primary", [(a, "us-east-1", "SUCCEEDED", "") for a in ACCOUNTS])
    stub.add_response(
        "create_stack_instances",
        {"OperationId": "op-secondaries"},
        {
            "StackSetName": "network-staging",
            "Accounts": list(ACCOUNTS),
            "Regions": ["us-west-2", "eu-west-1"],
            "ParameterOverrides": [],
            "OperationPreferences": PARALLEL,
            "OperationId": ANY,
        },
    )
    expect_operation(
        stub,
        "network-staging",
        "op-secondaries",
        [(a, r, "SUCCEEDED", "") for a in ACCOUNTS for r in ("us-west-2", "eu-west-1")],
    )
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert result.failed == [] and [o.operation_id for o in result.outcomes] == ["op-primary", "op-secondaries"]


def test_region_roles_create_no_secondary_when_the_primary_failed(aws, stub, staging):
    desired, plan = roles_plan(aws, staging)
    stub.add_response(
        "create_stack_set",
        {"StackSetId": "network-staging:1"},
        {**stackset_arguments(desired), "TemplateBody": ROLES_TEMPLATE},
    )
    stub.add_response(
        "create_stack_instances",
        {"OperationId": "op-primary"},
        {
            "StackSetName": "network-staging",
            "Accounts": list(ACCOUNTS),
            "Regions": ["us-east-1"],
            "ParameterOverrides": [],
            "OperationPreferences": PARALLEL,
            "OperationId": ANY,
        },
    )
    expect_operation(
        stub,
        "network-staging",
        "op-primary",
        [(a, "us-east-1", "FAILED", "ResourceLogicalId:Topic") for a in ACCOUNTS],
        status="FAILED",
    )
    result = StackSetApplier(
        aws,
        plan,
        quiet(),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert [instance.region for _, instance in result.failed] == [
        "us-east-1",
        "us-east-1",
    ]  # and no second call (stubber)


def test_one_call_per_poll_results_once_and_sleeps_capped_with_jitter(aws, stub):
    """Six RUNNING polls then SUCCEEDED: 7 DescribeStackSetOperation, 1 ListStackSetOperationResults;
    each sleep is the backoff capped at max_poll, shortened by at most the jitter."""
    client = aws.client("cloudformation", "us-east-1")
    for _ in range(6):
        stub.add_response(
            "describe_stack_set_operation",
            {"StackSetOperation": {"OperationId": "op", "Status": "RUNNING"}},
            {"StackSetName": "x", "OperationId": "op"},
        )
    expect_operation(stub, "x", "op", [("111111111111", "us-east-1", "SUCCEEDED", "")], action="UPDATE")
    clock, draws = FakeClock(), iter([0.0, 1.0, 0.5, 1.0, 0.0, 1.0])
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.sleep(seconds)

    settings = WaitSettings(
        timeout=600, first_poll=2.0, max_poll=4.0, sleep=sleep, clock=clock, jitter=0.25, random=lambda: next(draws)
    )
    outcome = Runner(client, quiet(), settings).wait("x", "op", "UPDATE")
    stub.assert_no_pending_responses()
    assert (outcome.status, outcome.polls, len(outcome.results)) == ("SUCCEEDED", 7, 1)
    assert slept == [2.0, 3.0 * 0.75, 4.0 * 0.875, 4.0 * 0.75, 4.0, 4.0 * 0.75]


def test_default_waits_poll_within_2_seconds_and_back_off_only_after_10_minutes():
    """The defaults see the end of an operation within 2 s (sleeps <= 1.5 s, a call's own time
    on top); an operation still running after 10 minutes is polled at most every 30 s."""
    settings = WaitSettings(jitter=0.0)
    assert max(settings.pause(delay, elapsed) for delay in (2.0, 3.0, 100.0) for elapsed in (0.0, 599.0)) == 1.5
    assert settings.pause(100.0, 600.0) == 30.0
    assert settings.pause(2.0, 600.0) == 2.0  # backing off starts from where it was

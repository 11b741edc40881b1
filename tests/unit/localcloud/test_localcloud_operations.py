"""StackSet operation preferences on localcloud, as AWS documents them
(StackSetOperationPreferences): FailureToleranceCount/Percentage count failed accounts per
Region; a Region past its tolerance stops (its remaining accounts CANCELLED); SEQUENTIAL
then attempts no later Region, PARALLEL runs every Region on its own. Failure reasons name
the failing resource."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402
from moto.logs.models import logs_backends  # noqa: E402

REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
A, B, C = "111111111111", "222222222222", "333333333333"
GROUP = "/localcloud/operations"
TEMPLATE = json.dumps(
    {
        "Resources": {
            "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": GROUP, "RetentionInDays": 7}}
        }
    }
)


@pytest.fixture
def cfn(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("LOCALCLOUD_PERMISSIONS", "off")  # about operations; the accounts here have no roles
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name="us-east-1")
        client.create_stack_set(StackSetName="ops", TemplateBody=TEMPLATE)
        yield client


def occupy(account: str, region: str) -> None:
    """The log group's fixed name is taken there: that instance fails with "already exists"."""
    logs_backends[account][region].create_log_group(GROUP, {})


def deploy(cfn, accounts: list[str], preferences: dict) -> tuple[str, dict[tuple[str, str], str]]:
    operation = cfn.create_stack_instances(
        StackSetName="ops", Accounts=accounts, Regions=REGIONS, OperationPreferences=preferences
    )["OperationId"]
    status = cfn.describe_stack_set_operation(StackSetName="ops", OperationId=operation)["StackSetOperation"]["Status"]
    results = cfn.list_stack_set_operation_results(StackSetName="ops", OperationId=operation)["Summaries"]
    return status, {(r["Account"], r["Region"]): r["Status"] for r in results}


def test_parallel_runs_every_region_when_one_fails(cfn):
    occupy(A, "us-east-1")
    status, results = deploy(
        cfn, [A], {"RegionConcurrencyType": "PARALLEL", "FailureToleranceCount": 0, "MaxConcurrentPercentage": 100}
    )
    assert status == "FAILED"
    assert results == {(A, "us-east-1"): "FAILED", (A, "us-west-2"): "SUCCEEDED", (A, "eu-west-1"): "SUCCEEDED"}


def test_sequential_attempts_no_region_after_the_one_that_failed(cfn):
    occupy(A, "us-west-2")
    status, results = deploy(
        cfn,
        [A],
        {
            "RegionConcurrencyType": "SEQUENTIAL",
            "RegionOrder": REGIONS,
            "FailureToleranceCount": 0,
            "MaxConcurrentCount": 1,
        },
    )
    assert status == "FAILED"
    assert results == {(A, "us-east-1"): "SUCCEEDED", (A, "us-west-2"): "FAILED", (A, "eu-west-1"): "CANCELLED"}


def test_a_failed_region_cancels_its_remaining_accounts_only(cfn):
    occupy(A, "us-east-1")
    status, results = deploy(
        cfn, [A, B, C], {"RegionConcurrencyType": "PARALLEL", "FailureToleranceCount": 0, "MaxConcurrentCount": 1}
    )
    assert status == "FAILED"
    assert [results[(account, "us-east-1")] for account in (A, B, C)] == ["FAILED", "CANCELLED", "CANCELLED"]
    assert {results[(account, region)] for account in (A, B, C) for region in REGIONS[1:]} == {"SUCCEEDED"}


def test_tolerance_counts_failures_per_region(cfn):
    occupy(A, "us-east-1")
    occupy(B, "us-west-2")  # two failures in all, but one per Region: within a tolerance of 1
    status, results = deploy(
        cfn,
        [A, B],
        {
            "RegionConcurrencyType": "SEQUENTIAL",
            "RegionOrder": REGIONS,
            "FailureToleranceCount": 1,
            "MaxConcurrentCount": 1,
        },
    )
    assert status == "SUCCEEDED"
    assert sorted(r for r, s in results.items() if s != "SUCCEEDED") == [(A, "us-east-1"), (B, "us-west-2")]


@pytest.mark.parametrize("percentage, expected", [(50, "SUCCEEDED"), (49, "FAILED")])
def test_tolerance_percentage_of_a_regions_accounts_rounds_down(cfn, percentage, expected):
    occupy(A, "eu-west-1")  # 1 of 2 accounts: 50 % tolerates it, 49 % (0 accounts) does not
    status, _ = deploy(
        cfn,
        [A, B],
        {"RegionConcurrencyType": "PARALLEL", "FailureTolerancePercentage": percentage, "MaxConcurrentPercentage": 100},
    )
    assert status == expected


def test_a_failure_names_the_resource_and_the_handlers_message(cfn):
    occupy(A, "us-east-1")
    deploy(cfn, [A], {"RegionConcurrencyType": "PARALLEL", "FailureToleranceCount": 0})
    [summary] = cfn.list_stack_instances(StackSetName="ops", StackInstanceRegion="us-east-1")["Summaries"]
    reason = summary["StatusReason"]
    assert "ResourceLogicalId failed" not in reason
    assert reason.startswith("ResourceLogicalId:Group, ResourceType:AWS::Logs::LogGroup, ResourceStatusReason:"), reason
    assert "Resource handler returned message:" in reason and "already exists" in reason


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("STRICT_FAILURE_TOLERANCE", ["FAILED", "CANCELLED", "CANCELLED"]),
        ("SOFT_FAILURE_TOLERANCE", ["FAILED", "SUCCEEDED", "SUCCEEDED"]),
    ],
)
def test_strict_mode_lowers_concurrency_to_the_tolerance_soft_mode_does_not(cfn, mode, expected):
    occupy(A, "us-east-1")  # three accounts at once were asked for; strict acts on tolerance + 1 = 1 at a time
    _, results = deploy(
        cfn,
        [A, B, C],
        {
            "RegionConcurrencyType": "PARALLEL",
            "FailureToleranceCount": 0,
            "MaxConcurrentCount": 3,
            "ConcurrencyMode": mode,
        },
    )
    assert [results[(account, "us-east-1")] for account in (A, B, C)] == expected


def test_an_unknown_list_stack_instances_filter_is_a_validation_error(cfn):
    """AWS: StackInstanceFilter.Name is DETAILED_STATUS, LAST_OPERATION_ID or DRIFT_STATUS;
    anything else is refused with ValidationError (never an internal error)."""
    deploy(cfn, [A], {})
    with pytest.raises(cfn.exceptions.ClientError) as refused:
        cfn.list_stack_instances(StackSetName="ops", Filters=[{"Name": "STACK_NAME", "Values": "x"}])
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "Value 'STACK_NAME' at 'filters.member.name' failed to satisfy constraint" in str(refused.value)
    known = cfn.list_stack_instances(StackSetName="ops", Filters=[{"Name": "DETAILED_STATUS", "Values": "SUCCEEDED"}])
    assert {(s["Account"], s["Region"]) for s in known["Summaries"]} == {(A, region) for region in REGIONS}


def test_an_unexpected_emulator_error_fails_the_instance_detection_never_deleted(cfn, monkeypatch):
    """localcloud#29: only "not found" makes a resource DELETED; any other error of a reader
    fails that instance's drift detection (UNKNOWN), with the error as its reason."""
    from localcloud.drift import engine as drift_engine

    def broken(target):
        raise RuntimeError("injected backend failure")

    deploy(cfn, [A], {})
    monkeypatch.setitem(drift_engine.READERS, "AWS::Logs::LogGroup", broken)
    operation = cfn.detect_stack_set_drift(StackSetName="ops", OperationPreferences={"FailureToleranceCount": 1})[
        "OperationId"
    ]
    results = cfn.list_stack_set_operation_results(StackSetName="ops", OperationId=operation)["Summaries"]
    assert {r["Status"] for r in results} == {"FAILED"}
    assert {r["StatusReason"] for r in results} == {
        "localcloud could not read Group (AWS::Logs::LogGroup): RuntimeError: injected backend failure"
    }
    instances = cfn.list_stack_instances(StackSetName="ops")["Summaries"]
    assert {i["DriftStatus"] for i in instances} == {"UNKNOWN"}
    for region in REGIONS:
        drifts = cfn.list_stack_instance_resource_drifts(
            StackSetName="ops", StackInstanceAccount=A, StackInstanceRegion=region, OperationId=operation
        )["Summaries"]
        assert drifts == []  # no record at all, least of all DELETED

"""The drift report the plan reuses: `cfnops drift` saves its JSON report under
.cache/drift/<env>.json, it reads back as the same DriftReport, and `cfnops plan` (without
--drift) uses it only for StackSets whose last deploy (ListStackSetOperations) ended
before the report did."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from cfnops.drift.detect import DriftReport, IgnoreRule, InstanceDrift, PropertyDifference, ResourceDrift, StackSetDrift
from cfnops.inputs.project import Project
from cfnops.reports import json_load, json_report, saved
from cfnops.rollout import deployed_at
from tests.conftest import PLATFORM

RULE = IgnoreRule("AWS::IAM::Role", "Tags", "service-tags", "services tag roles", ("aws-cdk:x",))
UNUSED = IgnoreRule("AWS::Logs::LogGroup", "Tags", "service-tags", "never hides anything")
HIDDEN = PropertyDifference("/Tags/1", "", "x", "ADD", "services tag roles", RULE)
RETENTION = PropertyDifference("/RetentionInDays", "90", "7", "NOT_EQUAL")


def report(finished: str = "2026-11-20T10:00:00Z", detection: str = "SUCCEEDED") -> DriftReport:
    resources = (
        ResourceDrift("FlowLogGroup", "/staging/flow", "AWS::Logs::LogGroup", "MODIFIED", (RETENTION,)),
        ResourceDrift("FlowRole", "role-1", "AWS::IAM::Role", "MODIFIED", (HIDDEN,)),
        ResourceDrift("Peering", "pcx-1", "AWS::EC2::VPCPeeringConnection", "NOT_CHECKED"),
    )
    instances = (
        InstanceDrift("123456789012", "us-west-2", "DRIFTED", "DRIFTED", "2026-11-20T09:59:00Z", resources),
        InstanceDrift("123456789012", "us-east-1", "IN_SYNC", "IN_SYNC", "2026-11-20T09:59:00Z"),
    )
    network = StackSetDrift(
        "network-staging",
        "network",
        "op-1",
        detection,
        instances,
        3,
        1.25,
        (("DriftedStackInstancesCount", 1), ("InSyncStackInstancesCount", 1)),
    )
    return DriftReport(
        "staging", "2026-11-20T09:58:00Z", finished, ("us-east-1", "us-west-2"), (network,), 2, (RULE, UNUSED)
    )


def test_json_report_reads_back_as_the_same_report():
    original = report()
    assert json_load.load(json_report.render(original)) == original


def test_saved_report_round_trips_and_a_broken_one_is_one_line(tmp_path):
    project = Project(tmp_path, PLATFORM)
    written = saved.save(project, report())
    assert written == tmp_path / ".cache" / "drift" / "staging.json"
    assert saved.load(project, "staging") == (report(), "")
    assert saved.load(project, "prod") == (None, "")
    saved.path(project, "prod").write_text(written.read_text())
    assert saved.load(project, "prod") == (None, ".cache/drift/prod.json: a report of staging, expected prod; not used")
    written.write_text('{"schema": "cfnops.drift/v2"}')
    loaded, problem = saved.load(project, "staging")
    assert (
        loaded is None
        and problem
        == ".cache/drift/staging.json: not a cfnops.drift/v2 report (KeyError: 'ignore_rule_uses'); not used"
    )


def plan_of(name: str = "network-staging", exists: bool = True):
    spec = SimpleNamespace(administrator_region="us-east-1")
    return SimpleNamespace(name=name, actual=SimpleNamespace(exists=exists), desired=SimpleNamespace(spec=spec))


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def operations(stub, *summaries: dict, name: str = "network-staging") -> None:
    stub.add_response(
        "list_stack_set_operations",
        {"Summaries": [{"OperationId": f"op-{index}", **summary} for index, summary in enumerate(summaries)]},
        {"StackSetName": name},
    )


def test_the_last_deploy_is_found_on_a_later_page(aws, stub):
    """ListStackSetOperations is read to the end (NextToken), not the first page only."""
    drift = {"Action": "DETECT_DRIFT", "Status": "SUCCEEDED", "EndTimestamp": at("2026-11-20T09:59:30")}
    stub.add_response(
        "list_stack_set_operations",
        {"Summaries": [{"OperationId": "op-drift", **drift}], "NextToken": "page-2"},
        {"StackSetName": "network-staging"},
    )
    stub.add_response(
        "list_stack_set_operations",
        {
            "Summaries": [
                {
                    "OperationId": "op-update",
                    "Action": "UPDATE",
                    "Status": "SUCCEEDED",
                    "EndTimestamp": at("2026-11-20T09:30:00"),
                }
            ]
        },
        {"StackSetName": "network-staging", "NextToken": "page-2"},
    )
    assert newer(aws, [plan_of()]) == {"network-staging": report().stacksets[0]}  # deployed (page 2) before the report
    stub.assert_no_pending_responses()


def newer(aws, plans, drift_report=None):
    client = aws.client("cloudformation", "us-east-1")
    return deployed_at.newer_drift(lambda spec: client, plans, drift_report or report())


def test_report_newer_than_the_last_deploy_is_used(aws, stub):
    operations(
        stub,
        {"Action": "UPDATE", "Status": "SUCCEEDED", "EndTimestamp": at("2026-11-20T09:30:00")},
        {"Action": "CREATE", "Status": "FAILED", "EndTimestamp": at("2026-11-19T09:00:00")},
        {"Action": "DETECT_DRIFT", "Status": "SUCCEEDED", "EndTimestamp": at("2026-11-20T09:59:30")},
    )
    assert newer(aws, [plan_of()]) == {"network-staging": report().stacksets[0]}
    stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    "summaries",
    [
        pytest.param(
            [{"Action": "UPDATE", "Status": "SUCCEEDED", "EndTimestamp": at("2026-11-20T10:00:01")}],
            id="deployed-after",
        ),
        pytest.param(
            [
                {"Action": "UPDATE", "Status": "SUCCEEDED", "EndTimestamp": at("2026-11-20T09:00:00")},
                {"Action": "UPDATE", "Status": "RUNNING"},
            ],
            id="operation-running",
        ),
        pytest.param(
            [{"Action": "DETECT_DRIFT", "Status": "SUCCEEDED", "EndTimestamp": at("2026-11-20T09:00:00")}],
            id="never-deployed",
        ),
        pytest.param([], id="no-operations"),
    ],
)
def test_report_is_not_used_unless_it_is_newer_than_a_settled_deploy(aws, stub, summaries):
    operations(stub, *summaries)
    assert newer(aws, [plan_of()]) == {}
    stub.assert_no_pending_responses()


def test_no_call_for_stacksets_the_report_did_not_detect_or_that_do_not_exist(aws, stub):
    failed = report(detection="FAILED")
    assert newer(aws, [plan_of(), plan_of("payments-staging"), plan_of(exists=False)], failed) == {}
    assert newer(aws, [plan_of("payments-staging"), plan_of(exists=False)]) == {}
    stub.assert_no_pending_responses()

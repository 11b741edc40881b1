"""The plan's approvals: exactly the replacements, interruptions, IAM changes and overwritten
drift a plan holds, nothing a deploy may do unattended (an added queue, drift that stays)."""

from __future__ import annotations

import json

import jsonschema

from cfnops.changes import approvals, json_view
from cfnops.changes.engine import ADD, INTERRUPT, MODIFY, REPLACE, Group, ResourceChange
from cfnops.changes.overwrite import OVERWRITES, STAYS, DriftNote
from cfnops.changes.report import PlanReport, StackSetPlan

EAST = (("123456789012", "us-east-1"),)


def plan(*changes: ResourceChange, drift: tuple[DriftNote, ...] = ()) -> PlanReport:
    stackset = StackSetPlan(
        "payments-prod", "payments", "update", ("us-east-1",), (), (), (), (), (Group(EAST, changes),), drift
    )
    return PlanReport("prod", (stackset,))


def note(path: str, verdict: str) -> DriftNote:
    return DriftNote("123456789012", "us-east-1", "Queue", "AWS::SQS::Queue", path, "30", "60", verdict)


def test_a_replacement_an_iam_change_and_overwritten_drift_are_exactly_the_approvals():
    report = plan(
        ResourceChange("Database", "AWS::RDS::DBCluster", REPLACE),
        ResourceChange("ServiceRole", "AWS::IAM::Role", MODIFY),
        ResourceChange("Topic", "AWS::SNS::Topic", ADD),
        ResourceChange("Table", "AWS::DynamoDB::Table", MODIFY),
        drift=(note("VisibilityTimeout", OVERWRITES), note("DelaySeconds", STAYS)),
    )
    assert [(a.reason, a.logical_id) for a in approvals.required(report)] == [
        (approvals.REPLACEMENT, "Database"),
        (approvals.IAM, "ServiceRole"),
        (approvals.OVERWRITTEN_DRIFT, "Queue"),
    ]


def test_an_interruption_needs_approval_and_a_plain_plan_needs_none():
    assert [
        a.reason
        for a in approvals.required(plan(ResourceChange("Cache", "AWS::ElastiCache::ReplicationGroup", INTERRUPT)))
    ] == [approvals.INTERRUPTION]
    assert approvals.required(plan(ResourceChange("Topic", "AWS::SNS::Topic", ADD))) == []


def test_the_plan_json_carries_them_and_keeps_to_its_schema():
    data = json.loads(json_view.render(plan(ResourceChange("ServiceRole", "AWS::IAM::Role", ADD))))
    jsonschema.validate(data, json.loads(json_view.SCHEMA_FILE.read_text()))
    assert data["approvals"] == [
        {
            "reason": "iam",
            "stackset": "payments-prod",
            "logical_id": "ServiceRole",
            "type": "AWS::IAM::Role",
            "regions": ["us-east-1"],
            "detail": ADD,
        }
    ]

"""plan --parity: a plan's template changes the earlier environment does not run yet are
unrehearsed (an approval); those it already runs, exactly as this plan deploys them, are not."""

from __future__ import annotations

from cfnops.changes import approvals
from cfnops.changes.engine import MODIFY, Group, ResourceChange
from cfnops.changes.rehearsal import Rehearsal, unrehearsed
from cfnops.changes.report import build
from tests.conftest import PLATFORM

QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}
OLD_QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}}
TOPIC = {"Type": "AWS::SNS::Topic"}
TABLE = {"Type": "AWS::DynamoDB::Table"}


def template(**resources: dict) -> dict:
    return {"Resources": resources}


def found(changed, wanted, earlier, stackset="payments-staging", deployed=None):
    return [
        (u.logical_id, u.type, u.detail) for u in unrehearsed(changed, wanted, "staging", stackset, earlier, deployed)
    ]


def test_what_staging_runs_as_prod_would_deploy_it_is_rehearsed():
    wanted = template(Queue=QUEUE, Topic=TOPIC)
    assert found(("Queue", "Topic"), wanted, template(Queue=QUEUE, Topic=TOPIC)) == []


def test_another_definition_a_missing_resource_and_a_kept_one_are_not():
    wanted = template(Queue=QUEUE, Topic=TOPIC)
    earlier = template(Queue=OLD_QUEUE, Table=TABLE)
    assert found(("Queue", "Topic", "Table"), wanted, earlier, deployed=template(Table=TABLE)) == [
        ("Queue", "AWS::SQS::Queue", "staging (payments-staging) runs another definition of it"),
        ("Topic", "AWS::SNS::Topic", "staging (payments-staging) does not have it yet"),
        ("Table", "AWS::DynamoDB::Table", "staging (payments-staging) still has it"),
    ]


def test_without_the_stackset_in_staging_every_change_is_unrehearsed():
    wanted = template(Queue=QUEUE)
    assert found(("Queue",), wanted, None, stackset=None) == [
        ("Queue", "AWS::SQS::Queue", "staging has no such StackSet deployed yet"),
    ]


class _Plan:
    """The fields report.build reads of a rollout plan."""

    def __init__(self, name: str, groups):
        from types import SimpleNamespace

        self.name = name
        self.action = "update"
        self.desired = SimpleNamespace(spec=SimpleNamespace(template="payments", regions=("us-east-1",)))
        self.actual = SimpleNamespace(exists=True)
        self.stackset_changes = ()
        self.parameter_changes = ()
        self.add = self.remove = ()
        self.resources = groups


def test_unrehearsed_changes_are_approvals_and_the_report_says_what_it_compared_with():
    groups = (Group((("123456789012", "us-east-1"),), (ResourceChange("Queue", "AWS::SQS::Queue", MODIFY),)),)
    notes = {"payments-prod": tuple(unrehearsed(("Queue",), template(Queue=QUEUE), "staging", "p", template()))}
    report = build(
        "prod", [_Plan("payments-prod", groups)], retains_stacks=lambda p: True, rehearsal=Rehearsal("staging", notes)
    )
    assert report.rehearsed_in == "staging"
    assert [(a.reason, a.stackset, a.logical_id, a.regions) for a in approvals.required(report)] == [
        (approvals.UNREHEARSED, "payments-prod", "Queue", ("us-east-1",))
    ]
    plain = build("prod", [_Plan("payments-prod", groups)], retains_stacks=lambda p: True)
    assert (plain.rehearsed_in, approvals.required(plain)) == ("", [])


def test_each_environment_is_compared_with_the_one_before_it_in_the_platforms_order():
    order = PLATFORM.environments
    assert PLATFORM.earlier(order[0]) is None
    assert [PLATFORM.earlier(name) for name in order[1:]] == list(order[:-1])

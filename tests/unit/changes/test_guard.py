"""Deploy's guard (cfnops/changes/guard.py) on plans: a stateful replacement in prod is
refused naming each resource and region, allowed when ALLOW_REPLACE names it; dev warns."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cfnops.changes import engine, guard
from cfnops.core.errors import ExitCode, InputError, RefusedError
from tests.conftest import PLATFORM


def plan(*groups: engine.Group, key: str = "fraud-agent", environment: str = "prod"):
    spec = SimpleNamespace(key=key, name=f"{key}-{environment}")
    return SimpleNamespace(desired=SimpleNamespace(spec=spec), resources=groups)


TABLE = engine.ResourceChange("DecisionsTable", "AWS::DynamoDB::Table", engine.REPLACE, policy="Retain")
QUEUE = engine.ResourceChange("DeadLetterQueue", "AWS::SQS::Queue", engine.REMOVE, policy="Delete")
ALARM = engine.ResourceChange("Alarm", "AWS::CloudWatch::Alarm", engine.REPLACE, policy="Delete")
PLANS = [
    plan(
        engine.Group((("1", "eu-west-1"),), (TABLE, ALARM)),
        engine.Group((("1", "us-east-1"), ("1", "us-west-2")), (QUEUE,)),
    )
]


def test_prod_refuses_each_stateful_replacement_and_removal_with_its_regions():
    with pytest.raises(RefusedError) as refused:
        guard.enforce(PLATFORM.environment("prod"), PLANS, frozenset(), lambda line: pytest.fail("prod does not warn"))
    assert refused.value.exit_code == ExitCode.INVALID_INPUT
    assert refused.value.problems == [
        "deploy refused: fraud-agent/DecisionsTable (AWS::DynamoDB::Table): Replace in eu-west-1; kept (Retain): "
        "the old resource and its data stay, outside the stack",
        "deploy refused: fraud-agent/DeadLetterQueue (AWS::SQS::Queue): Remove in us-east-1, us-west-2; "
        "NOTHING is kept (Delete): the resource and its data are deleted",
        "nothing was changed; to go ahead, name them: ALLOW_REPLACE=fraud-agent/DecisionsTable,fraud-agent/DeadLetterQueue (--allow-replace)",
    ]


def test_allow_replace_lets_exactly_what_it_names_through():
    guard.enforce(
        PLATFORM.environment("prod"),
        PLANS,
        guard.parse("fraud-agent/DecisionsTable,fraud-agent-prod/DeadLetterQueue"),
        print,
    )
    with pytest.raises(RefusedError, match="DeadLetterQueue"):
        guard.enforce(PLATFORM.environment("staging"), PLANS, guard.parse("fraud-agent/DecisionsTable"), print)


def test_dev_warns_and_goes_on():
    warned: list[str] = []
    guard.enforce(PLATFORM.environment("dev"), PLANS, frozenset(), warned.append)
    assert [line.split(":", 2)[1].strip() for line in warned] == [
        "fraud-agent/DecisionsTable (AWS",
        "fraud-agent/DeadLetterQueue (AWS",
    ]


@pytest.mark.parametrize(
    "text", ["fraud-agent", "fraud-agent/", "/Table", "fraud agent/Table", "a/b-c", "a/b,", "a;b/c"]
)
def test_allow_replace_shape_is_one_line(text):
    with pytest.raises(InputError) as error:
        guard.parse(text)
    assert len(error.value.problems) == 1 and error.value.problems[0].startswith(
        "ALLOW_REPLACE: expected StackSet/LogicalId"
    )

"""CI's approval gate (`cfnops approval plan.json`): a protected environment whose plan has
approvals deploys in <env>-approval (reviewers), naming the approved replacements; anything
else deploys unattended; a file that is not a plan's JSON is one line, exit 3."""

from __future__ import annotations

import json

import pytest

from cfnops.changes import ci_gate, json_view
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode, InputError
from tests.conftest import PLATFORM, ROOT

PROTECTED = PLATFORM.protected[0]
UNPROTECTED = PLATFORM.unprotected[0]


def approval(reason: str, logical_id: str) -> dict:
    return {
        "reason": reason,
        "stackset": "payments-x",
        "logical_id": logical_id,
        "type": "AWS::RDS::DBCluster",
        "regions": ["us-east-1"],
        "detail": "Replace",
    }


def plan(environment: str, *approvals: dict) -> dict:
    return {"schema": json_view.SCHEMA, "environment": environment, "approvals": list(approvals)}


REVIEWED = (approval("replacement", "Database"), approval("iam", "Role"), approval("interruption", "Cache"))


def test_a_protected_environments_plan_with_approvals_waits_for_a_person():
    gate = ci_gate.decide(PLATFORM, plan(PROTECTED, *REVIEWED), "plan.json")
    assert ci_gate.outputs(gate).splitlines() == [
        f"environment={PROTECTED}-approval",
        "needs_approval=true",
        "approvals=3",
        "allow_replace=payments-x/Database,payments-x/Cache",
    ]
    summary = ci_gate.summary(gate)
    assert "3 changes need a person's approval" in summary and "- iam: `payments-x/Role`" in summary


def test_no_approvals_or_an_unprotected_environment_deploys_unattended():
    for environment, approvals in ((PROTECTED, ()), (UNPROTECTED, REVIEWED)):
        gate = ci_gate.decide(PLATFORM, plan(environment, *approvals), "plan.json")
        assert (gate.ci_environment, gate.needs_person, gate.allow_replace) == (environment, False, "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "plan.json: schema: expected a plan of cfnops.plan/v2 (cfnops plan --format json), got '[]'"),
        ({**plan(PROTECTED), "environment": "qa"}, "plan.json: environment: expected one of "),
        ({**plan(PROTECTED), "approvals": {}}, "plan.json: approvals: expected a list, got '{}'"),
        (plan(PROTECTED, {"reason": 1}), "plan.json: approvals[0].reason: expected a string, got '1'"),
    ],
)
def test_what_is_not_a_plans_json_is_named_in_one_line(data, message):
    with pytest.raises(InputError) as caught:
        ci_gate.decide(PLATFORM, data, "plan.json")
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_the_command_prints_the_outputs_and_exits_3_on_a_bad_file(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan(PROTECTED, *REVIEWED)))
    assert main(["--root", str(ROOT), "approval", str(path)]) == ExitCode.OK
    assert capsys.readouterr().out.startswith(f"environment={PROTECTED}-approval\n")
    path.write_text("{")
    assert main(["--root", str(ROOT), "approval", str(path)]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: not JSON (") and err.count("\n") == 1

"""`plan --parity` on localcloud (the mini platform: dev, then prod): prod's template changes
that dev does not run yet are approvals (unrehearsed) and `cfnops approval` sends prod's
deploy to prod-approval; once dev runs the same template, nothing is left to approve."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cfnops.core.errors import ExitCode
from tests.support import fixture_platforms
from tests.support.fixture_platforms import cli

FIXTURE = fixture_platforms.MINI
REGION = "us-east-1"

pytestmark = pytest.mark.slow


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Iterator[Path]:
    yield from fixture_platforms.on_localcloud(fixture_platforms.copy(FIXTURE, tmp_path), monkeypatch)


def run_older_template(stackset: str) -> None:
    """The StackSet runs a template whose key has another description (an older release)."""
    client = boto3.client("cloudformation", region_name=REGION)
    current = client.describe_stack_set(StackSetName=stackset)["StackSet"]
    template = json.loads(current["TemplateBody"])
    template["Resources"]["LogsKey"]["Properties"]["Description"] = "an older release"
    client.update_stack_set(
        StackSetName=stackset,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True} for p in current["Parameters"]],
        Capabilities=current["Capabilities"],
        AdministrationRoleARN=current["AdministrationRoleARN"],
        ExecutionRoleName=current["ExecutionRoleName"],
    )


def planned(root: Path, capsys, path: Path) -> dict:
    capsys.readouterr()
    assert cli(root, "plan", "--env", "prod", "--parity", "--format", "json") == ExitCode.DIFFERENCES
    path.write_text(capsys.readouterr().out)
    return json.loads(path.read_text())


def gate(root: Path, capsys, path: Path) -> list[str]:
    assert cli(root, "approval", str(path)) == ExitCode.OK
    return capsys.readouterr().out.splitlines()[:2]


def test_prods_changes_dev_does_not_run_yet_need_a_person(mini, capsys, tmp_path):
    assert cli(mini, "render") == ExitCode.OK
    assert cli(mini, "bootstrap", "--env", "prod") == ExitCode.OK
    for environment in ("dev", "prod"):
        assert cli(mini, "deploy", "--env", environment) == ExitCode.OK
    run_older_template("audit-logs-prod")  # prod's plan brings the key's description back
    run_older_template("audit-logs-dev")  # and dev does not run it either

    plan = planned(mini, capsys, tmp_path / "plan.json")
    assert plan["rehearsed_in"] == "dev"
    assert [(a["reason"], a["logical_id"], a["detail"]) for a in plan["approvals"]] == [
        ("unrehearsed", "LogsKey", "dev (audit-logs-dev) runs another definition of it")
    ]
    assert gate(mini, capsys, tmp_path / "plan.json") == ["environment=prod-approval", "needs_approval=true"]

    assert cli(mini, "deploy", "--env", "dev") == ExitCode.OK  # dev runs it now
    plan = planned(mini, capsys, tmp_path / "plan.json")
    assert plan["approvals"] == []
    assert gate(mini, capsys, tmp_path / "plan.json") == ["environment=prod", "needs_approval=false"]

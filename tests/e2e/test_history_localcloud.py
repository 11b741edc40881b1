"""`cfnops history` on localcloud (issue 25, configuration history): what each StackSet of an
environment received, when and where, read back from AWS's own records (ListStackSetOperations,
ListStackSetOperationResults) after deploys that change a StackSet parameter and a Region's
override, and an operation another tool started. The fixture platform is tests/fixtures/miniplatform."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cfnops.core.errors import ExitCode
from tests.support import fixture_platforms
from tests.support.fixture_platforms import cli

pytestmark = pytest.mark.slow

STACKSET = "audit-logs-prod"


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Iterator[Path]:
    yield from fixture_platforms.on_localcloud(fixture_platforms.copy(fixture_platforms.MINI, tmp_path), monkeypatch)


def _deploy(root: Path) -> None:
    assert cli(root, "render") == ExitCode.OK
    assert cli(root, "deploy", "--env", "prod") == ExitCode.OK


def _history(root: Path, capsys, *arguments: str) -> dict:
    capsys.readouterr()
    assert cli(root, "history", "--env", "prod", "--format", "json", *arguments) == ExitCode.OK
    [stackset] = json.loads(capsys.readouterr().out)["stacksets"]
    assert stackset["name"] == STACKSET
    return stackset


def test_history_says_what_changed_when_and_where(mini, capsys):
    assert cli(mini, "render") == ExitCode.OK
    assert cli(mini, "bootstrap", "--env", "prod") == ExitCode.OK
    _deploy(mini)
    prod = mini / "parameters" / "prod.yaml"
    prod.write_text(prod.read_text().replace("RetentionDays: 365", "RetentionDays: 30"))  # a StackSet parameter
    _deploy(mini)
    prod.write_text(prod.read_text() + "regions:\n  us-west-2:\n    audit-logs:\n      RetentionDays: 7\n")
    _deploy(mini)  # RetentionDays is now a per-region override on every instance; us-west-2's differs
    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    boto3.client("cloudformation", region_name="us-east-1").update_stack_instances(  # another tool
        StackSetName=STACKSET, Accounts=[account], Regions=["us-east-1"], ParameterOverrides=[]
    )

    history = _history(mini, capsys)
    operations = history["operations"]
    # newest first: the other tool's, then one UpdateStackInstances per Region, the UpdateStackSet, the creation
    assert [o["action"] for o in operations] == ["UPDATE", "UPDATE", "UPDATE", "UPDATE", "CREATE"], operations
    other, west, east, stackset_wide, first = operations
    assert not other["by_cfnops"] and other["changed"] == ["unknown: not started by cfnops (console or another tool)"]
    assert [(r["account"], r["region"]) for r in other["results"]] == [(account, "us-east-1")]
    assert first["changed"] == [f"created {account} x us-east-1, us-west-2"]
    assert stackset_wide["changed"] == ["StackSet properties (template, parameters, tags)"], stackset_wide
    assert west["changed"] == [f"overrides of {account} x us-west-2"]
    assert east["changed"] == [f"overrides of {account} x us-east-1"]
    assert [o["matches_files"] for o in operations] == [False, True, True, False, False]
    assert all(o["status"] == "SUCCEEDED" for o in operations)
    assert all(o["started"] <= n["started"] for n, o in itertools.pairwise(operations))

    assert _history(mini, capsys, "--last", "2")["older_left_out"] is True
    assert len(_history(mini, capsys, "--last", "2")["operations"]) == 2

    assert cli(mini, "history", "--env", "prod") == ExitCode.OK
    text = capsys.readouterr().out
    assert f"{STACKSET}: 5 operations" in text and "started (UTC)" in text and " *" in text, text


def test_history_of_an_environment_never_deployed(mini, capsys):
    assert cli(mini, "render") == ExitCode.OK
    capsys.readouterr()
    assert cli(mini, "history", "--env", "prod") == ExitCode.OK
    assert f"{STACKSET}: no operation" in capsys.readouterr().out

"""The plan's resource changes and deploy's guard end to end on localcloud: deploy staging,
change a parameter in one region (the plan shows the Modify there only), then a createOnly
change of a table in one region only (the plan shows a Replace; deploy refuses it in
staging with zero mutating calls unless ALLOW_REPLACE names it)."""

from __future__ import annotations

import json
import warnings
from types import MappingProxyType

import pytest

import localcloud
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from cfnops.inputs.project import Project
from tests.support.rollout import MUTATING, Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

ONLY = ("network", "fraud-agent")


def with_table_suffix(build):
    """fraud-agent with a DecisionsTableSuffix parameter in its table's name (a createOnly property)."""
    from troposphere import Parameter, Sub

    def patched():
        template = build()
        template.add_parameter(Parameter("DecisionsTableSuffix", Type="String", Default=""))
        template.resources["DecisionsTable"].properties["TableName"] = Sub(
            "${Environment}-agent-decisions${DecisionsTableSuffix}"
        )
        return template

    return patched


@pytest.fixture
def deployed(tmp_path, monkeypatch):
    import dataclasses

    import templates_src.platform

    registry = dict(templates_src.platform.PLATFORM.registry)
    registry["fraud-agent"] = with_table_suffix(registry["fraud-agent"])
    patched = dataclasses.replace(templates_src.platform.PLATFORM, registry=MappingProxyType(registry))
    monkeypatch.setattr(templates_src.platform, "PLATFORM", patched)  # what the CLI loads
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = Project(copy_project(tmp_path).root, patched)
        do_bootstrap(project)
        first = Run(project, only=ONLY)
        assert not first.failures, first.failures
        yield project


def cli(project, *arguments: str) -> int:
    return main(["--root", str(project.root), *arguments])


def plan_json(project, capsys) -> dict:
    from cfnops.build import render

    render.write(project, render.render(project))  # the manifest hashes the parameters
    capsys.readouterr()
    assert (
        cli(project, "plan", "--env", "staging", "--format", "json", *(a for s in ONLY for a in ("--stackset", s))) == 2
    )
    return {s["name"]: s for s in json.loads(capsys.readouterr().out)["stacksets"]}


def count_mutating(monkeypatch) -> list[str]:
    from cfnops.core import aws as aws_module

    calls: list[str] = []
    original = aws_module.Aws.__init__

    def init(self, session=None):
        original(self, session)
        self.session.events.register(
            "before-call", lambda model, **_: calls.append(model.name) if model.name in MUTATING else None
        )

    monkeypatch.setattr(aws_module.Aws, "__init__", init)
    return calls


def test_plan_shows_modifies_and_replacements_per_region_and_deploy_guards_the_table(deployed, capsys, monkeypatch):
    path = deployed.parameter_path("staging")
    edit(path, "  us-west-2:\n", "  us-west-2:\n    fraud-agent:\n      ErrorThreshold: 9\n")
    stacksets = plan_json(deployed, capsys)
    assert stacksets["network-staging"]["groups"] == []
    groups = stacksets["fraud-agent-staging"]["groups"]
    assert [g["regions"] for g in groups] == [["us-west-2"]]
    assert {r["action"] for r in groups[0]["resources"]} == {"Modify"}
    paths = {(p["path"], p["old"], p["new"]) for r in groups[0]["resources"] for p in r["properties"]}
    assert ("/Threshold", "5", "9") in paths

    edit(path, "  eu-west-1:\n", "  eu-west-1:\n    fraud-agent:\n      DecisionsTableSuffix: -v2\n")
    fraud_agent = plan_json(deployed, capsys)["fraud-agent-staging"]
    assert [g["regions"] for g in fraud_agent["groups"]] == [["us-west-2"], ["eu-west-1"]]
    assert [(d["logical_id"], d["action"], d["regions"]) for d in fraud_agent["destructive"]] == [
        ("DecisionsTable", "Replace", ["eu-west-1"])
    ]
    assert fraud_agent["destructive"][0]["keeps"].startswith("kept (Retain)")

    calls = count_mutating(monkeypatch)
    assert cli(deployed, "deploy", "--env", "staging", "--stackset", "fraud-agent") == ExitCode.INVALID_INPUT == 3
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(
        "error: deploy refused: fraud-agent/DecisionsTable (AWS::DynamoDB::Table): Replace in eu-west-1; kept (Retain)"
    )
    assert (
        err[-1]
        == "error: nothing was changed; to go ahead, name them: ALLOW_REPLACE=fraud-agent/DecisionsTable (--allow-replace)"
    )
    assert calls == []
    assert (
        cli(
            deployed,
            "deploy",
            "--env",
            "staging",
            "--stackset",
            "fraud-agent",
            "--allow-replace",
            "fraud-agent/AlertsTable",
        )
        == 3
    )
    assert calls == [] and "error: deploy refused: fraud-agent/DecisionsTable" in capsys.readouterr().err
    # named: the guard lets the rollout start (what localcloud then does with the replacement is its own test's matter)
    cli(
        deployed,
        "deploy",
        "--env",
        "staging",
        "--stackset",
        "fraud-agent",
        "--allow-replace",
        "fraud-agent-staging/DecisionsTable",
    )
    assert calls and set(calls) == {"UpdateStackInstances"}
    assert "deploy refused" not in capsys.readouterr().err


def test_allow_replace_is_checked_before_any_aws_call(tmp_path, capsys, monkeypatch):
    from cfnops.core import aws as aws_module

    monkeypatch.setattr(aws_module.Aws, "client", lambda self, *a, **k: pytest.fail("an AWS client was made"))
    monkeypatch.setattr(aws_module.Aws, "account_id", lambda self, *a, **k: pytest.fail("an AWS call was made"))
    project = copy_project(tmp_path)
    assert cli(project, "deploy", "--env", "staging", "--allow-replace", "fraud-agent:DecisionsTable") == 3
    assert "error: ALLOW_REPLACE: expected StackSet/LogicalId" in capsys.readouterr().err
    assert cli(project, "deploy", "--env", "staging", "--allow-replace", "fraud-agnet/DecisionsTable") == 3
    assert "error: ALLOW_REPLACE: unknown StackSet 'fraud-agnet': expected one of " in capsys.readouterr().err


def test_plan_with_drift_lists_the_out_of_band_change_the_update_overwrites(tmp_path, monkeypatch, capsys):
    import boto3

    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        assert not Run(project, only=("network",)).failures
        boto3.client("logs", region_name="us-west-2").put_retention_policy(
            logGroupName="/staging/us-west-2/vpc-flow-logs", retentionInDays=7
        )
        edit(project.parameter_path("staging"), "FlowLogRetentionDays: 90", "FlowLogRetentionDays: 180")
        from cfnops.build import render

        render.write(project, render.render(project))
        capsys.readouterr()
        assert cli(project, "plan", "--env", "staging", "--stackset", "network", "--drift") == 2
        out = capsys.readouterr().out
        assert "        /RetentionInDays: 90 -> 180" in out
        assert (
            "    will overwrite the out-of-band change `/RetentionInDays 7` (template: 90) in us-west-2 (123456789012): FlowLogGroup"
            in out
        )
        assert cli(project, "plan", "--env", "staging", "--stackset", "network", "--drift", "--format", "json") == 2
        drift = json.loads(capsys.readouterr().out)["stacksets"][0]["drift"]
        assert [(d["region"], d["logical_id"], d["path"], d["verdict"]) for d in drift] == [
            ("us-west-2", "FlowLogGroup", "/RetentionInDays", "overwrites")
        ]

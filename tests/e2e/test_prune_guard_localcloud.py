"""`cfnops deploy --prune` on localcloud: a region removed from network in staging deletes
its stacks, so its stateful resources (flow log group, KMS keys) are refused with zero
mutating calls until ALLOW_REPLACE names them; with --retain-stacks nothing is lost, the
plan says "stack kept" and the instances go."""

from __future__ import annotations

import re
import warnings

import localcloud
from cfnops.build import render
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from tests.support.rollout import MUTATING, Run, copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402


def cli(project, *arguments: str) -> int:
    return main(["--root", str(project.root), *arguments])


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


def without_us_west_2(project) -> None:
    """us-west-2 leaves every StackSet of staging (network's dependents with it), and its overrides the parameter files."""
    (project.root / "stacksets" / "network-peering.yaml").unlink()
    for path in (project.root / "stacksets").glob("*.yaml"):
        path.write_text(
            re.sub(
                r"^(\s*(regions|region_order)): \[(.*)\]$",
                lambda m: f"{m[1]}: [{', '.join(r for r in m[3].split(', ') if r != 'us-west-2')}]",
                path.read_text(),
                flags=re.M,
            )
        )
    for environment in ("dev", "staging", "prod"):
        path = project.parameter_path(environment)
        path.write_text(re.sub(r"^  us-west-2:\n(    .*\n)+", "", path.read_text(), flags=re.M))
    render.write(project, render.render(project))  # the manifest hashes the parameters


def test_prune_that_deletes_stacks_is_guarded_and_retained_stacks_are_not(tmp_path, monkeypatch, capsys):
    import boto3

    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        assert not Run(project, only=("network",)).failures
        without_us_west_2(project)
        calls = count_mutating(monkeypatch)
        capsys.readouterr()
        assert cli(project, "deploy", "--env", "staging", "--stackset", "network", "--prune") == ExitCode.INVALID_INPUT
        captured = capsys.readouterr()
        assert "    removing them (PRUNE=1) deletes the stacks in us-west-2: " in captured.out
        refused = [line for line in captured.err.splitlines() if line.startswith("error: deploy refused: ")]
        assert refused == [
            "error: deploy refused: network/FlowLogGroup (AWS::Logs::LogGroup): Remove in us-west-2; kept (RetainExceptOnCreate): "
            "the resource and its data stay, outside the stack",
            "error: deploy refused: network/FlowLogKey (AWS::KMS::Key): Remove in us-west-2; kept (RetainExceptOnCreate): "
            "the resource and its data stay, outside the stack",
            "error: deploy refused: network/ReplicatedDataKey (AWS::KMS::Key): Remove in us-west-2; kept (RetainExceptOnCreate): "
            "the resource and its data stay, outside the stack",
        ]
        assert calls == []
        assert (
            cli(project, "deploy", "--env", "staging", "--stackset", "network") == ExitCode.OK
        )  # no PRUNE: nothing removed
        assert calls == []

        assert (
            cli(project, "deploy", "--env", "staging", "--stackset", "network", "--prune", "--retain-stacks")
            == ExitCode.OK
        )
        assert "    stack kept (RetainStacks): removing them (PRUNE=1) leaves their stacks" in capsys.readouterr().out
        assert calls == ["DeleteStackInstances"]
        stacks = boto3.client("cloudformation", region_name="us-west-2").describe_stacks()["Stacks"]
        assert [s["StackName"] for s in stacks if s["StackName"].startswith("StackSet-network-staging")] != []  # kept

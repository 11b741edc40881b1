"""`cfnops plan` without --drift on localcloud: the drift report `cfnops drift` saved is
used when it is newer than the last deploy of the StackSet, and ignored once a deploy
came after it."""

from __future__ import annotations

import time
import warnings

import localcloud
from cfnops.cli.main import main
from tests.support.rollout import Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

OVERWRITES = "    will overwrite the out-of-band change `/RetentionInDays 7` (template: 90) in us-west-2 (123456789012): FlowLogGroup"


def cli(project, *arguments: str) -> int:
    return main(["--root", str(project.root), *arguments])


def test_plan_uses_a_drift_report_newer_than_the_last_deploy_and_ignores_an_older_one(tmp_path, monkeypatch, capsys):
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
        time.sleep(1.1)  # the report's time has whole seconds: it must end in a later second than the deploy
        assert (
            cli(project, "drift", "--env", "staging", "--stackset", "network", "--html-dir", str(tmp_path / "html"))
            == 2
        )
        finished = __import__("json").loads((tmp_path / ".cache" / "drift" / "staging.json").read_text())["finished"]
        edit(project.parameter_path("staging"), "FlowLogRetentionDays: 90", "FlowLogRetentionDays: 180")
        from cfnops.build import render

        render.write(project, render.render(project))
        capsys.readouterr()
        assert cli(project, "plan", "--env", "staging", "--stackset", "network") == 2
        captured = capsys.readouterr()
        assert f"  drift (drift from the report of {finished}):" in captured.out
        assert OVERWRITES in captured.out
        assert f"[drift] drift from the report of {finished}: network-staging" in captured.err

        assert not Run(project, only=("network",)).failures  # a deploy after the report: the report is old now
        edit(project.parameter_path("staging"), "FlowLogRetentionDays: 180", "FlowLogRetentionDays: 365")
        render.write(project, render.render(project))
        capsys.readouterr()
        assert cli(project, "plan", "--env", "staging", "--stackset", "network") == 2
        captured = capsys.readouterr()
        assert "/RetentionInDays: 180 -> 365" in captured.out
        assert "drift" not in captured.out and "report of" not in captured.err

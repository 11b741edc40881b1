"""cfnops on a second platform: tests/fixtures/miniplatform (one template, one StackSet, two
environments, its own parameters/ and stacksets/), loaded from its pyproject.toml as the CLI
loads any platform, then rendered, linted, validated, bootstrapped, deployed and checked for
drift on localcloud, all through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cfnops.core.errors import ExitCode
from cfnops.inputs import platform as platform_module
from tests.conftest import PLATFORM
from tests.support import fixture_platforms
from tests.support.fixture_platforms import cli

FIXTURE = fixture_platforms.MINI
GROUP = "/prod/{region}/mini-audit"

pytestmark = pytest.mark.slow


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Iterator[Path]:
    yield from fixture_platforms.on_localcloud(fixture_platforms.copy(FIXTURE, tmp_path), monkeypatch)


def test_the_fixture_declares_a_platform_of_its_own():
    mini = platform_module.load(FIXTURE)
    assert (mini.name, mini.regions, mini.environments) == ("mini", ("us-east-1", "us-west-2"), ("dev", "prod"))
    assert mini.workloads == ("audit-logs",) and mini is not PLATFORM


def test_render_lint_validate_deploy_and_drift_through_the_cli(mini, capsys):
    assert cli(mini, "render") == ExitCode.OK
    assert sorted(p.name for p in (mini / "generated").glob("*.json")) == [
        "audit-logs.json",
        "manifest.json",
        "roles.json",
    ]
    assert cli(mini, "lint") == ExitCode.OK
    assert cli(mini, "validate", "--env", "prod") == ExitCode.OK
    assert (
        cli(mini, "validate", "--env", "staging") == ExitCode.INVALID_INPUT
    )  # not one of this platform's environments
    assert capsys.readouterr().err == "error: --env staging: unknown environment: expected one of dev, prod\n"
    assert cli(mini, "bootstrap", "--env", "prod") == ExitCode.OK
    assert cli(mini, "deploy", "--env", "prod") == ExitCode.OK
    assert "deploy: 1 create; 1 operation succeeded" in capsys.readouterr().out
    for region in ("us-east-1", "us-west-2"):
        [group] = boto3.client("logs", region_name=region).describe_log_groups(
            logGroupNamePrefix=GROUP.format(region=region)
        )["logGroups"]
        assert group["retentionInDays"] == 365
    assert cli(mini, "plan", "--env", "prod") == ExitCode.OK  # converged

    boto3.client("logs", region_name="us-west-2").put_retention_policy(
        logGroupName=GROUP.format(region="us-west-2"), retentionInDays=7
    )
    capsys.readouterr()
    assert cli(mini, "drift", "--env", "prod", "--format", "json") == ExitCode.DIFFERENCES
    report = json.loads(capsys.readouterr().out)
    drifted = [
        (s["name"], i["region"], r["logical_id"], [d["path"] for d in r["differences"]])
        for s in report["stacksets"]
        for i in s["instances"]
        for r in i["resources"]
        if r["status"] == "MODIFIED"
    ]
    assert drifted == [("audit-logs-prod", "us-west-2", "AuditLogGroup", ["/RetentionInDays"])]


def test_the_mini_platform_has_its_own_parity(mini, capsys):
    assert cli(mini, "render") == ExitCode.OK
    capsys.readouterr()
    assert cli(mini, "parity") == ExitCode.OK
    out = capsys.readouterr().out
    assert "audit-logs.RetentionDays\n  why: prod keeps its audit logs longer (intended)\n" in out
    # CostCenter is an intended difference of the fraud platform, not of this one
    assert out.endswith("2 unexplained (audit-logs.CostCenter, roles.CostCenter)\n")


def test_drift_of_every_environment_is_one_report_with_the_same_exit_codes(mini, capsys):
    """`cfnops drift --env all`: dev and prod in one report; drift in one of them is exit 2,
    and each environment's own saved report is what the plan reads."""
    assert cli(mini, "render") == ExitCode.OK
    assert cli(mini, "bootstrap", "--env", "prod") == ExitCode.OK  # once per account
    for environment in ("dev", "prod"):
        assert cli(mini, "deploy", "--env", environment) == ExitCode.OK
    capsys.readouterr()
    assert cli(mini, "drift", "--env", "all", "--format", "json") == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    assert (report["environment"], [s["name"] for s in report["stacksets"]]) == (
        "all",
        ["audit-logs-dev", "audit-logs-prod"],
    )
    boto3.client("logs", region_name="us-west-2").put_retention_policy(
        logGroupName=GROUP.format(region="us-west-2"), retentionInDays=7
    )
    assert cli(mini, "drift", "--env", "all") == ExitCode.DIFFERENCES
    out = capsys.readouterr().out
    assert out.startswith("drift of all: DRIFTED")
    saved = {env: json.loads((mini / ".cache" / "drift" / f"{env}.json").read_text()) for env in ("dev", "prod")}
    assert {env: (r["environment"], r["status"]) for env, r in saved.items()} == {
        "dev": ("dev", "IN_SYNC"),
        "prod": ("prod", "DRIFTED"),
    }

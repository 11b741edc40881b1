"""The Makefile: ENV, STACKSET, TIMEOUT, CONFIRM, FORMAT and ALLOW_REPLACE are checked by make before any
shell sees them and passed quoted; the tool's exit code reaches make's last line; plan's
and drift's documented outcome 2 is said in one line without make's `***` noise."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import PLATFORM, ROOT

ENVIRONMENTS = " ".join(PLATFORM.environments)

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def make(*arguments: str, cfnops: str | None = None) -> subprocess.CompletedProcess:
    extra = [f"CFNOPS={cfnops}"] if cfnops else []
    # -o: never (re)build .venv here
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *arguments, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("ENV=x;touch {marker};#", f"ENV must be one of {ENVIRONMENTS}, got 'x;touch {{marker}};#'"),
        ("ENV=$(shell touch {marker})", f"ENV must be one of {ENVIRONMENTS}, got '$(shell touch {{marker}})'"),
        ("ENV=", f"ENV must be one of {ENVIRONMENTS}, got ''"),
        ("STACKSET=network;touch {marker}", "STACKSET: unknown StackSet 'network;touch'"),
        ("TIMEOUT=1;touch {marker}", "TIMEOUT must be a whole number of seconds, got '1;touch {marker}'"),
        (
            "ALLOW_REPLACE=a/B';touch {marker};'",
            "ALLOW_REPLACE must be StackSet/LogicalId[,StackSet/LogicalId...], got 'a/B';touch {marker};''",
        ),
        (
            "ALLOW_REPLACE=$(shell touch {marker})",
            "ALLOW_REPLACE must be StackSet/LogicalId[,StackSet/LogicalId...], got '$(shell touch {marker})'",
        ),
        ("FORMAT=json;touch {marker}", "FORMAT must be text, json or markdown, got 'json;touch {marker}'"),
    ],
)
@pytest.mark.parametrize("target", ["validate", "deploy", "plan"])
def test_smuggled_commands_never_reach_a_shell(target, assignment, message, tmp_path):
    takes = {
        "validate": ("ENV",),
        "plan": ("ENV", "STACKSET", "FORMAT"),
        "deploy": ("ENV", "STACKSET", "TIMEOUT", "ALLOW_REPLACE"),
    }[target]
    if not assignment.startswith(takes):
        pytest.skip(f"{target} does not take {assignment.split('=')[0]}")
    marker = tmp_path / "ran"
    named = [] if assignment.startswith("ENV") else ["ENV=dev"]  # deploy needs one
    result = make(target, *named, assignment.format(marker=marker), cfnops="false")
    assert result.returncode == 2
    assert message.format(marker=marker) in result.stderr
    assert not marker.exists()


def test_allow_failover_is_1_or_nothing():
    result = make("-n", "deploy", "ENV=dev", "ALLOW_FAILOVER=1", cfnops="cfnops")
    assert "--allow-failover" in result.stdout
    assert "--allow-failover" not in make("-n", "deploy", "ENV=dev", cfnops="cfnops").stdout
    refused = make("-n", "deploy", "ENV=dev", "ALLOW_FAILOVER=yes;true", cfnops="cfnops")
    assert refused.returncode == 2 and "ALLOW_FAILOVER can only be 1, got 'yes;true'" in refused.stderr


def test_values_reach_the_tool_quoted():
    result = make("-n", "deploy", "ENV=dev", "STACKSET=network payments-dev", "TIMEOUT=60", cfnops="cfnops")
    assert (
        " ".join(result.stdout.split())
        == "cfnops deploy --env 'dev' --stackset 'network' --stackset 'payments-dev' --timeout '60'"
    )
    result = make(
        "-n", "deploy", "ENV=prod", "ALLOW_REPLACE=fraud-agent/DecisionsTable,network-prod/Vpc", cfnops="cfnops"
    )
    assert result.stdout.split()[-2:] == ["--allow-replace", "'fraud-agent/DecisionsTable,network-prod/Vpc'"]
    result = make("-n", "plan", "ENV=prod", "FORMAT=markdown", "DRIFT=1", cfnops="cfnops")
    assert "cfnops plan --env 'prod' --format 'markdown' --drift ||" in " ".join(result.stdout.split())


@pytest.fixture
def tool(tmp_path):
    """A stand-in for .venv/bin/cfnops that exits with the code it is given."""
    script = tmp_path / "fake-cfnops"
    script.write_text('#!/bin/sh\necho "error: the tool says why" >&2\nexit "$FAKE_EXIT"\n')
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize(
    "target, line", [("plan", "make plan: there are changes to make"), ("drift", "make drift: drift found")]
)
def test_the_documented_outcome_2_is_one_line_without_make_noise(target, line, tool, monkeypatch):
    monkeypatch.setenv("FAKE_EXIT", "2")
    result = make(target, f"ENV={PLATFORM.environments[0]}", cfnops=tool)
    assert result.returncode == 0
    assert line in result.stderr and "***" not in result.stderr


@pytest.mark.parametrize("code", [1, 3, 5, 6, 7])
@pytest.mark.parametrize("target", ["plan", "drift", "deploy", "validate"])
def test_failures_fail_make_and_name_the_tools_code(target, code, tool, monkeypatch):
    monkeypatch.setenv("FAKE_EXIT", str(code))
    result = make(target, "ENV=dev", cfnops=tool)
    assert result.returncode == 2  # make's own code for any failure
    assert result.stderr.rstrip().endswith(f"] Error {code}")


def test_help_says_how_exit_codes_reach_ci():
    out = make("help").stdout
    assert "make itself exits 2 on any failure" in out and ".venv/bin/cfnops directly" in out


@pytest.mark.parametrize("target", ["deploy", "copy-tables", "bootstrap", "destroy"])
def test_targets_that_change_aws_need_env_on_the_command_line(target, tmp_path, monkeypatch):
    """No default and not the shell's $ENV: make stops before the tool (so before any AWS call)."""
    marker = tmp_path / "ran"
    monkeypatch.setenv("ENV", "dev")
    result = make(target, cfnops=f"touch {marker}; true")
    assert result.returncode == 2 and not marker.exists()
    assert (
        f"make {target} changes AWS: name the environment on the command line, make {target} ENV=<one of {ENVIRONMENTS}>"
        in result.stderr
    )
    assert make(target, "ENV=dev", cfnops=f"touch {marker}; true").returncode == 0 and marker.exists()


def test_environments_are_the_platforms():
    """validate-all and the ENV check read the platform's environments, not a copy in the Makefile."""
    lines = make("-n", "validate-all").stdout
    assert f"for env in {ENVIRONMENTS};" in lines
    text = (ROOT / "Makefile").read_text()
    assert [e for e in PLATFORM.environments if re.search(rf"(?<![/\w-]){e}(?![\w-])", text)] == []


@pytest.mark.parametrize("target", ["plan", "status", "validate"])
def test_no_environment_is_a_default(target, tmp_path, monkeypatch):
    """Reading targets act on a named environment too: none is assumed."""
    marker = tmp_path / "ran"
    monkeypatch.delenv("ENV", raising=False)
    result = make(target, cfnops=f"touch {marker}; true")
    assert result.returncode == 2 and not marker.exists()
    assert f"ENV must be one of {ENVIRONMENTS}, got ''" in result.stderr


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_confirm_names_the_environment_destroyed(environment):
    """CONFIRM reaches the tool quoted when it is ENV, and stops make otherwise (the tool asks a
    production environment for it)."""
    confirmed = make("-n", "destroy", f"ENV={environment}", f"CONFIRM={environment}", cfnops="cfnops")
    assert " ".join(confirmed.stdout.split()) == f"cfnops destroy --env '{environment}' --confirm '{environment}'"
    for wrong in [e for e in PLATFORM.environments if e != environment] + [f"{environment};true"]:
        refused = make("-n", "destroy", f"ENV={environment}", f"CONFIRM={wrong}", cfnops="cfnops")
        assert refused.returncode == 2
        assert f"CONFIRM can only be {environment}, the environment destroyed, got '{wrong}'" in refused.stderr

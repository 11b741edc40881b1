"""The CLI: exit codes say what kind of failure it was; errors are one line, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from tests.conftest import PLATFORM, ROOT

TEMPLATES = ", ".join(PLATFORM.registry)  # as the error lists them


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cfnops", *args], capture_output=True, text=True, cwd=cwd)


def test_validate_prints_what_it_checked():
    result = run("validate", "--env", "staging")
    assert result.returncode == ExitCode.OK, result.stderr
    assert "fraud-detection    3 regions" in result.stdout
    assert "6 region overrides" in result.stdout
    assert "loan-processing    1 region " in result.stdout  # eu-west-1 only, from its StackSet
    assert f" {len(PLATFORM.environment_rules)} environment rules" in result.stdout
    assert result.stdout.rstrip().endswith("OK: staging parameters are valid")


def test_invalid_parameter_file_is_one_line_and_exit_3(tmp_project):
    path = tmp_project.parameter_path("prod")
    path.write_text(path.read_text().replace("DbInstanceCount: 2", "DbInstanceCount: 1", 1))
    result = run("--root", str(tmp_project.root), "validate", "--env", "prod")
    assert result.returncode == ExitCode.INVALID_INPUT == 3
    assert (
        result.stderr
        == "error: parameters/prod.yaml: templates.fraud-detection.DbInstanceCount: prod needs at least 2 Aurora instances, got 1\n"
    )
    assert result.stdout == ""


ENVIRONMENTS = ", ".join(PLATFORM.environments)


def test_unknown_environment_is_one_line_and_exit_3_before_anything_runs(capsys):
    assert main(["validate", "--env", "qa"]) == ExitCode.INVALID_INPUT
    assert capsys.readouterr().err == f"error: --env qa: unknown environment: expected one of {ENVIRONMENTS}\n"


def test_all_is_an_environment_only_where_the_command_takes_it(capsys):
    assert main(["validate", "--env", "all"]) == ExitCode.INVALID_INPUT
    assert capsys.readouterr().err == f"error: --env all: unknown environment: expected one of {ENVIRONMENTS}\n"
    assert main(["drift", "--env", "al"]) == ExitCode.INVALID_INPUT
    assert capsys.readouterr().err == (
        f"error: --env al: unknown environment (did you mean all?): expected one of {ENVIRONMENTS}, all\n"
    )


@pytest.mark.parametrize("command", ["validate", "plan", "deploy", "status", "bootstrap", "destroy", "copy-tables"])
def test_env_help_lists_the_platforms_environments(command, capsys):
    assert main([command, "--help"]) == ExitCode.OK
    assert f"--env [{'|'.join(PLATFORM.environments)}]" in capsys.readouterr().out


def test_drift_help_adds_all(capsys):
    assert main(["drift", "--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert f"--env [{'|'.join(PLATFORM.environments)}|all]" in out
    assert "all: every environment in one report" in " ".join(out.split())


def test_usage_errors_are_exit_3_not_click_default_2(capsys):
    assert main(["validate"]) == ExitCode.INVALID_INPUT
    assert "Missing option '--env'" in capsys.readouterr().err


def test_stale_generated_is_exit_5(tmp_project):
    path = tmp_project.template_path("network")
    path.write_text(path.read_text().replace("Platform network", "Edited"))
    result = run("--root", str(tmp_project.root), "check")
    assert result.returncode == ExitCode.STALE == 5
    assert "generated/network.json: differs from a fresh render" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # whole templates through cfn-lint and checkov: the gate itself, not a unit
def test_lint_findings_are_exit_4(tmp_project):
    path = tmp_project.template_path("network")
    path.write_text(
        path.read_text().replace('"RetentionInDays": {\n          "Ref": "FlowLogRetentionDays"\n        },\n', "")
    )
    result = run("--root", str(tmp_project.root), "lint", "--template", "network")
    assert result.returncode == ExitCode.FINDINGS == 4
    assert "E9003 [cfn-lint error] FlowLogGroup sets no RetentionInDays" in result.stderr
    assert "CKV_AWS_66" in result.stderr  # checkov agrees: log retention


def test_lint_refuses_an_unknown_template():
    result = run("lint", "--template", "payroll")
    assert (result.returncode, result.stderr) == (
        3,
        f"error: --template payroll: unknown template: expected one of {TEMPLATES}\n",
    )


def test_render_is_idempotent_in_a_copy(tmp_project):
    result = run("--root", str(tmp_project.root), "render")
    assert result.returncode == 0, result.stderr
    assert "rendered 0 changed files" in result.stdout


def test_exit_codes_are_distinct():
    # __members__ holds aliases too (iterating ExitCode skips them)
    values = [code.value for code in ExitCode.__members__.values()]
    assert len(values) == len(set(values))

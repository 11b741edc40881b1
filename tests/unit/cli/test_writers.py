"""--format reads its choices from each report family's writer registry, and the command
prints what the registered writer returns: nothing else chooses a writer."""

from __future__ import annotations

import pytest

from cfnops.cli.main import cli, main
from cfnops.core.errors import ExitCode
from cfnops.reports.writers import WRITERS as DRIFT_WRITERS
from cfnops.rollout.planwriters import WRITERS as PLAN_WRITERS
from tests.unit.reports.test_drift_reports import sample


@pytest.mark.parametrize(("command", "writers"), [("drift", DRIFT_WRITERS), ("plan", PLAN_WRITERS)])
def test_format_choices_are_the_registrys_names(command, writers):
    [option] = [p for p in cli.commands[command].params if p.name == "output_format"]
    assert list(option.type.choices) == list(writers)


@pytest.mark.parametrize("command", ["drift", "plan"])
def test_an_unregistered_format_is_a_usage_error(command, capsys):
    assert main([command, "--env", "dev", "--format", "yaml"]) == ExitCode.INVALID_INPUT
    assert "Invalid value for '--format'" in capsys.readouterr().err


def test_every_drift_writer_renders_the_whole_report():
    report = sample()
    for name, write in DRIFT_WRITERS.items():
        body = write(report)
        assert report.environment in body and all(s.name in body for s in report.stacksets), name

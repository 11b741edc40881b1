"""Environments' treatment is the platform's data (cfnops/inputs/platform.py ``protected`` and
``production``): an environment the platform adds and marks production gets prod's treatment
in every place that reads it (deploy's guard, destroy's confirmation and retained data,
RetainStacks, the rollout's default preferences), and a prod the platform does not mark
production gets none of it."""

from __future__ import annotations

import dataclasses
import textwrap
from types import SimpleNamespace

import pytest

from cfnops.build import render
from cfnops.changes import engine, guard
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode, InputError, RefusedError
from cfnops.inputs import stacksets as config
from cfnops.inputs.platform import Platform
from cfnops.inputs.project import Project
from cfnops.rollout import destroy, retained
from cfnops.rollout.deploy import retains_stacks
from tests.conftest import PLATFORM, ROOT

NEW = "live"  # the fourth environment a platform adds
TABLE = engine.ResourceChange("DecisionsTable", "AWS::DynamoDB::Table", engine.REPLACE, policy="Retain")
RESTART = SimpleNamespace(  # a stateful resource's documented downtime, as the engine reports it
    logical_id="Database",
    type="AWS::RDS::DBCluster",
    action=engine.MODIFY,
    destructive=False,
    interrupts=True,
    fails=False,
    fact=SimpleNamespace(property="EngineVersion", reason="the cluster restarts", page="https://docs.aws.amazon.com/"),
)


def with_new(platform: Platform, name: str = NEW) -> Platform:
    """``platform`` with one more environment, marked as each of its production ones is."""
    return dataclasses.replace(
        platform,
        environments=(*platform.environments, name),
        protected=(*platform.protected, name),
        production=(*platform.production, name),
    )


def _plans(environment: str, *changes: engine.ResourceChange) -> list:
    spec = SimpleNamespace(key="fraud-agent", name=f"fraud-agent-{environment}")
    return [
        SimpleNamespace(desired=SimpleNamespace(spec=spec), resources=(engine.Group((("1", "us-east-1"),), changes),))
    ]


def _guarded(platform: Platform, environment: str, change: engine.ResourceChange) -> tuple[str, list[str]]:
    warned: list[str] = []
    try:
        guard.enforce(platform.environment(environment), _plans(environment, change), frozenset(), warned.append)
    except RefusedError as refused:
        return "refused", refused.problems
    return "allowed", warned


def _raises(call) -> str:
    try:
        call()
    except InputError as error:
        return str(error)
    return ""


def _specs(platform: Platform, environment: str) -> list[config.StackSetSpec]:
    project = Project(ROOT, platform)
    return config.load_project(project, environment, render.read_generated(project))


def treatment(platform: Platform, environment: str) -> dict:
    """What each place does with ``environment``, its name written as ``<env>``."""
    specs = _specs(platform, environment)
    plain = [s for s in specs if "operation_preferences" not in (ROOT / "stacksets" / f"{s.key}.yaml").read_text()]
    seen = {
        "replacement": _guarded(platform, environment, TABLE),
        "interruption": _guarded(platform, environment, RESTART),
        "destroy unconfirmed": _raises(lambda: destroy.confirm(platform.environment(environment), None)),
        "destroy confirmed": _raises(lambda: destroy.confirm(platform.environment(environment), environment)),
        "remove retained": _raises(lambda: retained.check_removal(platform, environment, True)),
        "retains stacks": {s.key: retains_stacks(s, None) for s in specs},
        "told otherwise": {s.key: retains_stacks(s, False) for s in specs},
        "default preferences": {s.key: s.preferences for s in plain},
    }
    return generic(seen, environment)


def generic(value, environment: str):
    """``value`` with ``environment``'s name replaced by ``<env>`` in every string."""
    if isinstance(value, str):
        return value.replace(environment, "<env>")
    if isinstance(value, dict):
        return {key: generic(item, environment) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(generic(item, environment) for item in value)
    return value


@pytest.mark.parametrize("production", PLATFORM.production)
def test_an_added_production_environment_gets_prods_treatment_everywhere(production):
    platform = with_new(PLATFORM)
    assert treatment(platform, NEW) == treatment(PLATFORM, production)


def test_adding_an_environment_changes_nothing_for_the_others():
    platform = with_new(PLATFORM)
    for environment in PLATFORM.environments:
        assert treatment(platform, environment) == treatment(PLATFORM, environment)


@pytest.mark.parametrize("production", PLATFORM.production)
def test_a_prod_not_marked_production_gets_none_of_its_treatment(production):
    demoted = dataclasses.replace(PLATFORM, production=tuple(e for e in PLATFORM.production if e != production))
    seen = treatment(demoted, production)
    assert seen["interruption"][0] == "allowed"
    assert seen["destroy unconfirmed"] == ""
    assert not any(seen["retains stacks"].values())
    assert all(p["RegionConcurrencyType"] == "PARALLEL" for p in seen["default preferences"].values())
    for protected in (e for e in PLATFORM.protected if e not in PLATFORM.production):
        assert seen == treatment(PLATFORM, protected)  # still protected: a protected environment's treatment
    unprotected = dataclasses.replace(demoted, protected=tuple(e for e in demoted.protected if e != production))
    for environment in PLATFORM.unprotected:
        assert treatment(unprotected, production) == treatment(unprotected, environment)


@pytest.mark.parametrize("production", PLATFORM.production)
def test_the_production_treatment_is_what_it_was_for_prod(production):
    """The fraud platform's prod, as before environments were data (messages included)."""
    seen = treatment(PLATFORM, production)
    assert seen["destroy unconfirmed"] == "destroying <env> needs CONFIRM=<env> (--confirm <env>); nothing was changed"
    assert seen["destroy confirmed"] == ""
    assert seen["remove retained"] == (
        f"--remove-retained: only {', '.join(PLATFORM.unprotected)} removes its retained data, got <env>; "
        "nothing was changed"
    )
    assert seen["interruption"][0] == seen["replacement"][0] == "refused"
    assert all(seen["retains stacks"].values()) and not any(seen["told otherwise"].values())
    regions = {spec.key: spec.regions for spec in _specs(PLATFORM, production)}
    assert seen["default preferences"] and all(
        preferences
        == {
            "RegionConcurrencyType": "SEQUENTIAL",
            "RegionOrder": list(regions[key]),
            "FailureToleranceCount": 0,
            "MaxConcurrentCount": 1,
        }
        for key, preferences in seen["default preferences"].items()
    )


KNOWN = ", ".join(PLATFORM.environments)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"protected": (*PLATFORM.protected, "qa")}, f"protected: unknown environment 'qa': expected some of {KNOWN}"),
        (
            {"production": (*PLATFORM.production, "qa")},
            f"production: unknown environment 'qa': expected some of {KNOWN}",
        ),
        (
            {"protected": (*PLATFORM.protected,), "production": PLATFORM.production[0]},
            f"production: expected a tuple of environment names, got {PLATFORM.production[0]!r}",
        ),
        (
            {"protected": tuple(e for e in PLATFORM.protected if e not in PLATFORM.production)},
            "; ".join(f"production: {e!r} must be protected too (in protected)" for e in PLATFORM.production),
        ),
    ],
)
def test_roles_name_the_platforms_environments(change, message):
    with pytest.raises(ValueError) as refused:
        dataclasses.replace(PLATFORM, **change)
    assert str(refused.value) == f"platform {PLATFORM.name}: {message}"


def test_the_cli_reads_the_roles_from_the_declared_platform(tmp_path, capsys):
    """destroy through the CLI: the platform's added production environment needs CONFIRM, and
    keeps its retained data, before any AWS call."""
    (tmp_path / "pyproject.toml").write_text('[tool.cfnops]\nplatform = "live_platform:PLATFORM"\n')
    (tmp_path / "live_platform.py").write_text(
        textwrap.dedent(
            f"""
            import dataclasses
            from templates_src.platform import PLATFORM as FRAUD
            PLATFORM = dataclasses.replace(
                FRAUD,
                environments=(*FRAUD.environments, {NEW!r}),
                protected=(*FRAUD.protected, {NEW!r}),
                production=(*FRAUD.production, {NEW!r}),
            )
            """
        )
    )
    assert main(["--root", str(tmp_path), "destroy", "--env", NEW]) == ExitCode.INVALID_INPUT
    assert (
        capsys.readouterr().err
        == f"error: destroying {NEW} needs CONFIRM={NEW} (--confirm {NEW}); nothing was changed\n"
    )
    assert main(["--root", str(tmp_path), "destroy", "--env", NEW, "--confirm", NEW, "--remove-retained"]) == (
        ExitCode.INVALID_INPUT
    )
    assert capsys.readouterr().err == (
        f"error: --remove-retained: only {', '.join(PLATFORM.unprotected)} removes its retained data, got {NEW}; "
        "nothing was changed\n"
    )

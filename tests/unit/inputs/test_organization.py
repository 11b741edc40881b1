"""organization.yaml (cfnops/inputs/organization.py): the single-account layout when absent or
declared, an organization's deployment account and per-environment targets otherwise; every
broken value one line naming the file and key, all at once (exit 3)."""

from __future__ import annotations

import pytest

from cfnops.core.errors import ExitCode, InputError
from cfnops.inputs import organization
from cfnops.inputs.organization import DeploymentKind, Layout, Targets
from tests.conftest import PLATFORM, ROOT

F = organization.FILE
ENVIRONMENTS = PLATFORM.environments
OU = {name: f"ou-ab12-{name[:3]}{'0' * (8 - len(name[:3]))}" for name in ENVIRONMENTS}


def good(**changes) -> dict:
    data = {
        "layout": "organization",
        "deployment_account": {"id": "111111111111", "kind": "management"},
        "environments": {
            name: {"organizational_units": [OU[name]], "accounts": [f"{index + 2}" * 12]}
            for index, name in enumerate(ENVIRONMENTS)
        },
    }
    data.update(changes)
    return data


def problems(data) -> list[str]:
    with pytest.raises(InputError) as raised:
        organization.parse(data, F, ENVIRONMENTS)
    assert raised.value.exit_code == ExitCode.INVALID_INPUT
    return raised.value.problems


def test_absent_file_and_declared_single_account_are_the_single_account_layout(tmp_path):
    assert organization.load(tmp_path / F, F, ENVIRONMENTS) == organization.SINGLE_ACCOUNT
    assert organization.parse({"layout": "single-account"}, F, ENVIRONMENTS) == organization.SINGLE_ACCOUNT
    assert not organization.SINGLE_ACCOUNT.is_organization


def test_the_checkouts_file_keeps_the_single_account_layout():
    """Today's default: every environment in the deploying account (accounts: [self])."""
    assert organization.load(ROOT / F, F, ENVIRONMENTS, ROOT).layout == Layout.SINGLE_ACCOUNT


def test_an_organization_gives_each_environment_its_targets_and_call_as():
    found = organization.parse(good(), F, ENVIRONMENTS)
    assert found.is_organization and found.deployment_account == "111111111111"
    assert found.call_as == "SELF"
    for index, name in enumerate(ENVIRONMENTS):
        assert found.targets(name) == Targets((OU[name],), (f"{index + 2}" * 12,))
    delegated = organization.parse(
        good(deployment_account={"id": "111111111111", "kind": "delegated_admin"}), F, ENVIRONMENTS
    )
    assert delegated.kind == DeploymentKind.DELEGATED_ADMIN and delegated.call_as == "DELEGATED_ADMIN"


def test_an_environment_may_name_only_ous_or_only_accounts():
    first, *others = ENVIRONMENTS
    data = good()
    data["environments"][first] = {"accounts": ["999999999999"]}
    for name in others:
        data["environments"][name] = {"organizational_units": [OU[name]]}
    found = organization.parse(data, F, ENVIRONMENTS)
    assert found.targets(first) == Targets((), ("999999999999",))
    assert found.owner_of("999999999999") == first


CASES = {
    "unknown layout": (
        {"layout": "multi"},
        f"{F}: layout: unknown layout: expected one of single-account, organization, got 'multi'",
    ),
    "unknown top key": (
        good(regions=["us-east-1"]),
        f"{F}: regions: unknown key: expected one of layout, deployment_account, environments, got 'regions'",
    ),
    "single-account with environments": (
        {"layout": "single-account", "environments": {}},
        f"{F}: environments: only for layout: organization",
    ),
    "missing deployment account": (
        {k: v for k, v in good().items() if k != "deployment_account"},
        f"{F}: deployment_account: missing: layout organization needs it",
    ),
    "unquoted account id": (
        good(deployment_account={"id": 111111111111}),
        f"{F}: deployment_account.id: expected a 12-digit account id (quoted), got 111111111111",
    ),
    "unknown kind": (
        good(deployment_account={"id": "111111111111", "kind": "admin"}),
        f"{F}: deployment_account.kind: unknown kind: expected one of management, delegated_admin, got 'admin'",
    ),
    "short account": (
        good(environments={**good()["environments"], ENVIRONMENTS[0]: {"accounts": ["12345"]}}),
        f"{F}: environments.{ENVIRONMENTS[0]}.accounts[0]: expected 12-digit account ids matching",
    ),
    "root is not an environment's OU": (
        good(environments={**good()["environments"], ENVIRONMENTS[0]: {"organizational_units": ["r-ab12"]}}),
        f"{F}: environments.{ENVIRONMENTS[0]}.organizational_units[0]: expected OU ids matching",
    ),
    "neither OU nor account": (
        good(environments={**good()["environments"], ENVIRONMENTS[0]: {}}),
        f"{F}: environments.{ENVIRONMENTS[0]}: expected organizational_units and/or accounts, got neither",
    ),
    "unknown environment": (
        good(environments={**good()["environments"], "qa": {"accounts": ["999999999999"]}}),
        f"{F}: environments.qa: unknown environment: expected one of {', '.join(ENVIRONMENTS)}, got 'qa'",
    ),
    "missing environment": (
        good(environments={k: v for k, v in good()["environments"].items() if k != ENVIRONMENTS[-1]}),
        f"{F}: environments.{ENVIRONMENTS[-1]}: missing: every environment of the platform needs its targets",
    ),
    "one account in two environments": (
        good(
            environments={
                **good()["environments"],
                ENVIRONMENTS[1]: {"accounts": good()["environments"][ENVIRONMENTS[0]]["accounts"]},
            }
        ),
        f"{F}: environments.{ENVIRONMENTS[1]}.accounts[0]: {'2' * 12} is already {ENVIRONMENTS[0]}'s",
    ),
    "deployment account as a target": (
        good(environments={**good()["environments"], ENVIRONMENTS[0]: {"accounts": ["111111111111"]}}),
        f"{F}: environments.{ENVIRONMENTS[0]}.accounts[0]: 111111111111 is the deployment account",
    ),
    "not a mapping": (["layout"], f"{F}: expected a mapping with keys layout, deployment_account, environments"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_broken_value_is_one_line_naming_file_and_key(case):
    data, expected = CASES[case]
    found = problems(data)
    assert len([line for line in found if line.startswith(expected)]) == 1, found


def test_every_problem_is_reported_at_once():
    data = good(deployment_account={"id": "1", "kind": "x"})
    data["environments"][ENVIRONMENTS[0]] = {"accounts": ["2"]}
    found = problems(data)
    assert [line.split(":")[1].strip() for line in found] == [
        "deployment_account.id",
        "deployment_account.kind",
        f"environments.{ENVIRONMENTS[0]}.accounts[0]",
    ]

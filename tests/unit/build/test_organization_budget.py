"""The account budget in the organization layout (issue 27): summed per account, so each
environment's accounts carry only their environment's instances. Today's platform needs raised
quotas (quotas.yaml) with every environment in one account; with an account per environment it
fits AWS's defaults."""

from __future__ import annotations

import json

from cfnops.build.lint import account_budget, placements
from cfnops.inputs import organization

UNITS = {"dev": "ou-ab12-dev00000", "staging": "ou-ab12-stg00000", "prod": "ou-ab12-prd00000"}


def generated(project) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in project.generated.glob("*.json") if p.stem != "manifest"}


def in_organization(project) -> None:
    """Every workload StackSet to its environment's accounts; drift-watch stays where the StackSets are."""
    for path in (project.root / "stacksets").glob("*.yaml"):
        if "DetectStackSetDrift is called in the administrator account" not in path.read_text():
            path.write_text(path.read_text().replace("accounts: [self]", "accounts: [environment]"))
    lines = ["layout: organization", 'deployment_account: {id: "111111111111"}', "environments:"]
    lines += [f"  {name}: {{organizational_units: [{unit}]}}" for name, unit in UNITS.items()]
    (project.root / organization.FILE).write_text("\n".join(lines) + "\n")


def test_each_environments_accounts_carry_only_its_own_instances(tmp_project):
    in_organization(tmp_project)
    templates = generated(tmp_project)
    found = {(p.account, p.environment) for p in placements(tmp_project, templates) if p.template != "drift-watch"}
    assert {account for account, _ in found} == {f"each account of {name}'s OUs" for name in UNITS}
    assert all(account == f"each account of {environment}'s OUs" for account, environment in found)


def budget_lines(project, templates) -> list[str]:
    return [f.line() for f in account_budget(project, templates) if f.rule == "ACCOUNT-BUDGET"]


def test_with_an_account_per_environment_only_prod_needs_a_raise(tmp_project):
    """One account: the three environments together exceed AWS's defaults; apart, dev and staging
    fit them, and prod's accounts alone still need eu-west-1's Elastic IP raise (its NAT per zone
    and loan-processing's own network)."""
    (tmp_project.root / "quotas.yaml").unlink()  # no raised quota anywhere
    templates = generated(tmp_project)
    together = budget_lines(tmp_project, templates)
    assert any("dev/" in line and "staging/" in line for line in together), together
    in_organization(tmp_project)
    apart = budget_lines(tmp_project, templates)
    assert apart and all("account each account of prod's OUs" in line for line in apart), apart
    assert not any("dev/" in line or "staging/" in line for line in apart), apart

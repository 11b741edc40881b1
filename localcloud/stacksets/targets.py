"""The accounts a StackSet instance operation reaches (API_DeploymentTargets,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html):

- self-managed: ``Accounts`` (or ``DeploymentTargets.Accounts``) by ``Regions``;
- service-managed: ``DeploymentTargets.OrganizationalUnitIds`` resolved to the accounts in
  each OU and in the OUs nested in it (never the management account); "For update
  operations, you can specify either Accounts or OrganizationalUnitIds. For create and
  delete operations, specify OrganizationalUnitIds." ``AccountFilterType`` narrows or
  widens them with ``Accounts``: INTERSECTION (only those), DIFFERENCE (all but those),
  UNION (those too; "the default value if AccountFilterType is not provided"), NONE (the
  OUs' accounts).

Refusals whose exact AWS wording no source gives are localcloud's, naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from moto.cloudformation.exceptions import ValidationError
from moto.organizations.models import OrganizationsBackend

from ..organizations import tree

FILTERS = ("NONE", "INTERSECTION", "DIFFERENCE", "UNION")


@dataclass(frozen=True)
class Target:
    account: str
    unit: str = ""  # the OU (or root) given that reached it


def regions(given: list[str] | None) -> list[str]:
    if not given:
        raise ValidationError(message="Regions are required")
    return list(given)


def self_managed(accounts: list[str] | None, deployment_targets: dict | None) -> list[Target]:
    if (deployment_targets or {}).get("OrganizationalUnitIds"):
        raise ValidationError(
            message="DeploymentTargets.OrganizationalUnitIds is valid only for StackSets with service-managed "
            "permissions; this StackSet is SELF_MANAGED: give Accounts"
        )
    chosen = accounts or (deployment_targets or {}).get("Accounts") or []
    if not chosen:
        raise ValidationError(message="Accounts are required for a StackSet with self-managed permissions")
    return [Target(account) for account in chosen]


def _filtered(reached: dict[str, str], deployment_targets: dict, org: OrganizationsBackend) -> dict[str, str]:
    accounts = list(deployment_targets.get("Accounts") or [])
    kind = deployment_targets.get("AccountFilterType") or "UNION"
    if kind not in FILTERS:
        raise ValidationError(
            message=f"1 validation error detected: Value '{kind}' at 'deploymentTargets.accountFilterType' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(FILTERS)}]"
        )
    if kind == "INTERSECTION":
        return {a: unit for a, unit in reached.items() if a in accounts}
    if kind == "DIFFERENCE":
        return {a: unit for a, unit in reached.items() if a not in accounts}
    if kind == "UNION":
        extra = {a: (tree.parents(org, a) or [""])[0] for a in accounts if a not in reached}
        return {**reached, **extra}
    return reached


def units(deployment_targets: dict | None, org: OrganizationsBackend) -> list[str]:
    given = list((deployment_targets or {}).get("OrganizationalUnitIds") or [])
    for unit in given:
        if not tree.is_unit(org, unit):
            raise ValidationError(
                message=f"DeploymentTargets.OrganizationalUnitIds: {unit} is no OU or root of the organization"
            )
    return given


def service_managed(
    accounts: list[str] | None, deployment_targets: dict | None, org: OrganizationsBackend, *, accounts_allowed: bool
) -> list[Target]:
    """The accounts the OUs given reach now (``accounts_allowed``: an update, which may name
    ``DeploymentTargets.Accounts`` instead of OUs)."""
    if accounts:
        raise ValidationError(
            message="Accounts is valid only for StackSets with self-managed permissions; this StackSet is "
            "SERVICE_MANAGED: give DeploymentTargets.OrganizationalUnitIds"
        )
    targets = deployment_targets or {}
    given = units(targets, org)
    if not given:
        if accounts_allowed and targets.get("Accounts"):
            return [Target(a, (tree.parents(org, a) or [""])[0]) for a in targets["Accounts"]]
        raise ValidationError(
            message="DeploymentTargets.OrganizationalUnitIds are required for a SERVICE_MANAGED StackSet"
        )
    reached: dict[str, str] = {}
    for unit in given:
        for account in tree.accounts_under(org, unit):
            reached.setdefault(account, unit)
    return [Target(a, unit) for a, unit in _filtered(reached, targets, org).items()]

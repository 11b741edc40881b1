"""The organization layout at plan time: the caller must be organization.yaml's deployment
account, and each environment's accounts are read from AWS Organizations (every ACTIVE account
in its OUs and their nested OUs, plus the accounts it lists), so an account created in or moved
into an environment's OU is an instance to add at the next plan.

Reads only: ListChildren (nested OUs) and ListAccountsForParent, paginated, in the deployment
account (the management account, or a delegated administrator, may read the organization).
"""

from __future__ import annotations

import dataclasses

from ..core.errors import InputError
from ..core.protocols import AwsFactory
from ..inputs import organization
from ..inputs import stacksets as config

ACTIVE = "ACTIVE"  # organizations' AccountStatus: SUSPENDED and PENDING_CLOSURE accounts get nothing


def check_caller(layout: organization.Organization, caller: str) -> None:
    """Right after GetCallerIdentity: StackSets live in the deployment account only."""
    if layout.is_organization and caller != layout.deployment_account:
        raise InputError(
            f"{organization.FILE}: deployment_account.id: the StackSets live in account {layout.deployment_account}, "
            f"but the caller is account {caller}: use the deployment account's credentials"
        )


def accounts_under(client, unit: str) -> list[str]:
    """Every ACTIVE account in ``unit`` and in the OUs nested in it, in the order Organizations lists them."""
    found, units = [], [unit]
    while units:
        parent = units.pop(0)
        for page in client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
            found += [account["Id"] for account in page["Accounts"] if account.get("Status", ACTIVE) == ACTIVE]
        for page in client.get_paginator("list_children").paginate(ParentId=parent, ChildType="ORGANIZATIONAL_UNIT"):
            units += [child["Id"] for child in page["Children"]]
    return found


def environment_accounts(
    aws: AwsFactory, layout: organization.Organization, environment: str, region: str
) -> tuple[str, ...]:
    """The environment's accounts: its OUs' (read now) and those it lists; never the deployment account."""
    targets = layout.targets(environment)
    found: list[str] = []
    if targets.organizational_units:
        client = aws.client("organizations", region)
        for unit in targets.organizational_units:
            found += accounts_under(client, unit)
    found += targets.accounts
    return tuple(account for account in dict.fromkeys(found) if account != layout.deployment_account)


def settled(aws: AwsFactory, prepared, caller: str):
    """``prepared`` (pipeline.Prepared) with ``accounts: [environment]`` replaced by the
    environment's accounts, read now (unchanged in the single-account layout, where it says self)."""
    layout = prepared.organization
    check_caller(layout, caller)
    every = (*prepared.specs, *prepared.all_specs)
    if not layout.is_organization or not any(config.ENVIRONMENT_ACCOUNTS in spec.accounts for spec in every):
        return prepared
    accounts = environment_accounts(aws, layout, prepared.environment, every[0].administrator_region)
    return dataclasses.replace(
        prepared,
        specs=[config.settled_accounts(spec, accounts) for spec in prepared.specs],
        all_specs=tuple(config.settled_accounts(spec, accounts) for spec in prepared.all_specs),
    )

"""An account's organization, read from moto's Organizations backends: the management
account, the OUs (a root, OUs nested in OUs) and the accounts in each."""

from __future__ import annotations

from moto.organizations.models import OrganizationsBackend, organizations_backends


def organization_of(account: str) -> OrganizationsBackend | None:
    """The Organizations backend of ``account``'s organization (held by its management
    account), or None when the account is in no organization."""
    if account in organizations_backends.master_accounts:
        management, partition = organizations_backends.master_accounts[account]
        return organizations_backends[management][partition]
    if account in organizations_backends:
        own = organizations_backends[account]["aws"]
        return own if own.org is not None else None
    return None


def management_account(org: OrganizationsBackend) -> str:
    assert org.org is not None
    return org.org.master_account_id


def root_id(org: OrganizationsBackend) -> str:
    assert org.org is not None
    return org.org.root_id


def parents(org: OrganizationsBackend, account: str) -> list[str]:
    """The OU ``account`` is in, that OU's parent, and so on up to the root (empty when the
    account is not in this organization)."""
    found = next((a for a in org.accounts if a.id == account), None)
    chain: list[str] = []
    parent = found.parent_id if found is not None else None
    by_id = {ou.id: ou for ou in org.ou}
    while parent is not None and parent in by_id and parent not in chain:
        chain.append(parent)
        parent = by_id[parent].parent_id
    return chain


def is_unit(org: OrganizationsBackend, unit_id: str) -> bool:
    """``unit_id`` is the root or an OU of this organization."""
    return any(ou.id == unit_id for ou in org.ou)


def accounts_under(org: OrganizationsBackend, unit_id: str) -> list[str]:
    """Every account in the OU (or root) ``unit_id`` and in the OUs nested in it, the
    management account excepted: "StackSets doesn't deploy stack instances to the
    organization management account, even if the organization management account is in
    your organization or in an OU in your organization" (API_DeploymentTargets,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html)."""
    management = management_account(org)
    return [a.id for a in org.accounts if a.id != management and unit_id in parents(org, a.id)]

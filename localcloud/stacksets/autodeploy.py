"""Automatic deployment of service-managed StackSets, on Organizations' own calls.

"If set to true, StackSets automatically deploys additional stack instances to AWS
Organizations accounts that are added to a target organization or organizational unit (OU)
in the specified Regions. If an account is removed from a target organization or OU,
StackSets deletes stack instances from the account in the specified Regions."
RetainStacksOnAccountRemoval: "If set to true, stack resources are retained when an account
is removed from a target organization or OU" (API_AutoDeployment,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_AutoDeployment.html).

An account joins a target when CreateAccount places it (in the root) or MoveAccount moves
it under an OU (or root) a StackSet targets; it leaves when MoveAccount takes it out from
under every target OU or RemoveAccountFromOrganization removes it. Each change runs as one
StackSets operation per StackSet (CREATE or DELETE, with default preferences), visible in
ListStackSetOperations, queued behind a running one rather than refused. The Regions are
those the StackSet deploys the OU to (the targets CreateStackInstances gave). The
management account is never a target.
"""

from __future__ import annotations

from moto.cloudformation import models as cfn_models
from moto.organizations.models import OrganizationsBackend

from cfnops.awsfacts import statuses

from ..core.registry import document, patch, replace, unwrapped
from ..organizations import tree
from . import responses
from .models import StackSet
from .targets import Target


def _auto_deploying(management: str) -> list[StackSet]:
    backends = list(cfn_models.cloudformation_backends[management].values())
    return [
        stackset
        for backend in backends
        for stackset in responses.STACKSETS.of(backend).values()
        if stackset.auto_deploys() and stackset.status == statuses.StackSet.ACTIVE
    ]


def _regions(stackset: StackSet, chain: list[str]) -> dict[str, str]:
    """Region -> the nearest targeted OU (or root) in ``chain`` deploying there."""
    regions: dict[str, str] = {}
    for unit in chain:
        for region in sorted(stackset.targets.get(unit, ())):
            regions.setdefault(region, unit)
    return regions


def _follow_one(stackset: StackSet, account: str, before: dict[str, str], after: dict[str, str]) -> None:
    for region, unit in after.items():  # moved between targets: the instance stays, under its new OU
        existing = stackset.instances.get((account, region))
        if existing is not None:
            existing.unit = unit
    joined = {region: unit for region, unit in after.items() if (account, region) not in stackset.instances}
    for unit in sorted(set(joined.values())):
        regions = [region for region, u in joined.items() if u == unit]
        responses.add_instances(stackset, [Target(account, unit)], regions, {}, {}, None, automatic=True)
    left = [
        stackset.instances[(account, region)]
        for region in before
        if region not in after and (account, region) in stackset.instances
    ]
    if left:
        retain = bool(stackset.auto_deployment.get("RetainStacksOnAccountRemoval"))
        responses.remove_instances(stackset, left, retain, {}, None, automatic=True)


def follow(org: OrganizationsBackend, account: str, before: list[str]) -> None:
    """``account`` was under ``before`` (its parent chain) and is now where the
    organization has it: deploy or remove each auto-deploying StackSet's instances."""
    management = tree.management_account(org)
    if account == management:
        return
    after = tree.parents(org, account)
    with responses._lock:
        for stackset in _auto_deploying(management):
            _follow_one(stackset, account, _regions(stackset, before), _regions(stackset, after))


@patch(
    "service-managed StackSets deploy automatically to an account CreateAccount or MoveAccount puts under a "
    "target OU, and remove (or retain) its instances when MoveAccount or RemoveAccountFromOrganization takes it out"
)
def _auto_deployment() -> None:
    move, create = unwrapped(OrganizationsBackend, "move_account"), unwrapped(OrganizationsBackend, "create_account")
    remove = unwrapped(OrganizationsBackend, "remove_account_from_organization")

    def move_account(self, **kwargs):
        before = tree.parents(self, kwargs["AccountId"])
        move(self, **kwargs)
        follow(self, kwargs["AccountId"], before)

    def create_account(self, **kwargs):
        status = create(self, **kwargs)
        follow(self, status["CreateAccountStatus"]["AccountId"], [])
        return status

    def remove_account_from_organization(self, **kwargs):
        before = tree.parents(self, kwargs["AccountId"])
        remove(self, **kwargs)
        follow(self, kwargs["AccountId"], before)

    replace(OrganizationsBackend, "move_account", move_account)
    replace(OrganizationsBackend, "create_account", create_account)
    replace(OrganizationsBackend, "remove_account_from_organization", remove_account_from_organization)


__doc__ = document(__doc__, __name__)

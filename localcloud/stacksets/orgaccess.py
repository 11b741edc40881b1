"""CloudFormation's trusted access with AWS Organizations: ActivateOrganizationsAccess,
DeactivateOrganizationsAccess and DescribeOrganizationsAccess (moto has none of them).

"Activate trusted access with AWS Organizations. With trusted access between StackSets and
Organizations activated, the management account has permissions to create and manage
StackSets for your organization" (API_ActivateOrganizationsAccess,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ActivateOrganizationsAccess.html);
only the management account of an organization with all features activates it, which
creates StackSets' service-linked role there (organizations/access.py, roles.py).
DescribeOrganizationsAccess "can be called either by the management account or the
delegated administrator by using the CallAs parameter". Refusals are
InvalidOperationException, the error these APIs declare.
"""

from __future__ import annotations

from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.organizations.models import OrganizationsBackend

from ..core.registry import document, patch, replace
from ..core.responses import ApiError
from ..organizations import access, tree
from . import callas, roles


class InvalidOperation(ApiError):
    def __init__(self, message: str):
        super().__init__("InvalidOperationException", message)


def _managed_organization(account: str) -> OrganizationsBackend:
    org = tree.organization_of(account)
    if org is None:
        raise InvalidOperation(f"Account {account} is not in an organization")
    if tree.management_account(org) != account:
        raise InvalidOperation(
            "Only the management account of the organization can manage trusted access with AWS Organizations"
        )
    if not access.all_features(org):
        raise InvalidOperation(
            "Trusted access needs all features enabled in AWS Organizations (not consolidated billing only)"
        )
    return org


def activate_organizations_access(self: CloudFormationResponse) -> EmptyResult:
    org = _managed_organization(self.current_account)
    access.activate(org)
    roles.ensure_admin_role(self.current_account)
    return EmptyResult()


def deactivate_organizations_access(self: CloudFormationResponse) -> EmptyResult:
    access.deactivate(_managed_organization(self.current_account))
    return EmptyResult()


def describe_organizations_access(self: CloudFormationResponse) -> ActionResult:
    who = callas.caller(self.current_account, self._get_param("CallAs"))
    org = tree.organization_of(who.account)
    if org is None or (not who.delegated and tree.management_account(org) != who.account):
        raise InvalidOperation(callas.NOT_ADMINISTRATOR)
    return ActionResult({"Status": "ENABLED" if access.active(org) else "DISABLED"})


@patch("CloudFormation's Activate/Deactivate/DescribeOrganizationsAccess (trusted access for StackSets)")
def _organizations_access_api() -> None:
    for handler in (activate_organizations_access, deactivate_organizations_access, describe_organizations_access):
        replace(CloudFormationResponse, handler.__name__, handler)


__doc__ = document(__doc__, __name__)

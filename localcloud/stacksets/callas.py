"""Who a StackSet call acts as (``CallAs``), and whether it may operate a service-managed
StackSet, as CloudFormation decides it:

- ``SELF`` (the default): the signed-in account's own StackSets. The management account's
  include the service-managed ones: "StackSets with service-managed permissions are created
  in the management account, including StackSets that are created by delegated
  administrators" (CreateStackSet CallAs; stacksets-orgs-delegated-admin,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-delegated-admin.html).
- ``DELEGATED_ADMIN``: "Your Amazon Web Services account must be registered as a delegated
  admin in the management account" (otherwise ``ValidationError: Account used is not a
  delegated administrator``, https://github.com/hashicorp/terraform-provider-aws/pull/37069);
  the call then sees the management account's service-managed StackSets, and only those.
  ``CallAs`` is "Valid only if the permissions model is SERVICE_MANAGED".
- Operating a service-managed StackSet needs the management account (``SELF``) or a
  delegated administrator (``DELEGATED_ADMIN``): otherwise ``ValidationError: You must be the
  management account or delegated admin account of an organization before operating a
  SERVICE_MANAGED stack set`` (https://github.com/hashicorp/terraform-provider-aws/issues/32536);
  and trusted access: otherwise ``ValidationError: You must enable organizations access to
  operate a service managed stack set`` (https://github.com/pepperize/cdk-organizations/issues/1718).
"""

from __future__ import annotations

from dataclasses import dataclass

from moto.cloudformation.exceptions import ValidationError
from moto.organizations.models import OrganizationsBackend

from ..organizations import access, tree

SELF, DELEGATED_ADMIN = "SELF", "DELEGATED_ADMIN"
NOT_DELEGATED = "Account used is not a delegated administrator"
NOT_ADMINISTRATOR = (
    "You must be the management account or delegated admin account of an organization before operating a "
    "SERVICE_MANAGED stack set"
)
NOT_TRUSTED = "You must enable organizations access to operate a service managed stack set"


@dataclass(frozen=True)
class Caller:
    account: str  # the signed-in account
    home: str  # the account whose StackSets the call acts on
    delegated: bool  # CallAs=DELEGATED_ADMIN: service-managed StackSets only


def caller(account: str, call_as: str | None) -> Caller:
    call_as = call_as or SELF
    if call_as == SELF:
        return Caller(account, account, False)
    if call_as != DELEGATED_ADMIN:
        raise ValidationError(
            message=f"1 validation error detected: Value '{call_as}' at 'callAs' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{SELF}, {DELEGATED_ADMIN}]"
        )
    org = tree.organization_of(account)
    if org is None or not access.is_delegated_admin(org, account):
        raise ValidationError(message=NOT_DELEGATED)
    return Caller(account, tree.management_account(org), True)


def organization_operated(who: Caller) -> OrganizationsBackend:
    """The organization a service-managed StackSet call operates, once the caller may."""
    org = tree.organization_of(who.account)
    if org is None or (not who.delegated and tree.management_account(org) != who.account):
        raise ValidationError(message=NOT_ADMINISTRATOR)
    if not access.active(org):
        raise ValidationError(message=NOT_TRUSTED)
    return org


def refuse_self_managed(who: Caller) -> None:
    """CallAs=DELEGATED_ADMIN is "Valid only if the permissions model is SERVICE_MANAGED"."""
    if who.delegated:
        raise ValidationError(
            message="CallAs DELEGATED_ADMIN is valid only if the permissions model is SERVICE_MANAGED"
        )

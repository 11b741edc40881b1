"""StackSets' trusted access with AWS Organizations and its delegated administrators.

- Trusted access is CloudFormation's to activate (ActivateOrganizationsAccess), by the
  management account of an organization with all features: "Only an account administrator
  in the management account has permissions to activate trusted access"; "With only
  consolidated billing features enabled, you can't create a StackSet with service-managed
  permissions"; activating "allows CloudFormation to create a service-linked role in the
  management account" (stacksets-orgs-activate-trusted-access,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-activate-trusted-access.html).
  Enabling the service principal through Organizations alone does not activate it: the
  StackSet is still refused "You must enable organizations access to operate a service
  managed stack set" (https://github.com/pepperize/cdk-organizations/issues/1718).
- A delegated administrator is a member account registered for
  ``member.org.stacksets.cloudformation.amazonaws.com``; "Your organization can have up to
  five registered delegated administrators at one time" (stacksets-orgs-delegated-admin,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-delegated-admin.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from moto.organizations.exceptions import ConstraintViolationException
from moto.organizations.models import FakeDelegatedAdministrator, OrganizationsBackend

from ..core.registry import document, patch, replace, unwrapped
from ..core.state import State

PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
MOST_DELEGATED_ADMINS = 5  # "up to five registered delegated administrators at one time"


@dataclass
class TrustedAccess:
    active: bool = False


# on the management account's Organizations backend: whether StackSets' trusted access is active
TRUSTED: State[TrustedAccess] = State("stacksets_trusted_access", TrustedAccess)


def active(org: OrganizationsBackend) -> bool:
    return TRUSTED.of(org).active


def activate(org: OrganizationsBackend) -> None:
    org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    TRUSTED.of(org).active = True


def deactivate(org: OrganizationsBackend) -> None:
    org.disable_aws_service_access(ServicePrincipal=PRINCIPAL)
    TRUSTED.of(org).active = False


def all_features(org: OrganizationsBackend) -> bool:
    return org.org is not None and org.org.feature_set == "ALL"


def is_delegated_admin(org: OrganizationsBackend, account: str) -> bool:
    return any(admin.account.id == account and PRINCIPAL in admin.services for admin in org.admins)


@patch(
    "Organizations accepts StackSets' delegated administrator service principal "
    "(member.org.stacksets.cloudformation.amazonaws.com; moto's list lacks it), up to five of them"
)
def _stacksets_delegated_admin() -> None:
    # AWS services that you can use with AWS Organizations: CloudFormation StackSets supports
    # delegated administrators (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrated-services-list.html)
    replace(
        FakeDelegatedAdministrator,
        "SUPPORTED_SERVICES",
        [*FakeDelegatedAdministrator.SUPPORTED_SERVICES, PRINCIPAL],
    )
    register = unwrapped(OrganizationsBackend, "register_delegated_administrator")

    def register_delegated_administrator(self, **kwargs):
        # Organizations' ConstraintViolationException reason DELEGATED_ADMINISTRATOR_EXCEEDED (API_RegisterDelegatedAdministrator,
        # https://docs.aws.amazon.com/organizations/latest/APIReference/API_RegisterDelegatedAdministrator.html)
        registered = [admin for admin in self.admins if PRINCIPAL in admin.services]
        again = any(admin.account.id == kwargs.get("AccountId") for admin in registered)
        if kwargs.get("ServicePrincipal") == PRINCIPAL and len(registered) >= MOST_DELEGATED_ADMINS and not again:
            raise ConstraintViolationException(
                "You attempted to register more delegated administrators than allowed for the service principal."
            )
        register(self, **kwargs)

    replace(OrganizationsBackend, "register_delegated_administrator", register_delegated_administrator)


__doc__ = document(__doc__, __name__)

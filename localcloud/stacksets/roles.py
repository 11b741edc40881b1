"""The roles StackSets creates for service-managed permissions, as AWS documents them:

- in the management account, once trusted access is activated, the service-linked role
  ``AWSServiceRoleForCloudFormationStackSetsOrgAdmin`` with
  ``CloudFormationStackSetsOrgAdminServiceRolePolicy`` (organizations:List*/Describe*, and
  sts:AssumeRole on ``arn:aws:iam::*:role/stacksets-exec-*``;
  https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudFormationStackSetsOrgAdminServiceRolePolicy.html);
- in each target (member) account, when a StackSet first deploys there, "both the necessary
  service-linked role and a service role named ``stacksets-exec-*``"
  (stacksets-orgs-activate-trusted-access,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-activate-trusted-access.html):
  ``AWSServiceRoleForCloudFormationStackSetsOrgMember`` and ``stacksets-exec-<hash>``,
  trusting the management account's service-linked role, with ``AdministratorAccess``
  attached ("By default, StackSets with service-managed permissions creates an execution
  role named stacksets-exec-* in each target account. StackSets attaches the
  AdministratorAccess policy to this role", stacksets-custom-execution-role,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-custom-execution-role.html).

The instance's stack then runs as that role, checked like any execution role
(cloudformation/permissions.py). The hash in the name is localcloud's (AWS documents only
the ``stacksets-exec-*`` pattern): an MD5 of the management account, the same in every member.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, iam_backends

ADMIN_ROLE = "AWSServiceRoleForCloudFormationStackSetsOrgAdmin"
ADMIN_PATH = "/aws-service-role/stacksets.cloudformation.amazonaws.com/"
ADMIN_POLICY = "CloudFormationStackSetsOrgAdminServiceRolePolicy"
MEMBER_ROLE = "AWSServiceRoleForCloudFormationStackSetsOrgMember"
MEMBER_PATH = "/aws-service-role/member.org.stacksets.cloudformation.amazonaws.com/"
MEMBER_POLICY = "CloudFormationStackSetsOrgMemberServiceRolePolicy"
EXECUTION_POLICY = "AdministratorAccess"


@cache
def _managed_policy_data() -> dict:
    return json.loads(aws_managed_policies_data)


def _iam(account: str):
    return iam_backends[account]["aws"]


def _attach_aws_policy(account: str, role_name: str, policy_name: str) -> None:
    """Attach the AWS managed policy ``policy_name`` (as moto ships its document), loading
    just that one into the account (moto loads none unless told to load them all)."""
    iam = _iam(account)
    data = _managed_policy_data()[policy_name]
    arn = f"arn:aws:iam::aws:policy{data.get('Path', '/')}{policy_name}"
    if arn not in iam.managed_policies:
        iam.managed_policies[arn] = AWSManagedPolicy.from_data(policy_name, account, "us-east-1", data)
    iam.attach_role_policy(arn, role_name)


def _role(account: str, name: str):
    return next((role for role in _iam(account).roles.values() if role.name == name), None)


def _create_role(account: str, name: str, path: str, trusted: dict, description: str):
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": trusted, "Action": "sts:AssumeRole"}],
    }
    return _iam(account).create_role(
        role_name=name,
        assume_role_policy_document=json.dumps(trust),
        path=path,
        permissions_boundary=None,
        description=description,
        tags=[],
        max_session_duration="3600",
    )


def admin_role_arn(management: str) -> str:
    return f"arn:aws:iam::{management}:role{ADMIN_PATH}{ADMIN_ROLE}"


def ensure_admin_role(management: str) -> str:
    """The management account's service-linked role (created when trusted access is activated)."""
    if _role(management, ADMIN_ROLE) is None:
        _create_role(
            management,
            ADMIN_ROLE,
            ADMIN_PATH,
            {"Service": "stacksets.cloudformation.amazonaws.com"},
            "Service linked role for CloudFormation StackSets (Organization Admin)",
        )
        _attach_aws_policy(management, ADMIN_ROLE, ADMIN_POLICY)
    return admin_role_arn(management)


def execution_role_name(management: str) -> str:
    return f"stacksets-exec-{hashlib.md5(management.encode()).hexdigest()}"


def ensure_member_roles(member: str, management: str) -> str:
    """The member account's service-linked role and ``stacksets-exec-*`` role (made the first
    time a StackSet deploys there; left as they are afterwards, as StackSets leaves them)."""
    if _role(member, MEMBER_ROLE) is None:
        _create_role(
            member,
            MEMBER_ROLE,
            MEMBER_PATH,
            {"Service": "member.org.stacksets.cloudformation.amazonaws.com"},
            "Service linked role for CloudFormation StackSets (Organization Member)",
        )
        _attach_aws_policy(member, MEMBER_ROLE, MEMBER_POLICY)
    name = execution_role_name(management)
    if _role(member, name) is None:
        _create_role(member, name, "/", {"AWS": admin_role_arn(management)}, "")
        _attach_aws_policy(member, name, EXECUTION_POLICY)
    return name


def _template(body: str) -> dict:
    import yaml
    from moto.cloudformation.utils import yaml_tag_constructor

    try:
        return json.loads(body)
    except ValueError:
        yaml.add_multi_constructor("", yaml_tag_constructor)
        return yaml.load(body, Loader=yaml.Loader) or {}


def unsupported(body: str) -> str:
    """What the default execution role cannot provision: "You can't provision nested stacks,
    transforms, or macros with the default execution role" (stacksets-custom-execution-role)."""
    template = _template(body)
    if template.get("Transform"):
        return "transforms or macros (Transform)"
    nested = [
        k for k, r in (template.get("Resources") or {}).items() if (r or {}).get("Type") == "AWS::CloudFormation::Stack"
    ]
    return f"nested stacks ({', '.join(nested)})" if nested else ""


class DefaultRoleRefused(Exception):
    def __init__(self, what: str):
        self.message = (
            f"StackSets with service-managed permissions can't provision {what} with the default execution role "
            "stacksets-exec-*"
        )
        super().__init__(self.message)


def prepare_member(management: str, member: str, body: str) -> str:
    """Before a service-managed instance's stack runs in ``member``: StackSets' roles there
    (made on first use) and what the default role refuses. Returns the execution role's name."""
    what = unsupported(body)
    if what:
        raise DefaultRoleRefused(what)
    return ensure_member_roles(member, management)

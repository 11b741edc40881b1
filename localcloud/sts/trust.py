"""AssumeRole as IAM decides it: the role must exist and its trust policy must let the
caller's principal assume it; otherwise ``AccessDenied: User: <caller> is not authorized to
perform: sts:AssumeRole on resource: <role>`` (moto hands out credentials for any ARN, so a
cross-account read through a member's role would pass offline whatever its trust).

"To assume a role ... the role's trust policy must allow the principal" (IAM User Guide,
Methods to assume a role, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html).
The caller is the IAM role behind an assumed-role session, or the account's user otherwise;
a trust policy naming the caller's account (``:root``) is enough here: localcloud evaluates
no identity policies of callers outside CloudFormation. ``LOCALCLOUD_PERMISSIONS=off``
switches the check off with the others.
"""

from __future__ import annotations

from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError
from moto.sts.responses import TokenResponse

from cfnops.awsfacts import policy_eval

from ..cloudformation import permissions
from ..core.registry import document, patch, replace, unwrapped


class AccessDenied(STSClientError):
    def __init__(self, caller: str, role_arn: str):
        super().__init__(
            "AccessDenied", f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )


def _principal(session_arn: str) -> str:
    """The IAM principal behind a caller ARN (an assumed-role session is its role's)."""
    parts = session_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("assumed-role/"):
        return session_arn.replace(":sts::", ":iam::", 1)
    account, name = parts[4], parts[5].split("/")[1]
    role = next((r for r in iam_backends[account]["aws"].roles.values() if r.name == name), None)
    return role.arn if role is not None else f"arn:aws:iam::{account}:role/{name}"


def refuse_untrusted(caller: str, role_arn: str) -> None:
    parts = role_arn.split(":")
    account, name = (parts[4], parts[5].rsplit("/", 1)[-1]) if len(parts) >= 6 else ("", "")
    role = next((r for r in iam_backends[account]["aws"].roles.values() if r.name == name), None) if account else None
    if (
        role is None
        or not policy_eval.trust(permissions._document(role.assume_role_policy_document), _principal(caller)).allowed
    ):
        raise AccessDenied(caller, role_arn)


@patch("AssumeRole checks the role's trust policy against the caller (moto trusts everyone)")
def _assume_role_trust() -> None:
    original = unwrapped(TokenResponse, "assume_role")

    def assume_role(self):
        if permissions.enabled():
            _, caller, _ = self.backend.get_caller_identity(self.get_access_key(), self.region)
            refuse_untrusted(caller, self._get_param("RoleArn"))
        return original(self)

    replace(TokenResponse, "assume_role", assume_role)


__doc__ = document(__doc__, __name__)

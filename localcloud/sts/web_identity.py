"""AssumeRoleWithWebIdentity as IAM decides it: the token's issuer (``iss``) must be an OIDC
provider of the role's account, and the role's trust policy must allow that provider
(``Principal.Federated``) with its conditions on the token's claims (``<issuer>:aud``,
``<issuer>:sub``) holding; otherwise ``AccessDenied: Not authorized to perform
sts:AssumeRoleWithWebIdentity`` (moto hands out credentials for any token). Offline the token
is read, not verified: its payload (a JWT's second part) names the claims
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
``LOCALCLOUD_PERMISSIONS=off`` switches the check off with the others.
"""

from __future__ import annotations

import base64
import binascii
import json

from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError
from moto.sts.responses import TokenResponse

from cfnops.awsfacts import policy_eval

from ..cloudformation import permissions
from ..core.registry import document, patch, replace, unwrapped

ACTION = "sts:AssumeRoleWithWebIdentity"


class NotAuthorized(STSClientError):
    def __init__(self) -> None:
        super().__init__("AccessDenied", f"Not authorized to perform {ACTION}")


def claims(token: str) -> dict:
    """The claims of a JWT's payload; {} when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        found = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _federated(statement: dict) -> list:
    principal = statement.get("Principal") or {}
    value = principal.get("Federated", []) if isinstance(principal, dict) else []
    return value if isinstance(value, list) else [value]


def allowed(trust: dict, provider_arn: str, issuer: str, token_claims: dict) -> bool:
    """Does ``trust`` let a token of ``provider_arn`` with these claims assume the role?"""
    context = {f"{issuer}:{key}": value for key, value in token_claims.items() if isinstance(value, str)}
    statements = trust.get("Statement", [])
    matching = [
        {key: value for key, value in s.items() if key != "Principal"} | {"Resource": "*"}
        for s in (statements if isinstance(statements, list) else [statements])
        if provider_arn in _federated(s)
    ]
    document_ = {"Version": "2012-10-17", "Statement": matching}
    return bool(matching) and policy_eval.evaluate([document_], ACTION, None, context).allowed


def refuse_unless_trusted(role_arn: str, token: str) -> None:
    token_claims = claims(token)
    issuer = str(token_claims.get("iss", "")).removeprefix("https://")
    parts = role_arn.split(":")
    account, name = (parts[4], parts[5].rsplit("/", 1)[-1]) if len(parts) >= 6 else ("", "")
    backend = iam_backends[account]["aws"] if account else None
    provider_arn = f"arn:aws:iam::{account}:oidc-provider/{issuer}"
    role = next((r for r in backend.roles.values() if r.name == name), None) if backend else None
    if (
        backend is None
        or role is None
        or not issuer
        or provider_arn not in backend.open_id_providers
        or not allowed(permissions._document(role.assume_role_policy_document), provider_arn, issuer, token_claims)
    ):
        raise NotAuthorized()


@patch("AssumeRoleWithWebIdentity checks the token's provider and the role's trust policy (moto trusts any token)")
def _web_identity_trust() -> None:
    original = unwrapped(TokenResponse, "assume_role_with_web_identity")

    def assume_role_with_web_identity(self):
        if permissions.enabled():
            refuse_unless_trusted(self._get_param("RoleArn"), self._get_param("WebIdentityToken") or "")
        return original(self)

    replace(TokenResponse, "assume_role_with_web_identity", assume_role_with_web_identity)


__doc__ = document(__doc__, __name__)

"""What ``aws:PrincipalArn`` is for the caller GetCallerIdentity names
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn):
for a role session, the ARN of the role, not of the session; for an IAM user, the root user
and a federated user, their own ARN.

STS's session ARN (``arn:aws:sts::<account>:assumed-role/<role>/<session>``) leaves out the
role's path, which the role's ARN keeps (``role/<path>/<role>``: IAM Identity Center's roles
live under ``/aws-reserved/sso.amazonaws.com/…``). Role names are unique in an account
whatever their path, so ``role/<role>`` and ``role/*/<role>`` name that role and no other.
"""

from __future__ import annotations

import re

SESSION = re.compile(r"^arn:(?P<partition>aws[a-z-]*):sts::(?P<account>[0-9]{12}):assumed-role/(?P<role>[^/]+)/[^/]+$")
OWN_ARN = re.compile(r"^arn:aws[a-z-]*:(iam::[0-9]{12}:(root|user/.+)|sts::[0-9]{12}:federated-user/.+)$")


def patterns(caller_arn: str) -> tuple[str, ...]:
    """ArnLike patterns matching exactly the ``aws:PrincipalArn`` of ``caller_arn``'s requests."""
    session = SESSION.match(caller_arn)
    if session:
        role = f"arn:{session['partition']}:iam::{session['account']}:role"
        return f"{role}/{session['role']}", f"{role}/*/{session['role']}"
    if OWN_ARN.match(caller_arn):
        return (caller_arn,)
    raise ValueError(f"not a caller ARN GetCallerIdentity gives: {caller_arn!r}")

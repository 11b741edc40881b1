"""GetCallerIdentity for credentials moto did not issue (the tests', the demo's): moto answered
``arn:aws:sts::<account>:user/moto``, an ARN STS never gives (an IAM user's is
``arn:aws:iam::<account>:user/<name>``,
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html); localcloud
answers as for the IAM user ``moto``, so what cfnops derives from its caller (the artifacts
bucket's writers) is what it would derive on AWS.
"""

from __future__ import annotations

from ..core.registry import document, patch, replace


@patch(
    "GetCallerIdentity for credentials moto did not issue answers an IAM user's ARN (moto: sts::<account>:user/moto)"
)
def _caller_is_an_iam_user() -> None:
    from moto.sts.models import STSBackend

    original = STSBackend.get_caller_identity

    def get_caller_identity(self, access_key_id: str, region: str) -> tuple[str, str, str]:
        user_id, arn, account = original(self, access_key_id, region)
        prefix = f":sts::{account}:user/"
        return user_id, arn.replace(prefix, f":iam::{account}:user/", 1) if prefix in arn else arn, account

    replace(STSBackend, "get_caller_identity", get_caller_identity)


__doc__ = document(__doc__, __name__)

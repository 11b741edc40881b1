"""The IAM action an API call needs, where it is not the service prefix and the operation's
own name (``cloudformation:UpdateStackSet``), and the calls that need none:

- S3's HeadBucket needs ``s3:ListBucket``
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html, "Permissions");
  HeadObject needs ``s3:GetObject`` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html);
- STS's GetCallerIdentity needs no permission
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

OTHER_ACTION: Mapping[tuple[str, str], str] = MappingProxyType(
    {("s3", "HeadBucket"): "s3:ListBucket", ("s3", "HeadObject"): "s3:GetObject"}
)
NO_PERMISSION = frozenset({("sts", "GetCallerIdentity")})


def action(service: str, operation: str) -> str | None:
    """The IAM action calling ``operation`` of ``service`` (its IAM prefix) needs; None: none."""
    if (service, operation) in NO_PERMISSION:
        return None
    return OTHER_ACTION.get((service, operation), f"{service}:{operation}")

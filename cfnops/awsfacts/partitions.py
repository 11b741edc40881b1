"""Which AWS partition a region belongs to (the ``aws`` in an ARN): China and GovCloud
regions have their own (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)."""

from __future__ import annotations

PREFIXES = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"))


def partition(region: str) -> str:
    return next((name for prefix, name in PREFIXES if region.startswith(prefix)), "aws")

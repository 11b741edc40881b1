"""IAM's quotas, and how IAM measures a policy against them.

Source: IAM User Guide, "IAM and AWS STS quotas" (checked 2026-11-22). Name lengths are
also in botocore's IAM model (roleNameType max 64, policyNameType max 128).
"""

from __future__ import annotations

import json
import re

INLINE_POLICIES_PER_ROLE = 10_240  # characters, all inline policies of one role together
MANAGED_POLICY = 6_144  # characters, one customer managed policy
MANAGED_POLICIES_PER_ROLE = 10  # attached managed policies (default quota)
ROLE_NAME = 64
POLICY_NAME = 128
TRUST_POLICY = 2_048  # role trust policy (default quota)

# The longest values IAM could see for what a template leaves to deploy time: policies are
# measured with them, so a policy that fits here fits in every account and region.
LONGEST_PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws-us-gov",
    "AWS::AccountId": "123456789012",
    "AWS::Region": "ap-southeast-2",
    "AWS::StackName": "StackSet-" + "x" * 60,
}

_WHITESPACE = re.compile(r"\s")


def policy_size(document: dict) -> int:
    """Characters IAM counts: the JSON of the document without any whitespace."""
    return len(_WHITESPACE.sub("", json.dumps(document, separators=(",", ":"), ensure_ascii=False)))

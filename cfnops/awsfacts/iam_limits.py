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

_WHITESPACE = re.compile(r"\s")


def policy_size(document: dict) -> int:
    """Characters IAM counts: the JSON of the document without any whitespace."""
    return len(_WHITESPACE.sub("", json.dumps(document, separators=(",", ":"), ensure_ascii=False)))

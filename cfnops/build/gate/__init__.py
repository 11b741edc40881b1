"""The account-level gate: what AWS would refuse only when the templates meet in one
account, checked on the rendered templates before any AWS call (``make lint``,
``deploy``, ``bootstrap``). Findings exit 4 like any lint finding.

- ``iam``: IAM's size and name limits, action names IAM knows, the execution role
  covering every handler permission, and roles that the execution role may create;
- ``trust``: workload roles trusted only by the services the execution roles may pass them to;
- ``names``: two resources with the same physical name in one account and region;
- ``quotas``: CloudFormation's template limits;
- ``residency``: no route, peering, rule, import or replication out of a residency zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ...inputs.platform import AWS_EXECUTION_ROLE
from ..findings import Finding
from . import iam, names, quotas, residency


@dataclass(frozen=True)
class Scope:
    """Where the templates go: every environment shares one account and every region."""

    environments: Sequence[str]
    regions: Sequence[str]
    bootstrap: str  # the template whose stack holds the StackSet roles
    display: Callable[[str], str]  # template name -> the file name findings show
    residency: Mapping[str, Sequence[str]] = field(default_factory=dict)  # the platform's zones
    execution_roles: Mapping[str, str] = field(default_factory=dict)  # environment -> its execution role's name
    artifacts_bucket: str = ""  # the platform's artifacts bucket name pattern: a large bootstrap is staged in it

    def execution_role(self, environment: str) -> str:
        return self.execution_roles.get(environment, AWS_EXECUTION_ROLE)


def check(templates: Mapping[str, dict], scope: Scope) -> list[Finding]:
    texts_findings = quotas.check(templates, scope)
    return sorted(
        texts_findings + iam.check(templates, scope) + names.check(templates, scope) + residency.check(templates, scope)
    )

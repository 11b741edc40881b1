"""The StackSet execution role's permissions, derived from the templates it deploys.

Actions: every handler permission of every resource type in the workload templates
(``cfnops.awsfacts.execution_actions``), nothing typed by hand. Resources and
conditions close the path from "may deploy" to "may mint an administrator":

- IAM write and read actions only on roles, policies, users and groups named by our
  pattern (``{env}-{region}-{kind}-...``); service-linked roles only under AWS's path;
- creating or changing a role (or attaching to it) only with ``iam:PermissionsBoundary``
  equal to the workload boundary, wherever IAM supports that condition key;
- ``iam:PassRole`` only to the services our roles trust (``iam:PassedToService``);
- explicit Deny: removing a role's boundary, and changing or deleting the boundary;
- Secrets Manager only on this account's secrets.

The boundary itself allows exactly the actions our workload roles' own policies use.
Statements are packed into customer managed policies under IAM's size limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from awacs.aws import Action, Condition, Deny, Statement, StringEquals
from troposphere import Sub, encode_to_dict

from cfnops.awsfacts import iam_catalog, iam_limits, intrinsics, template_iam
from cfnops.awsfacts.execution_actions import Derivation, derive

from . import policies
from .conventions import ENVIRONMENTS, PERMISSIONS_BOUNDARY, name_globs, permissions_boundary_arn

ACCOUNT_ARN = "arn:${AWS::Partition}:iam::${AWS::AccountId}:"
SERVICE_LINKED_ROLES = ACCOUNT_ARN + "role/aws-service-role/*"
SECRETS = "arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:*"
BOUNDARY_CONDITION_KEY = "iam:PermissionsBoundary"
READS = ("Read", "List")  # IAM's access levels that change nothing
# Never allowed, though the IAM::Role handlers list it: a role must keep its boundary.
DENIED_ACTIONS = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
BOUNDARY_CHANGES = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)
SIZING_REFS = {**iam_limits.LONGEST_PSEUDO_PARAMETERS, "Environment": max(ENVIRONMENTS, key=len)}
POLICY_BUDGET = iam_limits.MANAGED_POLICY - 64  # room for Version and the statement list itself


@dataclass(frozen=True)
class ExecutionPermissions:
    derivation: Derivation
    documents: tuple  # awacs PolicyDocuments, one customer managed policy each
    boundary: object  # awacs PolicyDocument


def _action(name: str) -> Action:
    # derived at render time from the registry schemas' handler permissions (data, not spelled
    # here), so awacs' per-service constants do not apply: Action(service, name) is the way
    service, _, action = name.partition(":")
    return Action(service, action)


def _iam_resources(action: str) -> tuple[str, ...]:
    """Our names for each kind of IAM resource the action takes; "*" when it takes none."""
    if "ServiceLinkedRole" in action:
        return (SERVICE_LINKED_ROLES,)
    kinds = sorted({arn.split(":", 5)[5].split("/")[0] for arn in iam_catalog.resource_arns(action)})
    if not kinds:
        return ("*",)
    return tuple(ACCOUNT_ARN + f"{kind}/{glob}" for kind in kinds for glob in name_globs(kind))


def _changes_a_role_under_the_boundary(action: str) -> bool:
    """Write actions that IAM lists with iam:PermissionsBoundary. Reads (GetRole) stay outside the
    condition: for a role that does not exist yet the key is absent from the request context, so a
    handler's pre-existence GetRole would get AccessDenied instead of NoSuchEntity
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html)."""
    found = iam_catalog.entry(action) or {}
    return BOUNDARY_CONDITION_KEY in iam_catalog.condition_keys(action) and found.get("accessLevel") not in READS


def _scope(action: str, passed_to: tuple[str, ...]) -> tuple[tuple[str, ...], tuple]:
    """(resources, condition) for one action; the condition is a hashable tuple."""
    service = action.split(":")[0]
    if service == "iam":
        if action == "iam:PassRole":
            return _iam_resources(action), (("StringEquals", "iam:PassedToService", passed_to),)
        if _changes_a_role_under_the_boundary(action):
            return _iam_resources(action), (("StringEquals", BOUNDARY_CONDITION_KEY, "boundary"),)
        return _iam_resources(action), ()
    if service == "secretsmanager" and iam_catalog.resource_arns(action):
        return (SECRETS,), ()
    return ("*",), ()


def _condition(spec: tuple):
    if not spec:
        return None
    ((_, key, value),) = spec
    value = permissions_boundary_arn() if value == "boundary" else list(value)
    return Condition(StringEquals(key, value))


def _statement(actions: list[str], resources: tuple[str, ...], condition: tuple) -> Statement:
    kwargs = {}
    if _condition(condition) is not None:
        kwargs["Condition"] = _condition(condition)
    return policies.allow([_action(a) for a in actions], [r if r == "*" else Sub(r) for r in resources], **kwargs)


def allow_statements(actions: tuple[str, ...], passed_to: tuple[str, ...]) -> list[Statement]:
    groups: dict[tuple, list[str]] = {}
    for action in actions:
        if action not in DENIED_ACTIONS:
            groups.setdefault(_scope(action, passed_to), []).append(action)
    return [
        _statement(sorted(acts), resources, condition)
        for (resources, condition), acts in sorted(groups.items(), key=lambda item: (item[0][0], item[1][0]))
    ]


def deny_statements() -> list[Statement]:
    return [
        Statement(
            Sid="RolesKeepTheirBoundary", Effect=Deny, Action=[_action(a) for a in DENIED_ACTIONS], Resource=["*"]
        ),
        Statement(
            Sid="BoundaryIsFixed",
            Effect=Deny,
            Action=[_action(a) for a in BOUNDARY_CHANGES],
            Resource=[Sub(ACCOUNT_ARN + f"policy/{PERMISSIONS_BOUNDARY}")],
        ),
    ]


def size(document_or_statement) -> int:
    """Characters IAM counts, with deploy-time values at their longest."""
    resolved = intrinsics.Resolver(SIZING_REFS)(encode_to_dict(document_or_statement))
    return iam_limits.policy_size(resolved)


def _split(statement: Statement) -> list[Statement]:
    """A statement too large for one policy, halved by actions until each part fits."""
    if size(statement) <= POLICY_BUDGET:
        return [statement]
    actions = statement.Action
    half = len(actions) // 2
    parts = []
    for chunk in (actions[:half], actions[half:]):
        part = Statement(**{**statement.properties, "Action": chunk})
        parts += _split(part)
    return parts


def pack(statements: list[Statement]) -> tuple:
    """First-fit into as few managed policies as IAM's size limit allows, in order."""
    bins: list[list[Statement]] = []
    sizes: list[int] = []
    for statement in (part for s in statements for part in _split(s)):
        cost = size(statement) + 1
        for index, used in enumerate(sizes):
            if used + cost <= POLICY_BUDGET:
                bins[index].append(statement)
                sizes[index] += cost
                break
        else:
            bins.append([statement])
            sizes.append(cost)
    return tuple(policies.document(*b) for b in bins)


def boundary_document(templates: Mapping[str, dict]):
    actions = template_iam.allowed_actions(templates)
    return policies.document(
        Statement(Sid="WorkloadActions", Effect="Allow", Action=[_action(a) for a in actions], Resource=["*"])
    )


def execution_permissions(templates: Mapping[str, dict]) -> ExecutionPermissions:
    derivation = derive(templates.values())
    statements = allow_statements(derivation.actions, template_iam.trusted_services(templates)) + deny_statements()
    return ExecutionPermissions(derivation, pack(statements), boundary_document(templates))


def as_json(document) -> str:
    return json.dumps(encode_to_dict(document), sort_keys=True)

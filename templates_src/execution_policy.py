"""The StackSet execution roles' permissions, derived from the templates they deploy.

Actions: every handler permission of every resource type in the workload templates
(``cfnops.awsfacts.execution_actions``), nothing typed by hand; permissions a handler calls
only for properties our templates never set are withheld (IAM groups and users, cross-account
peering's AssumeRole). One set of policies serves every environment's execution role:
resources name the caller's environment through IAM's policy variable
``${aws:PrincipalTag/Environment}`` (each execution role carries its environment as a tag,
and its trust allows no session tags), so dev's role reaches dev's names only:

- IAM write and read actions only on roles and policies named by the environment's pattern
  (``{env}-{region}-{kind}-...``);
- creating or changing a role (or attaching to it) only with ``iam:PermissionsBoundary``
  equal to the caller's environment's workload boundary, wherever IAM supports that key;
- ``iam:PassRole`` only to the services our roles trust (``iam:PassedToService``);
- service-linked roles only for the services our types need (``iam:AWSServiceName``);
- data and resource-policy actions only on the environment's names where IAM's catalogue
  gives the resource's ARN format and our templates name the resource (``SCOPED``), keys
  only when tagged with the environment;
- explicit Deny: removing a role's boundary, changing a boundary, anything on a resource
  tagged with another environment, and anything on the audit trail, its bucket and key, and
  the artifacts bucket and key.

Each environment's boundary allows exactly the actions our workload roles' own policies use,
and denies every action on the other environments' names (``SCOPED``) and tagged resources.
Statements are packed into customer managed policies under IAM's size limit.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from awacs.aws import (
    Action,
    ArnLike,
    ArnLikeIfExists,
    Condition,
    Deny,
    ForAnyValueStringLike,
    Null,
    Statement,
    StringEquals,
    StringLike,
    StringNotEquals,
)
from troposphere import Sub, encode_to_dict

from cfnops.awsfacts import aws_managed_keys, iam_catalog, iam_limits, intrinsics, service_linked_roles, template_iam
from cfnops.awsfacts.execution_actions import Derivation, derive

from . import policies
from .components.audit import TRAIL_NAME
from .conventions import (
    ANY_PERMISSIONS_BOUNDARY,
    ENVIRONMENT,
    ENVIRONMENTS,
    PRINCIPAL_ENVIRONMENT,
    name_glob,
    permissions_boundary_arn,
)

ACCOUNT_ARN = "arn:${AWS::Partition}:iam::${AWS::AccountId}:"
SERVICE_LINKED_ROLES = ACCOUNT_ARN + "role/aws-service-role/*"
BOUNDARY_CONDITION_KEY = "iam:PermissionsBoundary"
SERVICE_NAME_KEY = "iam:AWSServiceName"
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
# Our names, per resource type of IAM's catalogue ((service, type) -> globs of the part the
# ARN format names first), with the caller's environment in front; a test checks every
# resource of these types in every template and environment matches. A type mapped to ()
# is one our templates never create: the role may touch none of them.
ENV = PRINCIPAL_ENVIRONMENT
SCOPED: Mapping[tuple[str, str], tuple[str | tuple[str, ...], ...]] = {
    ("lambda", "function"): (f"{ENV}-*",),
    ("lambda", "function alias"): (f"{ENV}-*",),  # function:<name>:<alias>
    ("lambda", "function version"): (f"{ENV}-*",),  # function:<name>:<version>
    ("dynamodb", "table"): (f"{ENV}-*",),
    ("dynamodb", "index"): (f"{ENV}-*",),
    ("dynamodb", "stream"): (f"{ENV}-*",),
    ("s3", "bucket"): (f"{ENV}-*",),
    ("s3", "object"): (f"{ENV}-*",),
    ("s3", "accesspoint"): (),
    ("s3", "accesspointobject"): (),
    ("secretsmanager", "secret"): (f"{ENV}/*",),
    ("sns", "topic"): (f"{ENV}-*",),
    ("sqs", "queue"): (f"{ENV}-*",),
    ("kinesis", "stream"): (f"{ENV}-*",),
    ("logs", "log-group"): (f"/{ENV}/*", f"/aws/*/{ENV}-*", f"aws-waf-logs-{ENV}-*"),
    ("cloudwatch", "alarm"): (f"{ENV}-*",),
    ("cloudwatch", "dashboard"): (f"{ENV}-*",),
    ("events", "event-bus"): (f"{ENV}-*",),
    ("scheduler", "schedule"): (("*", f"{ENV}-*"),),  # any group, our names in it
    ("ssm", "parameter"): (f"{ENV}-*",),  # arn:…:parameter/<name without its leading slash>
}
# Keys have ids, not names: key actions (but creating one) only on keys tagged with the
# caller's environment; bootstrap's own keys are denied by their aliases below.
TAGGED = {("kms", "key")}
FUNCTION_ARN_KEY = "lambda:FunctionArn"
OUR_FUNCTIONS = f"arn:${{AWS::Partition}}:lambda:*:${{AWS::AccountId}}:function:{ENV}-*"
CONDITIONS: Mapping[str, type[StringEquals] | type[ArnLike] | type[ArnLikeIfExists]] = {
    "StringEquals": StringEquals,
    "ArnLike": ArnLike,
    "ArnLikeIfExists": ArnLikeIfExists,
}
RESOURCE_TAG_KEY = f"aws:ResourceTag/{ENVIRONMENT}"
TAG_CONDITION = "aws:ResourceTag/${TagKey}"  # how the catalogue lists a type's tag condition
_OWN_PART = re.compile(r"\$\{(?!AWS::)[^}]+\}")  # a resource's own part of an ARN format
PROTECTED_ALIASES = ("alias/*-cfnops-audit-trail", "alias/*-cfnops-artifacts")
PROTECTED_RESOURCES = (  # bootstrap's audit trail and artifacts: never the execution role's
    f"arn:${{AWS::Partition}}:cloudtrail:*:${{AWS::AccountId}}:trail/{TRAIL_NAME}",
    "arn:${AWS::Partition}:s3:::cfnops-audit-trail-${AWS::AccountId}-*",
    "arn:${AWS::Partition}:s3:::cfnops-artifacts-${AWS::AccountId}-*",
)
SIZING_REFS = {**iam_limits.LONGEST_PSEUDO_PARAMETERS}
POLICY_BUDGET = iam_limits.MANAGED_POLICY - 64  # room for Version and the statement list itself


@dataclass(frozen=True)
class ExecutionPermissions:
    derivation: Derivation
    documents: tuple  # awacs PolicyDocuments, one customer managed policy each
    boundaries: Mapping[str, object]  # environment -> its workload boundary (an awacs PolicyDocument)


def _action(name: str) -> Action:
    # derived at render time from the registry schemas' handler permissions (data, not spelled
    # here), so awacs' per-service constants do not apply: Action(service, name) is the way
    service, _, action = name.partition(":")
    return Action(service, action)


def _iam_resources(action: str) -> tuple[str, ...]:
    """The environment's names for each kind of IAM resource the action takes; "*" when it takes none."""
    if "ServiceLinkedRole" in action:
        return (SERVICE_LINKED_ROLES,)
    kinds = sorted({arn.split(":", 5)[5].split("/")[0] for arn in iam_catalog.resource_arns(action)})
    if not kinds:
        return ("*",)
    return tuple(ACCOUNT_ARN + f"{kind}/{name_glob(kind)}" for kind in kinds)


def _changes_a_role_under_the_boundary(action: str) -> bool:
    """Write actions that IAM lists with iam:PermissionsBoundary. Reads (GetRole) stay outside the
    condition: for a role that does not exist yet the key is absent from the request context, so a
    handler's pre-existence GetRole would get AccessDenied instead of NoSuchEntity
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html)."""
    found = iam_catalog.entry(action) or {}
    return BOUNDARY_CONDITION_KEY in iam_catalog.condition_keys(action) and found.get("accessLevel") not in READS


def _arn(format_: str, parts: tuple[str, ...]) -> str:
    """A catalogue ARN format with our account, any region, and ``parts`` for the resource's own
    parts in order (``*`` for any not given): ``arn:${Partition}:sns:${Region}:${Account}:${TopicName}``."""
    arn = (
        format_.replace("${Partition}", "${AWS::Partition}")
        .replace("${Region}", "*")
        .replace("${Account}", "${AWS::AccountId}")
    )
    given = iter(parts)
    return _OWN_PART.sub(lambda _: next(given, "*"), arn)


def _types(action: str) -> list[tuple[str, str]]:
    service = iam_catalog.split(action)[0]
    return [(service, r["name"].lower()) for r in (iam_catalog.entry(action) or {}).get("resourceTypes", ())]


def _named_resources(action: str) -> tuple[str, ...] | None:
    """Our names for the service's named types, when every resource type the action takes is
    one of them (None otherwise). One list per service keeps the policies small: an ARN of a
    type the action does not take never matches its request."""
    types = _types(action)
    if not types or any(t not in SCOPED for t in types):
        return None
    service = types[0][0]
    arns = {
        _arn(arn_format, _parts(glob))
        for (owner, kind), globs in SCOPED.items()
        if owner == service and (arn_format := iam_catalog.resource_type(owner, kind))
        for glob in globs
    }
    return tuple(sorted(arn for arn in arns if not _covered(arn, arns)))


def _parts(glob: str | tuple[str, ...]) -> tuple[str, ...]:
    return (glob,) if isinstance(glob, str) else glob


def _tagged(action: str) -> bool:
    types = _types(action)
    return bool(types) and all(t in TAGGED for t in types) and TAG_CONDITION in iam_catalog.condition_keys(action)


def _scope(action: str, passed_to: tuple[str, ...], linked: tuple[str, ...]) -> tuple[tuple[str, ...], tuple]:
    """(resources, condition) for one action; the condition is a hashable tuple."""
    if iam_catalog.split(action)[0] == "iam":
        if action == "iam:PassRole":
            return _iam_resources(action), (("StringEquals", "iam:PassedToService", passed_to),)
        if action == "iam:CreateServiceLinkedRole":
            return _iam_resources(action), (("StringEquals", SERVICE_NAME_KEY, linked),)
        if _changes_a_role_under_the_boundary(action):
            return _iam_resources(action), (("StringEquals", BOUNDARY_CONDITION_KEY, "boundary"),)
        return _iam_resources(action), ()
    named = _named_resources(action)
    if named is not None:
        return named, ()
    if FUNCTION_ARN_KEY in iam_catalog.condition_keys(action):  # event-source mappings: by the function they feed
        operator = "ArnLike" if not iam_catalog.resource_arns(action) else "ArnLikeIfExists"
        return ("*",), ((operator, FUNCTION_ARN_KEY, "function"),)
    if _tagged(action):
        return ("*",), (("StringEquals", RESOURCE_TAG_KEY, "environment"),)
    return ("*",), ()


def _condition(spec: tuple):
    if not spec:
        return None
    ((operator, key, value),) = spec
    if value == "boundary":
        value = permissions_boundary_arn(PRINCIPAL_ENVIRONMENT)
    elif value == "environment":
        value = PRINCIPAL_ENVIRONMENT.replace("${!", "${")  # outside Fn::Sub, IAM's variable as written
    elif value == "function":
        value = Sub(OUR_FUNCTIONS)
    else:
        value = list(value)
    return Condition(CONDITIONS[operator](key, value))


def _statement(actions: list[str], resources: tuple[str, ...], condition: tuple) -> Statement:
    kwargs = {}
    if _condition(condition) is not None:
        kwargs["Condition"] = _condition(condition)
    return policies.allow([_action(a) for a in actions], [r if r == "*" else Sub(r) for r in resources], **kwargs)


def allow_statements(
    actions: tuple[str, ...], passed_to: tuple[str, ...], linked: tuple[str, ...] = ()
) -> list[Statement]:
    groups: dict[tuple, list[str]] = {}
    for action in actions:
        if action not in DENIED_ACTIONS:
            groups.setdefault(_scope(action, passed_to, linked), []).append(action)
    return [
        _statement(sorted(acts), resources, condition)
        for (resources, condition), acts in sorted(groups.items(), key=lambda item: (item[0][0], item[1][0]))
    ]


def aws_managed_key_statements(actions: tuple[str, ...]) -> list[Statement]:
    """The handlers' key actions also on AWS managed keys (a service's default ``aws/<service>``
    key), through their service only: those keys carry no Environment tag, so the tag
    condition above never holds for them (awsfacts/aws_managed_keys.py). Every environment's
    data in them stays behind that service's own scoped actions."""
    used = sorted(set(actions) & set(aws_managed_keys.USE_ACTIONS))
    if not used:
        return []
    return [
        Statement(
            Sid="AwsManagedKeysThroughTheirService",
            Effect="Allow",
            Action=[_action(a) for a in used],
            Resource=["*"],
            Condition=Condition(
                [
                    ForAnyValueStringLike("kms:ResourceAliases", [aws_managed_keys.ALIASES]),
                    StringLike("kms:ViaService", [aws_managed_keys.VIA_ANY_SERVICE]),
                ]
            ),
        )
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
            Resource=[Sub(ACCOUNT_ARN + f"policy/{ANY_PERMISSIONS_BOUNDARY}")],
        ),
        Statement(
            Sid="OtherEnvironmentsAreNotOurs",
            Effect=Deny,
            Action=[Action("*")],
            Resource=["*"],
            Condition=Condition(
                [
                    Null(RESOURCE_TAG_KEY, "false"),
                    StringNotEquals(RESOURCE_TAG_KEY, PRINCIPAL_ENVIRONMENT.replace("${!", "${")),
                ]
            ),
        ),
        Statement(
            Sid="AuditAndArtifactsAreNotOurs",
            Effect=Deny,
            Action=[Action("*")],
            Resource=[Sub(PROTECTED_RESOURCES[0]), *_bootstrap_buckets()],
        ),
        Statement(
            Sid="AuditAndArtifactsKeysAreNotOurs",
            Effect=Deny,
            Action=[Action("kms", "*")],
            Resource=["*"],
            Condition=Condition(ForAnyValueStringLike("kms:ResourceAliases", list(PROTECTED_ALIASES))),
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


def _bootstrap_buckets() -> list:
    """The audit trail's and the artifacts buckets and their objects (not the trail itself)."""
    buckets = [arn for arn in PROTECTED_RESOURCES if ":s3:::" in arn]
    return [Sub(arn) for arn in buckets] + [Sub(arn + "/*") for arn in buckets]


def _covered(pattern: str, others: set[str]) -> bool:
    return any(other != pattern and fnmatch.fnmatchcase(pattern, other) for other in others)


def environment_names(environment: str) -> list[str]:
    """ARN patterns (Fn::Sub) of every name ``SCOPED`` gives ``environment``, fewest first:
    one a wider one covers (a table's indexes under its table) is left out."""
    arns = {
        _arn(arn_format, tuple(part.replace(ENV, environment) for part in _parts(glob)))
        for (service, kind), globs in SCOPED.items()
        if (arn_format := iam_catalog.resource_type(service, kind))
        for glob in globs
    }
    return sorted(arn for arn in arns if not _covered(arn, arns))


def boundary_document(templates: Mapping[str, dict], environment: str):
    """What ``environment``'s workload roles may do at most: their policies' actions, never on
    another environment's names or tagged resources, nor on the audit trail's or the artifacts
    buckets (a workload cannot swap a template a StackSet is about to read)."""
    actions = template_iam.allowed_actions(templates)
    others = [e for e in ENVIRONMENTS if e != environment]
    return policies.document(
        Statement(Sid="WorkloadActions", Effect="Allow", Action=[_action(a) for a in actions], Resource=["*"]),
        Statement(Sid="NotTheBootstrapBuckets", Effect=Deny, Action=[Action("s3", "*")], Resource=_bootstrap_buckets()),
        Statement(
            Sid="NotOtherEnvironmentsNames",
            Effect=Deny,
            Action=[Action("*")],
            Resource=[Sub(arn) for other in others for arn in environment_names(other)],
        ),
        Statement(
            Sid="NotOtherEnvironmentsTagged",
            Effect=Deny,
            Action=[Action("*")],
            Resource=["*"],
            Condition=Condition(StringEquals(RESOURCE_TAG_KEY, others)),
        ),
    )


def execution_permissions(templates: Mapping[str, dict]) -> ExecutionPermissions:
    derivation = derive(templates.values())
    linked = service_linked_roles.services(derivation, templates)
    statements = (
        allow_statements(derivation.actions, template_iam.trusted_services(templates), linked)
        + aws_managed_key_statements(derivation.actions)
        + deny_statements()
    )
    boundaries = {environment: boundary_document(templates, environment) for environment in ENVIRONMENTS}
    return ExecutionPermissions(derivation, pack(statements), boundaries)


def _level(action: str) -> str:
    return (iam_catalog.entry(action) or {}).get("accessLevel", "")


def _on_managed_keys(statement: dict) -> bool:
    return aws_managed_keys.ALIASES in json.dumps(statement.get("Condition") or {})


def suppressions(document) -> dict[str, str]:
    """checkov's findings on one execution policy, each with the reason that holds for exactly
    the statements it finds: the actions left on "*" are named or counted."""
    unscoped = [s for s in encode_to_dict(document)["Statement"] if s["Effect"] == "Allow" and s["Resource"] == ["*"]]

    def actions(level: str, where) -> list[str]:
        return [a for s in unscoped if where(s) for a in s["Action"] if level in _level(a)]

    reasons = {}
    writes = actions("Write", lambda s: not _on_managed_keys(s))
    managed_writes = actions("Write", _on_managed_keys)
    if writes or managed_writes:
        reasons["CKV_AWS_111"] = "; ".join(
            part
            for part in (
                writes
                and f"{len(writes)} handler write actions on *: on types we do not name (ids) or IAM gives no ARN "
                "for; named types are scoped to the caller's environment",
                managed_writes
                and f"{', '.join(managed_writes)} on AWS managed keys (alias/aws/*) only through their service",
            )
            if part
        )
    tagged = actions("Permissions", lambda s: RESOURCE_TAG_KEY in json.dumps(s.get("Condition") or {}))
    managed = actions("Permissions", _on_managed_keys)
    bare = actions("Permissions", lambda s: not s.get("Condition"))
    if tagged or managed or bare:
        reasons["CKV_AWS_109"] = "; ".join(
            part
            for part in (
                tagged and f"{', '.join(tagged)} only on keys tagged with the caller's environment",
                managed and f"{', '.join(managed)} on AWS managed keys (alias/aws/*) only through their service",
                bare and f"{', '.join(bare)}: handler permissions on types IAM gives no ARN for or we do not name",
            )
            if part
        )
    return reasons


def as_json(document) -> str:
    return json.dumps(encode_to_dict(document), sort_keys=True)

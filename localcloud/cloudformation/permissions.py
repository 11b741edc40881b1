"""Permission-faithful StackSet instances: every resource a StackSet instance stack
creates, updates or deletes is checked against the execution role CloudFormation would
assume for it, as AWS does (moto runs everything as the account root).

- The role: ``ExecutionRoleName`` (default ``AWSCloudFormationStackSetExecutionRole``) in
  the instance's account, whose trust policy must let the StackSet's
  ``AdministrationRoleARN`` assume it (and, unless it names that role within its own
  account, the administration role's own policies must allow ``sts:AssumeRole`` on it).
  Otherwise the instance fails with StackSets' message (``CannotAssume``).
- Per resource: every permission the type's registry schema lists for the handler
  (create and the read that follows it, update, delete) must be allowed by the role's
  inline and attached managed policies (default versions, as stored in moto's IAM) and
  by its permissions boundary (``awsfacts.policy_eval`` with resource=None).
- Named resources (``awsfacts.arn_names``: functions, tables, buckets, topics, queues,
  streams, secrets, log groups, alarms, buses) are evaluated on their real ARNs for every
  handler permission that acts on their type, so an execution role scoped to its
  environment's names is refused another environment's resource, as IAM refuses it.
- IAM roles and managed policies are evaluated on their real ARNs, with
  ``iam:PermissionsBoundary`` in the request context where IAM supports it; roles handed
  to a service are checked for ``iam:PassRole`` with ``iam:PassedToService``.
- A refusal fails that resource with CloudFormation's handler message
  (``AccessDenied``), so the stack rolls back and the instance goes OUTDATED/FAILED.

Only stacks a StackSet instance runs are checked (the StackSet engine calls ``run_as``; nested
stacks inherit their parent's role); plain stacks (bootstrap) run as the caller.
``LOCALCLOUD_PERMISSIONS=off`` switches the checks (and the trust check) off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cfnops.awsfacts import arn_names, handler_calls, iam_catalog, policy_eval, schemas

from ..core.failures import ResourceFailed, service_detail
from ..core.registry import document, patch, replace
from ..core.state import State
from . import limits
from .patches import _failures_name_their_resource

SWITCH = "LOCALCLOUD_PERMISSIONS"
_current: ContextVar[ExecutionRole | None] = ContextVar("localcloud_execution_role", default=None)

# type -> (property path, service the role is passed to); "[]" walks a list
PASSED_ROLES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "AWS::Lambda::Function": ((("Role",), "lambda.amazonaws.com"),),
    "AWS::ECS::TaskDefinition": (
        (("ExecutionRoleArn",), "ecs-tasks.amazonaws.com"),
        (("TaskRoleArn",), "ecs-tasks.amazonaws.com"),
    ),
    "AWS::EC2::FlowLog": ((("DeliverLogsPermissionArn",), "vpc-flow-logs.amazonaws.com"),),
    "AWS::RDS::DBInstance": ((("MonitoringRoleArn",), "monitoring.rds.amazonaws.com"),),
    "AWS::Bedrock::Agent": ((("AgentResourceRoleArn",), "bedrock.amazonaws.com"),),
    "AWS::Bedrock::KnowledgeBase": ((("RoleArn",), "bedrock.amazonaws.com"),),
    "AWS::BedrockAgentCore::Gateway": ((("RoleArn",), "bedrock-agentcore.amazonaws.com"),),
    "AWS::BedrockAgentCore::Harness": ((("ExecutionRoleArn",), "bedrock-agentcore.amazonaws.com"),),
    "AWS::Events::Rule": ((("Targets", "[]", "RoleArn"), "events.amazonaws.com"),),
}
BOUNDARY_KEY = "iam:PermissionsBoundary"


def enabled() -> bool:
    return os.environ.get(SWITCH, "on").strip().lower() not in ("off", "0", "false", "no")


class CannotAssume(Exception):
    """The instance's execution role is missing or does not trust the administration role."""

    def __init__(self, account: str, role_name: str, admin_role_arn: str):
        self.message = (
            f"Account {account} should have '{role_name}' role with trust relationship "
            f"to Role '{admin_role_arn.rsplit('/', 1)[-1]}'."
        )
        super().__init__(self.message)


class AccessDenied(ResourceFailed):
    """A resource handler was refused an action: CloudFormation's resource failure."""

    def __init__(self, logical_id: str, resource_type: str, denial: str, service: str):
        super().__init__(logical_id, resource_type, f"{denial} {service_detail(service, 403)}", "AccessDenied")


_DECISIONS: dict[str, dict] = {}  # digest of (policies, boundary) -> decisions: every instance of a role shares them


def forget_decisions() -> None:
    """A cold start (for measurements)."""
    _DECISIONS.clear()


@dataclass
class ExecutionRole:
    account: str
    name: str
    arn: str
    session_arn: str
    documents: tuple[dict, ...]
    boundary: dict | None
    _decisions: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(json.dumps([self.documents, self.boundary], sort_keys=True).encode()).hexdigest()
        self._decisions = _DECISIONS.setdefault(digest, {})

    def decide(self, action: str, resource: str | None = None, context: dict | None = None) -> policy_eval.Decision:
        key = (action, resource, None if context is None else tuple(sorted(context.items())))
        if key not in self._decisions:
            self._decisions[key] = policy_eval.evaluate(self.documents, action, resource, context, self.boundary)
        return self._decisions[key]


# --- IAM as moto stores it -----------------------------------------------------------------


def _iam(account: str):
    from moto.iam.models import iam_backends

    return iam_backends[account]["aws"]


def _document(text_or_dict) -> dict:
    if isinstance(text_or_dict, dict):
        return text_or_dict
    from urllib.parse import unquote

    text = text_or_dict if text_or_dict.lstrip().startswith("{") else unquote(text_or_dict)
    return json.loads(text)


def _default_version(policy) -> dict:
    version = next((v for v in policy.versions if v.is_default), policy.versions[-1])
    return _document(version.document)


def _role(account: str, name: str):
    return next((role for role in _iam(account).roles.values() if role.name == name), None)


def _identity_documents(role) -> tuple[dict, ...]:
    inline = [_document(document) for document in role.policies.values()]
    managed = [_default_version(policy) for policy in role.managed_policies.values()]
    return tuple(inline + managed)


def _boundary(account: str, role) -> dict | None:
    if not role.permissions_boundary_arn:
        return None
    policy = _iam(account).managed_policies.get(role.permissions_boundary_arn)
    return _default_version(policy) if policy is not None else {"Statement": []}


def assume(account: str, role_name: str, admin_role_arn: str) -> ExecutionRole:
    """What AssumeRole of ``role_name`` in ``account`` by the administration role gives."""
    role = _role(account, role_name)
    admin_account = admin_role_arn.split(":")[4]
    admin = _role(admin_account, admin_role_arn.rsplit("/", 1)[-1])
    if role is None or admin is None:
        raise CannotAssume(account, role_name, admin_role_arn)
    trusted = policy_eval.trust(_document(role.assume_role_policy_document), admin.arn)
    if not trusted.allowed:
        raise CannotAssume(account, role_name, admin_role_arn)
    if trusted.reason != policy_eval.NAMED or admin_account != account:
        own = policy_eval.evaluate(
            _identity_documents(admin), "sts:AssumeRole", role.arn, None, _boundary(admin_account, admin)
        )
        if not own.allowed:
            raise CannotAssume(account, role_name, admin_role_arn)
    session = f"arn:aws:sts::{account}:assumed-role/{role.name}/{uuid.uuid4()}"
    # IAM fills policy variables (${aws:PrincipalTag/...}) from the role's tags: no session tags are passed
    variables = policy_eval.principal_variables({tag["Key"]: tag["Value"] for tag in role.tags or []})
    documents = tuple(policy_eval.bind(_identity_documents(role), variables))
    return ExecutionRole(account, role.name, role.arn, session, documents, _boundary(account, role))


# on moto's CloudFormation backend of the instance's account and Region: stack name -> its role
EXECUTION_ROLES: State[dict[str, ExecutionRole]] = State("execution_roles", dict)


def _registry(account: str, region: str) -> dict[str, ExecutionRole]:
    from moto.cloudformation import models as cfn_models

    return EXECUTION_ROLES.of(cfn_models.cloudformation_backends[account][region])


def run_as(stackset, instance) -> None:
    """Called by the StackSet engine before it touches an instance's stack: the stack's
    resources are checked against the execution role from now on. Raises CannotAssume."""
    registry = _registry(instance.account, instance.region)
    registry.pop(instance.stack_name, None)
    if enabled():
        registry[instance.stack_name] = assume(instance.account, stackset.execution_role, stackset.admin_role)


# --- what a handler needs --------------------------------------------------------------------


@cache
def required(resource_type: str, handler: str, region: str) -> tuple[str, ...]:
    """The schema's permissions for ``handler``, wildcards expanded, unknown actions dropped
    (as the execution role's derivation does)."""
    if not schemas.is_known(resource_type, region):
        return ()
    actions: list[str] = []
    for permission in schemas.handler_permissions(resource_type, handler, region):
        if "*" in permission:
            actions += iam_catalog.expand(permission)
        elif iam_catalog.is_known(permission):
            actions.append(iam_catalog.canonical(permission))
    return tuple(dict.fromkeys(actions))


def _removed(key: str) -> Callable[[dict, dict], bool]:
    return lambda previous, properties: bool(previous.get(key)) and not properties.get(key)


# Permissions a handler lists but calls only for some changes (from the handlers' sources,
# aws-cloudformation/aws-cloudformation-resource-providers-iam): required only then. Our
# execution role denies this one on purpose, so every role update would fail otherwise.
CALLED_ONLY_WHEN = {
    ("AWS::IAM::Role", "iam:DeleteRolePermissionsBoundary"): _removed("PermissionsBoundary"),
}


def _called(resource_type: str, action: str, previous: dict, properties: dict) -> bool:
    when = CALLED_ONLY_WHEN.get((resource_type, action))
    return (when is None or when(previous, properties)) and handler_calls.called(
        resource_type, action, properties, previous
    )


def _takes(action: str, kind: str) -> bool:
    return any(f":{kind}/" in arn for arn in iam_catalog.resource_arns(action))


def _context(action: str, boundary: str | None) -> dict:
    return {BOUNDARY_KEY: boundary} if boundary and BOUNDARY_KEY in iam_catalog.condition_keys(action) else {}


def _at(properties: Any, path: tuple[str, ...]) -> list:
    if not path:
        return [properties] if isinstance(properties, str) else []
    if path[0] == "[]":
        return [v for item in (properties if isinstance(properties, list) else []) for v in _at(item, path[1:])]
    return _at(properties.get(path[0]), path[1:]) if isinstance(properties, dict) else []


def _role_arn(account: str, value: str) -> str:
    return value if value.startswith("arn:") else f"arn:aws:iam::{account}:role/{value}"


def specific_checks(
    resource_type: str, handlers: tuple[str, ...], properties: dict, account: str, region: str, previous: dict
):
    """(action, resource ARN, context) beyond "some resource": IAM on real ARNs with the
    boundary, PassRole with the receiving service."""
    for path, service in PASSED_ROLES.get(resource_type, ()):
        for value in _at(properties, path):
            yield "iam:PassRole", _role_arn(account, value), {"iam:PassedToService": service}
    named = arn_names.NAMED_BY.get(resource_type)
    name = properties.get(named[2]) if named else None
    if isinstance(name, str) and name:
        arn = arn_names.arn(resource_type, name, account, region)
        for handler in handlers:
            for action in required(resource_type, handler, region):
                if (
                    arn
                    and arn_names.takes(action, resource_type)
                    and _called(resource_type, action, previous, properties)
                ):
                    yield action, arn, {}
    if resource_type == "AWS::IAM::Role" and properties.get("RoleName"):
        arn = f"arn:aws:iam::{account}:role{properties.get('Path', '/')}{properties['RoleName']}"
        boundary = properties.get("PermissionsBoundary")
        for handler in handlers:
            for action in required(resource_type, handler, region):
                if _takes(action, "role") and _called(resource_type, action, previous, properties):
                    yield action, arn, _context(action, boundary)
    if resource_type == "AWS::IAM::ManagedPolicy":
        if properties.get("ManagedPolicyName"):
            arn = f"arn:aws:iam::{account}:policy{properties.get('Path', '/')}{properties['ManagedPolicyName']}"
            for handler in handlers:
                for action in required(resource_type, handler, region):
                    if _takes(action, "policy"):
                        yield action, arn, {}
        for name in properties.get("Roles") or []:
            role = _role(account, name)
            boundary = role.permissions_boundary_arn if role is not None else None
            yield "iam:AttachRolePolicy", _role_arn(account, name), _context("iam:AttachRolePolicy", boundary)


def _denial(role: ExecutionRole, action: str, resource: str | None, decision: policy_eval.Decision) -> str:
    if decision.reason == "explicitly denied":
        why = "with an explicit deny in an identity-based policy"
    elif decision.reason == "denied by the permissions boundary":
        why = f"because no permissions boundary allows the {action} action"
    else:
        why = f"because no identity-based policy allows the {action} action"
    return f"User: {role.session_arn} is not authorized to perform: {action} on resource: {resource or '*'} {why}"


def _service(action: str) -> str:
    return action.split(":")[0].capitalize()


def check(
    role: ExecutionRole,
    handlers: tuple[str, ...],
    logical_id: str,
    resource_type: str,
    region: str,
    properties: dict | None = None,
    previous: dict | None = None,
) -> None:
    """Raise AccessDenied for the first action ``role`` may not perform for these handlers
    (``previous``: the properties before an update)."""
    properties, previous = properties or {}, previous or {}
    for handler in handlers:
        for action in required(resource_type, handler, region):
            if not _called(resource_type, action, previous, properties):
                continue
            decision = role.decide(action)
            if not decision.allowed:
                raise AccessDenied(logical_id, resource_type, _denial(role, action, None, decision), _service(action))
    for action, resource, context in specific_checks(
        resource_type, handlers, properties, role.account, region, previous
    ):
        decision = role.decide(action, resource, context)
        if not decision.allowed:
            raise AccessDenied(logical_id, resource_type, _denial(role, action, resource, decision), _service(action))


# --- hooks into moto's CloudFormation parsing -------------------------------------------------


def role_for(resources_map) -> ExecutionRole | None:
    """The role a stack's resources run under: its parent's (nested stacks), or the one
    the StackSet engine registered for it; None for plain stacks."""
    current = _current.get()
    if current is not None:
        return current
    registry = _registry(resources_map._account_id, resources_map._region_name)
    return registry.get(resources_map._parsed_resources.get("AWS::StackName")) if registry else None


@contextlib.contextmanager
def acting(role: ExecutionRole | None):
    token = _current.set(role)
    try:
        yield
    finally:
        _current.reset(token)


def _resolved(resource_json: dict, resources_map) -> dict:
    from moto.cloudformation import parsing

    type_name = resource_json.get("Type", "")
    if type_name not in PASSED_ROLES and type_name not in arn_names.NAMED_BY and not type_name.startswith("AWS::IAM::"):
        return {}
    return parsing.clean_json(resource_json.get("Properties") or {}, resources_map)


def authorize(
    resources_map, handlers: tuple[str, ...], logical_id: str, resource_json: dict, previous_json: dict | None = None
) -> None:
    """Check a StackSet instance's execution role for one resource's handlers (no-op for
    plain stacks). The update path (updates.py) calls it for in-place changes."""
    role = role_for(resources_map)
    if role is not None:
        previous = _resolved(previous_json, resources_map) if previous_json else {}
        check(
            role,
            handlers,
            logical_id,
            resource_json["Type"],
            resources_map._region_name,
            _resolved(resource_json, resources_map),
            previous,
        )


@patch(
    "every resource a StackSet instance creates, updates or deletes is checked against its execution role, "
    "outermost, so that a refused handler touches nothing",
    after=(_failures_name_their_resource, limits._resources),
)
def _run_as_execution_role() -> None:
    from moto.cloudformation import parsing

    original_create, original_update = parsing.parse_and_create_resource, parsing.parse_and_update_resource
    original_delete = parsing.ResourceMap._delete_resource

    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        role = role_for(resources_map)
        condition = resource_json.get("Condition")
        if role is not None and (not condition or resources_map.lazy_condition_map[condition]):
            check(
                role,
                ("create", "read"),
                logical_id,
                resource_json["Type"],
                region_name,
                _resolved(resource_json, resources_map),
            )
        with acting(role):
            return original_create(logical_id, resource_json, resources_map, account_id, region_name)

    def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
        role = role_for(resources_map)
        authorize(resources_map, ("update",), logical_id, resource_json)
        with acting(role):
            return original_update(logical_id, resource_json, resources_map, account_id, region_name)

    def _delete_resource(self, parsed_resource, resource_json):
        role = role_for(self)
        if role is not None:
            check(
                role,
                ("delete",),
                getattr(parsed_resource, "logical_resource_id", "?"),
                resource_json["Type"],
                self._region_name,
            )
        with acting(role):
            return original_delete(self, parsed_resource, resource_json)

    replace(parsing, "parse_and_create_resource", parse_and_create_resource)
    replace(parsing, "parse_and_update_resource", parse_and_update_resource)
    replace(parsing.ResourceMap, "_delete_resource", _delete_resource)


__doc__ = document(__doc__, __name__)

"""AWS's limits, which moto does not enforce, with AWS's error codes and texts:

- CloudFormation: a TemplateBody over 51,200 bytes (CreateStack, UpdateStack,
  CreateChangeSet, ValidateTemplate, CreateStackSet, UpdateStackSet) and a TemplateURL
  object over 1,000,000 bytes (nested stacks included) are refused with ValidationError;
  a stack in ROLLBACK_COMPLETE / ROLLBACK_FAILED / DELETE_FAILED cannot be updated; a
  stack whose deletion fails stays, DELETE_FAILED (moto dropped it);
- IAM, in moto's IAM backend (so API calls and CloudFormation resources both hit them):
  role names over 64 and policy names over 128 characters (ValidationError; a role
  CloudFormation names itself is cut to 64, as on AWS); all inline
  policies of one role over 10,240 characters, whitespace not counted, and a managed
  policy (or version) over 6,144 (LimitExceeded); more than 10 managed policies attached
  to a role (LimitExceeded);
- physical names: a named resource of a type we use fails to create when a resource of
  that type and name already exists in the account and region (IAM: the account), made by
  any stack (nested ones too), kept by a Retain policy, or made through the API;
  CloudFormation's handlers check before creating, even where the service's Create call
  is idempotent (SNS CreateTopic, SQS CreateQueue);
- deletion protection: a DynamoDB table, RDS cluster, RDS instance or load balancer with
  deletion protection on cannot be deleted by its stack, rollbacks included (the StackSet engine
  then leaves the stack ROLLBACK_FAILED, as AWS does).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from moto.cloudformation.exceptions import ValidationError

from cfnops.awsfacts import iam_limits, statuses
from cfnops.awsfacts.cfn_limits import TEMPLATE_BODY_BYTES, TEMPLATE_URL_BYTES

from ..core.backends import backend as _backend
from ..core.failures import ResourceFailed, message_of, service_detail
from ..core.registry import document, patch, replace
from ..core.state import State
from ..core.values import flag
from .patches import _failures_name_their_resource, _inline_policies_as_json, _template_rules
from .template_urls import _versioned_template_urls

Stack = statuses.Stack
NOT_UPDATABLE = (Stack.ROLLBACK_COMPLETE, Stack.ROLLBACK_FAILED, Stack.DELETE_FAILED, Stack.CREATE_FAILED)


# --- CloudFormation templates ---------------------------------------------------------------


def check_template_body(body: str | None) -> None:
    if body is not None and len(body.encode("utf-8")) > TEMPLATE_BODY_BYTES:
        # AWS echoes the whole value; localcloud cuts it, so no log carries 50 KB of template
        raise ValidationError(
            message=f"1 validation error detected: Value '{body[:60]}…' at 'templateBody' failed to satisfy "
            f"constraint: Member must have length less than or equal to {TEMPLATE_BODY_BYTES}"
        )


def check_template_object(body: str) -> str:
    if len(body.encode("utf-8")) > TEMPLATE_URL_BYTES:
        raise ValidationError(message=f"Template may not exceed {TEMPLATE_URL_BYTES} bytes in size.")
    return body


def body_checked(handler: Callable) -> Callable:
    def checked(self, *args, **kwargs):
        check_template_body(self._get_param("TemplateBody"))
        return handler(self, *args, **kwargs)

    checked.__name__ = handler.__name__
    return checked


@patch(
    "a TemplateBody over 51,200 bytes (CreateStack, UpdateStack, CreateChangeSet, ValidateTemplate; the StackSet "
    "handlers check it themselves) and a TemplateURL object over 1,000,000 bytes (nested stacks included) are "
    "refused with ValidationError",
    after=(_versioned_template_urls,),
)
def _templates() -> None:
    from moto.cloudformation import models as cfn_models
    from moto.cloudformation.responses import CloudFormationResponse

    response = CloudFormationResponse
    replace(response, "create_stack", body_checked(response.create_stack))
    replace(response, "update_stack", body_checked(response.update_stack))
    replace(response, "create_change_set", body_checked(response.create_change_set))
    replace(response, "validate_template", body_checked(response.validate_template))
    original_fetch = response._get_stack_from_s3_url
    replace(response, "_get_stack_from_s3_url", lambda self, url: check_template_object(original_fetch(self, url)))
    original_nested = cfn_models.get_stack_from_s3_url
    replace(
        cfn_models,
        "get_stack_from_s3_url",
        lambda *args, **kwargs: check_template_object(original_nested(*args, **kwargs)),
    )


@patch(
    "a stack in ROLLBACK_COMPLETE, ROLLBACK_FAILED, DELETE_FAILED or CREATE_FAILED cannot be updated; a stack "
    "whose deletion fails stays, DELETE_FAILED (moto dropped it)",
    after=(_template_rules,),
)
def _stack_states() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original_update, original_delete = CloudFormationBackend.update_stack, CloudFormationBackend.delete_stack

    def update_stack(self, name, *args, **kwargs):
        stack = self.get_stack(name)
        if stack.status in NOT_UPDATABLE:
            raise ValidationError(message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")
        return original_update(self, name, *args, **kwargs)

    def delete_stack(self, name_or_stack_id):
        stacks = {
            stack.stack_id: stack for stack in self.stacks.values() if name_or_stack_id in (stack.stack_id, stack.name)
        }
        try:
            return original_delete(self, name_or_stack_id)
        except Exception as error:
            for stack_id, stack in stacks.items():  # what failed to go stays, as on AWS
                stack.status = Stack.DELETE_FAILED
                stack._add_stack_event(Stack.DELETE_FAILED, resource_status_reason=message_of(error))
                self.stacks[stack_id] = stack
            raise

    replace(CloudFormationBackend, "update_stack", update_stack)
    replace(CloudFormationBackend, "delete_stack", delete_stack)


# --- IAM ------------------------------------------------------------------------------------


def _iam_errors():
    from moto.iam.exceptions import LimitExceededException
    from moto.iam.exceptions import ValidationError as IamValidationError

    return LimitExceededException, IamValidationError


def _length(value: str, limit: int, member: str) -> None:
    if len(value or "") > limit:
        raise _iam_errors()[1](
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {limit}"
        )


def _size(document) -> int:
    return iam_limits.policy_size(json.loads(document) if isinstance(document, str) else document)


def check_inline_policies(role, name: str, document) -> None:
    _length(name, iam_limits.POLICY_NAME, "policyName")
    total = sum(_size(d) for n, d in role.policies.items() if n != name) + _size(document)
    if total > iam_limits.INLINE_POLICIES_PER_ROLE:
        raise _iam_errors()[0](
            f"Maximum policy size of {iam_limits.INLINE_POLICIES_PER_ROLE} bytes exceeded for role {role.name}"
        )


def check_managed_policy(document) -> None:
    if _size(document) > iam_limits.MANAGED_POLICY:
        raise _iam_errors()[0](f"Cannot exceed quota for PolicySize: {iam_limits.MANAGED_POLICY}")


@patch(
    "IAM's name lengths, policy sizes and managed policies per role, in moto's IAM backend (API calls and "
    "CloudFormation resources both hit them)",
    after=(_inline_policies_as_json,),
)
def _iam() -> None:
    from moto.iam import models as iam_models

    backend, role_class, managed = iam_models.IAMBackend, iam_models.Role, iam_models.ManagedPolicy
    original_create_role, original_put = backend.create_role, role_class.put_policy
    original_create_policy, original_version = backend.create_policy, backend.create_policy_version
    original_attach = managed.attach_to

    def create_role(self, role_name, *args, **kwargs):
        _length(role_name, iam_limits.ROLE_NAME, "roleName")
        return original_create_role(self, role_name, *args, **kwargs)

    def put_policy(self, policy_name, policy_json):
        check_inline_policies(self, policy_name, policy_json)
        return original_put(self, policy_name, policy_json)

    def create_policy(self, description, path, policy_document, policy_name, tags):
        _length(policy_name, iam_limits.POLICY_NAME, "policyName")
        check_managed_policy(policy_document)
        return original_create_policy(self, description, path, policy_document, policy_name, tags)

    def create_policy_version(self, policy_arn, policy_document, set_as_default):
        check_managed_policy(policy_document)
        return original_version(self, policy_arn, policy_document, set_as_default)

    def attach_to(self, obj):
        if (
            isinstance(obj, role_class)
            and self.arn not in obj.managed_policies
            and len(obj.managed_policies) >= iam_limits.MANAGED_POLICIES_PER_ROLE
        ):
            raise _iam_errors()[0](f"Cannot exceed quota for PoliciesPerRole: {iam_limits.MANAGED_POLICIES_PER_ROLE}")
        return original_attach(self, obj)

    replace(backend, "create_role", create_role)
    replace(role_class, "put_policy", put_policy)
    replace(backend, "create_policy", create_policy)
    replace(backend, "create_policy_version", create_policy_version)
    replace(managed, "attach_to", attach_to)


# --- physical names -------------------------------------------------------------------------

NAME_PROPERTIES = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId",
    "AWS::SecretsManager::Secret": "Name",
}
GLOBAL_TYPES = ("AWS::IAM::Role", "AWS::IAM::ManagedPolicy", "AWS::S3::Bucket")
CASE_INSENSITIVE = ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::ElastiCache::ReplicationGroup")


# type -> (account, region, name) -> True when the service holds it (made through its API)
SERVICE_LOOKUPS: dict[str, Callable[[str, str, str], bool]] = {
    "AWS::IAM::Role": lambda a, r, n: any(
        role.name == n for role in _backend("iam", "iam_backends", a, "aws").roles.values()
    ),
    "AWS::IAM::ManagedPolicy": lambda a, r, n: any(
        p.name == n for p in _backend("iam", "iam_backends", a, "aws").managed_policies.values() if f":{a}:" in p.arn
    ),
    "AWS::DynamoDB::Table": lambda a, r, n: n in _backend("dynamodb", "dynamodb_backends", a, r).tables,
    "AWS::S3::Bucket": lambda a, r, n: n in _backend("s3", "s3_backends", a, "aws").buckets,
    "AWS::Logs::LogGroup": lambda a, r, n: n in _backend("logs", "logs_backends", a, r).groups,
    "AWS::SNS::Topic": lambda a, r, n: f"arn:aws:sns:{r}:{a}:{n}" in _backend("sns", "sns_backends", a, r).topics,
    "AWS::SQS::Queue": lambda a, r, n: n in _backend("sqs", "sqs_backends", a, r).queues,
    "AWS::Lambda::Function": lambda a, r, n: n in _backend("awslambda", "lambda_backends", a, r)._lambdas._functions,
    "AWS::CloudWatch::Alarm": lambda a, r, n: n in _backend("cloudwatch", "cloudwatch_backends", a, r).alarms,
}


def _already_exists_message(resource_type: str, name: str) -> str:
    if resource_type == "AWS::IAM::Role":
        return f"Role with name {name} already exists. {service_detail('Iam', 409)}"
    if resource_type == "AWS::IAM::ManagedPolicy":
        return f"A policy called {name} already exists. Duplicate names are not allowed. {service_detail('Iam', 409)}"
    return f"Resource of type '{resource_type}' with identifier '{name}' already exists."


# the account's physical names: (stack id, logical id) -> (type, region or "", name)
PHYSICAL_NAMES: State[dict[tuple[str, str], tuple[str, str, str]]] = State("physical_names", dict)


class Names:
    """Physical names of the named types made by CloudFormation and not deleted since, by
    the stack and logical id that made them (kept on moto's IAM backend of the account,
    so moto's reset clears them), for the types moto does not model. Retained resources
    stay listed: they still exist."""

    @staticmethod
    def _held(account: str) -> dict[tuple[str, str], tuple[str, str, str]]:
        return PHYSICAL_NAMES.of(_backend("iam", "iam_backends", account, "aws"))

    @staticmethod
    def key(resource_type: str, region: str, name: str) -> tuple[str, str, str]:
        name = name.lower() if resource_type in CASE_INSENSITIVE else name
        return resource_type, "" if resource_type in GLOBAL_TYPES else region, name

    @classmethod
    def exists(cls, account: str, region: str, resource_type: str, name: str) -> bool:
        """The service's own state where moto models the type (a retained resource deleted
        by hand later is gone), plus what CloudFormation made and did not delete."""
        from moto.cloudformation import parsing

        lookup = SERVICE_LOOKUPS.get(resource_type)
        if lookup is not None and resource_type in parsing.get_model_map():
            return lookup(account, region, name)
        held = cls.key(resource_type, region, name) in cls._held(account).values()
        return held or bool(lookup and lookup(account, region, name))

    @classmethod
    def add(cls, account: str, region: str, owner: tuple[str, str], resource_type: str, name: str) -> None:
        cls._held(account)[owner] = cls.key(resource_type, region, name)

    @classmethod
    def discard(cls, account: str, owner: tuple[str, str]) -> None:
        cls._held(account).pop(owner, None)

    @classmethod
    def forget(cls, account: str, region: str, resource_type: str, name: str) -> None:
        """A retained resource deleted through its service's API: its name is free again."""
        key = cls.key(resource_type, region, name)
        for owner in [o for o, held in cls._held(account).items() if held == key]:
            cls.discard(account, owner)


def physical_name(resource_json: dict, resources_map) -> str | None:
    """The name the template gives a resource of a named type (resolved), else None."""
    from moto.cloudformation import parsing

    prop = NAME_PROPERTIES.get(resource_json.get("Type", ""))
    raw = (resource_json.get("Properties") or {}).get(prop) if prop else None
    if raw is None:
        return None
    value = parsing.clean_json(raw, resources_map)
    return value if isinstance(value, str) and value else None


# --- deletion protection -------------------------------------------------------------------


def _properties(resource) -> dict:
    return getattr(resource, "properties", None) or {}


PROTECTED = {  # type -> (is protected(resource), service's message)
    "AWS::DynamoDB::Table": (
        lambda r: flag(getattr(r, "deletion_protection_enabled", False)),
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first. "
        + "(Service: DynamoDb, Status Code: 400)",
    ),
    "AWS::RDS::DBCluster": (
        lambda r: flag(_properties(r).get("DeletionProtection", False)),
        "Cannot delete protected Cluster, please disable deletion protection and try again. (Service: Rds, Status Code: 400)",
    ),
    "AWS::RDS::DBInstance": (
        lambda r: flag(_properties(r).get("DeletionProtection", getattr(r, "deletion_protection", False))),
        "Cannot delete protected DB Instance, please disable deletion protection and try again. (Service: Rds, Status Code: 400)",
    ),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (
        lambda r: flag(getattr(r, "attrs", {}).get("deletion_protection.enabled", False)),
        "Load balancer '{arn}' cannot be deleted because deletion protection is enabled "
        "(Service: ElasticLoadBalancingV2, Status Code: 400)",
    ),
}


def check_deletion_protection(resource, resource_type: str) -> None:
    protected = PROTECTED.get(resource_type)
    if protected is None:
        return
    if protected[0](resource):
        message = protected[1].format(arn=getattr(resource, "arn", ""))
        raise ResourceFailed(getattr(resource, "logical_resource_id", "?"), resource_type, message, "InvalidRequest")
    if resource_type == "AWS::DynamoDB::Table":  # moto keeps the template's "false" and refuses it as truthy
        resource.deletion_protection_enabled = False


@patch(
    "a physical name that exists already fails the resource (AlreadyExists); deletion protection refuses a "
    "resource's deletion",
    after=(_failures_name_their_resource,),
)
def _resources() -> None:
    from moto.cloudformation import parsing

    original_create, original_delete = parsing.parse_and_create_resource, parsing.ResourceMap._delete_resource

    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        condition = resource_json.get("Condition")
        name = None
        if not condition or resources_map.lazy_condition_map[condition]:
            name = physical_name(resource_json, resources_map)
        if name is not None and Names.exists(account_id, region_name, resource_json["Type"], name):
            raise ResourceFailed(
                logical_id, resource_json["Type"], _already_exists_message(resource_json["Type"], name), "AlreadyExists"
            )
        resource = original_create(logical_id, resource_json, resources_map, account_id, region_name)
        if resource is not None and name is not None:
            Names.add(account_id, region_name, (resources_map.stack_id, logical_id), resource_json["Type"], name)
        return resource

    def _delete_resource(self, parsed_resource, resource_json):
        check_deletion_protection(parsed_resource, resource_json["Type"])
        original_delete(self, parsed_resource, resource_json)
        Names.discard(self._account_id, (self.stack_id, getattr(parsed_resource, "logical_resource_id", "")))

    replace(parsing, "parse_and_create_resource", parse_and_create_resource)
    replace(parsing.ResourceMap, "_delete_resource", _delete_resource)


SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:(?P<name>.+)-[A-Za-z0-9]{6}$")


@patch("DeleteSecret with ForceDeleteWithoutRecovery frees a retained placeholder secret's name, as on AWS")
def _placeholder_secrets_can_be_deleted() -> None:
    """Secrets are placeholders in localcloud's stacks: DeleteSecret (ForceDeleteWithoutRecovery)
    frees a retained one's name as it does on AWS."""
    from moto.secretsmanager.models import SecretsManagerBackend

    original = SecretsManagerBackend.delete_secret

    def delete_secret(self, secret_id, recovery_window_in_days, force_delete_without_recovery):
        result = original(self, secret_id, recovery_window_in_days, force_delete_without_recovery)
        if force_delete_without_recovery:
            match = SECRET_ARN.match(secret_id)
            Names.forget(
                self.account_id,
                self.region_name,
                "AWS::SecretsManager::Secret",
                match.group("name") if match else secret_id,
            )
        return result

    replace(SecretsManagerBackend, "delete_secret", delete_secret)


@patch(
    "an IAM role CloudFormation names itself fits IAM's 64 characters (the stack's name cut short), as on AWS; "
    "moto's <stack>-<logical id>-<suffix> overran it for a StackSet instance's stack"
)
def _generated_role_names_fit() -> None:
    from moto.cloudformation import parsing

    original = parsing.generate_resource_name

    def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
        name = original(resource_type, stack_name, logical_id)
        if resource_type != "AWS::IAM::Role" or len(name) <= iam_limits.ROLE_NAME:
            return name
        tail = name[len(stack_name) :]  # -<logical id>-<suffix>
        return stack_name[: max(0, iam_limits.ROLE_NAME - len(tail))].rstrip("-") + tail[-iam_limits.ROLE_NAME :]

    replace(parsing, "generate_resource_name", generate_resource_name)


__doc__ = document(__doc__, __name__)

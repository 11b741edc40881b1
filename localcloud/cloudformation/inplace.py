"""In-place updates of one resource (updates.py decides that a change is in place): tags
through the service's own tagging API, other properties through ``SETTERS``, each a small
function calling the emulated service as CloudFormation's handler calls the real one.
A placeholder (a type moto does not model) just takes its new properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.values import flag
from . import service_setters
from .fixups import set_load_balancer_attributes
from .patches import Placeholder


class UpdateRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def apply(resource, kind: str, old: dict, new: dict, changed: set[str], account: str, region: str) -> None:
    if isinstance(resource, Placeholder):
        resource.properties = new
        return
    for key in sorted(changed):
        if key == "Tags":
            retag(resource, kind, _tags(old.get("Tags")), _tags(new.get("Tags")), account, region)
            continue
        setter = SETTERS.get(kind, {}).get(key)
        if setter is None:
            raise UpdateRefused(
                f"localcloud cannot update {key} of {kind} in place (inplace.SETTERS has no setter for it)"
            )
        setter(resource, new.get(key), account, region)


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {str(t["Key"]): str(t["Value"]) for t in value or []}


# --- tags -------------------------------------------------------------------------------


def _arn(resource, account: str, region: str) -> str:
    from moto.ec2.models.core import TaggedEC2Resource

    if isinstance(resource, TaggedEC2Resource):
        return f"arn:aws:ec2:{region}:{account}:resource/{resource.physical_resource_id}"  # type: ignore[attr-defined]  # every moto EC2 model has it; the base class does not declare it
    for attribute in ("arn", "table_arn", "queue_arn", "function_arn", "db_instance_arn", "topic_arn"):
        value = getattr(resource, attribute, None)
        if isinstance(value, str) and value.startswith("arn:"):
            return value
    physical = getattr(resource, "physical_resource_id", "")
    return physical if str(physical).startswith("arn:") else ""


def retag(resource, kind: str, old: dict[str, str], new: dict[str, str], account: str, region: str) -> None:
    special = TAGGERS.get(kind)
    if special is not None:
        special(resource, old, new, account, region)
        return
    from moto.core.resource_tagging import iter_taggable_backends

    arn = _arn(resource, account, region)
    backend = next((b for b in iter_taggable_backends(account, region) if arn and b.owns_arn(arn)), None)
    if backend is None:
        raise UpdateRefused(f"localcloud cannot update Tags of {kind} in place (no tagging backend owns {arn or 'it'})")
    stale = [key for key in old if new.get(key) != old[key]]  # some backends append a tag again
    if stale:
        backend.untag_resource(arn, stale)
    backend.tag_resource(arn, new)


def _role_tags(role, old, new, account, region):
    from moto.iam.models import iam_backends

    backend = iam_backends[account]["aws"]
    removed = [key for key in old if key not in new]
    if removed:
        backend.untag_role(role.name, removed)
    backend.tag_role(role.name, [{"Key": k, "Value": v} for k, v in new.items()])


def _stream_tags(stream, old, new, account, region):
    from moto.kinesis.models import kinesis_backends

    backend = kinesis_backends[account][region]
    removed = [key for key in old if key not in new]
    if removed:
        backend.remove_tags_from_stream(None, stream.stream_name, removed)
    backend.add_tags_to_stream(None, stream.stream_name, new)


def _load_balancing_tags(resource, old, new, account, region):
    from moto.elbv2.models import elbv2_backends

    backend = elbv2_backends[account][region]
    removed = [key for key in old if key not in new]
    if removed:
        backend.remove_tags([resource.arn], removed)
    backend.add_tags([resource.arn], [{"Key": k, "Value": v} for k, v in new.items()])


def _queue_tags(queue, old, new, account, region):
    from moto.sqs.models import sqs_backends

    backend = sqs_backends[account][region]
    removed = [key for key in old if key not in new]
    if removed:
        backend.untag_queue(queue.name, removed)
    if new:
        backend.tag_queue(queue.name, new)


def _untracked_tags(resource, old, new, account, region):
    """moto keeps no tags for this type, not even from its creation: nothing to change."""


def _address_tags(address, old, new, account, region):
    """An Elastic IP's tags are on its allocation id (its physical id is the public IP)."""
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account][region]
    removed = [key for key in old if key not in new]
    if removed:
        backend.delete_tags([address.allocation_id], dict.fromkeys(removed))
    backend.create_tags([address.allocation_id], new)


TAGGERS: dict[str, Callable] = {
    "AWS::EC2::EIP": _address_tags,
    "AWS::IAM::Role": _role_tags,
    "AWS::Kinesis::Stream": _stream_tags,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancing_tags,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _load_balancing_tags,
    "AWS::ElasticLoadBalancingV2::Listener": _load_balancing_tags,
    "AWS::SQS::Queue": _queue_tags,
    "AWS::CloudWatch::Dashboard": _untracked_tags,
}


# --- other properties -------------------------------------------------------------------


def _log_retention(group, days, account, region):
    from moto.logs.models import logs_backends

    backend = logs_backends[account][region]
    if days is None:
        backend.delete_retention_policy(group.name)
    else:
        backend.put_retention_policy(group.name, int(days))


def _policy_document(policy, document, account, region):
    """A new default version, as CloudFormation's handler makes it (the oldest other
    version goes first when IAM's five are used up)."""
    import json

    from moto.iam.models import iam_backends

    backend = iam_backends[account]["aws"]
    versions = [v for v in backend.list_policy_versions(policy.arn) if not v.is_default]
    if len(versions) >= 4:
        backend.delete_policy_version(policy.arn, versions[0].version_id)
    backend.create_policy_version(policy.arn, json.dumps(document), set_as_default=True)


def _rule_description(rule, description, account, region):
    """moto keeps a rule's description only for CIDR rules; the rule remembers it too."""
    from moto.ec2.models import ec2_backends

    rule.properties["Description"] = description
    if rule.properties.get("CidrIp"):
        ec2_backends[account][region].update_security_group_rule_descriptions_ingress(
            rule.security_group.id,
            rule.properties["IpProtocol"],
            rule.properties.get("FromPort"),
            rule.properties.get("ToPort"),
            [{"CidrIp": rule.properties["CidrIp"], "Description": description}],
        )


def _listener_certificates(listener, certificates, account, region):
    """ModifyListener with the new certificates (it checks they exist in the region)."""
    from moto.elbv2.models import elbv2_backends

    elbv2_backends[account][region].modify_listener(
        listener.arn, certificates=certificates or [], actions=[action.data for action in listener.default_actions]
    )


def _service_task_definition(service, task_definition, account, region):
    """UpdateService with the new task definition (it checks the definition exists), as
    CloudFormation's handler does when a task definition was replaced."""
    from moto.ecs.models import ecs_backends

    ecs_backends[account][region].update_service(
        {"cluster": service.cluster_name, "service": service.name, "task_definition": task_definition}
    )


def _dashboard_body(dashboard, body, account, region):
    """PutDashboard with the new body (a table or service it shows was renamed)."""
    import datetime

    dashboard.body = body if isinstance(body, str) else __import__("json").dumps(body)
    dashboard.last_modified = datetime.datetime.now()


def _flag_attribute(name: str) -> Callable[[Any, Any, str, str], None]:
    """A flag moto keeps as an attribute of its model (deletion protection)."""

    def set_flag(resource, value, account, region):
        setattr(resource, name, flag(value))

    return set_flag


def _parameter_value(parameter, value, account, region):
    """AWS::SSM::Parameter Value, "Update requires: No interruption": PutParameter with Overwrite."""
    from moto.ssm.models import ssm_backends

    ssm_backends[account][region].put_parameter(
        name=parameter.name,
        description=parameter.description,
        value=value,
        parameter_type=parameter.parameter_type,
        allowed_pattern=parameter.allowed_pattern,
        keyid=parameter.keyid,
        overwrite=True,
        tags=[],
        data_type=parameter.data_type,
        tier=parameter.tier,
        policies=None,
    )


SETTERS: dict[str, dict[str, Callable[[Any, Any, str, str], None]]] = {
    "AWS::DynamoDB::Table": {"DeletionProtectionEnabled": _flag_attribute("deletion_protection_enabled")},
    "AWS::RDS::DBInstance": {"DeletionProtection": _flag_attribute("deletion_protection")},
    "AWS::ElasticLoadBalancingV2::Listener": {"Certificates": _listener_certificates},
    "AWS::Logs::LogGroup": {"RetentionInDays": _log_retention},
    "AWS::IAM::ManagedPolicy": {"PolicyDocument": _policy_document},
    "AWS::EC2::SecurityGroupIngress": {"Description": _rule_description},
    "AWS::ECS::Service": {"TaskDefinition": _service_task_definition},
    "AWS::CloudWatch::Dashboard": {"DashboardBody": _dashboard_body},
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"LoadBalancerAttributes": set_load_balancer_attributes},
    "AWS::SSM::Parameter": {"Value": _parameter_value},
}
for _kind, _setters in service_setters.SETTERS.items():
    SETTERS[_kind] = {**SETTERS.get(_kind, {}), **_setters}
